package dev.tollgate.ingress.web;

import dev.tollgate.runtime.security.Bearer;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.InvalidTokenRequestException;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.kafka.EventPublisher.PublishFailedException;
import dev.tollgate.ingress.tokens.TokenService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.HttpMediaTypeNotSupportedException;

/**
 * The token API: admins mint and revoke ({@code Authorization: Bearer <admin key>}); agents
 * rotate their own token ({@code Authorization: Bearer <gateway token>}).
 */
@RestController
public class TokenController {

    static final String ADMIN_REALM = "tollgate-admin";
    static final String AGENT_REALM = "tollgate";

    private final TokenService tokens;
    private final RateLimits rateLimits;
    private final byte[] adminKeyDigest;

    public TokenController(TokenService tokens, RateLimits rateLimits, AdminKey adminKey) {
        this.tokens = tokens;
        this.rateLimits = rateLimits;
        this.adminKeyDigest = Bearer.digest(adminKey.value());
    }

    /** The admin key, resolved at start-up. */
    public record AdminKey(String value) {

        @Override
        public String toString() {
            return "AdminKey[<redacted>]";
        }
    }

    @PostMapping(path = "/admin/tokens", produces = "application/json")
    public ResponseEntity<Map<String, Object>> issue(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestBody(required = false) Map<String, Object> body)
            throws PublishFailedException {
        Optional<ResponseEntity<Map<String, Object>>> refused = checkAdmin(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (body == null) {
            throw new InvalidTokenRequestException("body must be a JSON object like "
                    + "{\"agent\": \"bot-1\", \"environment\": \"dev\", \"expires-in\": 3600}");
        }
        GatewayTokens.Minted minted = tokens.issue(body);
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(tokenBody(
                minted));
    }

    @PostMapping(path = "/admin/tokens/revoke", produces = "application/json")
    public ResponseEntity<Map<String, Object>> revoke(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            @RequestBody(required = false) Map<String, Object> body)
            throws PublishFailedException {
        Optional<ResponseEntity<Map<String, Object>>> refused = checkAdmin(authorization);
        if (refused.isPresent()) {
            return refused.get();
        }
        Object agent = body == null ? null : body.get("agent");
        Object tokenId = body == null ? null : body.get("token-id");
        Object reason = body == null ? null : body.get("reason");
        String why = reason instanceof String s && s.length() <= 500 ? s : null;
        Map<String, Object> answer = new LinkedHashMap<>();
        if (tokenId instanceof String id && agent == null) {
            answer.put("revoked-token-id", id);
            answer.put("effective-at", tokens.revokeToken(id, null, why).getEpochSecond());
        } else if (agent instanceof String a && tokenId == null) {
            answer.put("revoked-agent", a);
            answer.put("effective-at", tokens.revokeAgent(a, why).getEpochSecond());
        } else {
            throw new InvalidTokenRequestException("body must name exactly one of "
                    + "\"agent\" (revokes all its tokens) or \"token-id\"");
        }
        return ResponseEntity.ok(answer);
    }

    @PostMapping(path = "/token/rotate", produces = "application/json")
    public ResponseEntity<Map<String, Object>> rotate(
            @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization)
            throws PublishFailedException {
        String presented = Bearer.token(authorization);
        if (presented == null) {
            return ApiError.unauthorized(AGENT_REALM, null,
                    "send your gateway token as Authorization: Bearer <token>");
        }
        AgentIdentity identity;
        try {
            identity = tokens.authenticate(presented);
        } catch (TokenRejectedException e) {
            return ApiError.unauthorized(AGENT_REALM, "invalid_token", e.getMessage());
        }
        Optional<Duration> wait = rateLimits.agent(identity.agentId());
        if (wait.isPresent()) {
            return ApiError.tooManyRequests(wait.get());
        }
        GatewayTokens.Minted minted = tokens.rotate(identity);
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(tokenBody(
                minted));
    }

    private Optional<ResponseEntity<Map<String, Object>>> checkAdmin(String authorization) {
        Optional<Duration> wait = rateLimits.admin();
        if (wait.isPresent()) {
            return Optional.of(ApiError.tooManyRequests(wait.get()));
        }
        String presented = Bearer.token(authorization);
        if (presented == null) {
            return Optional.of(ApiError.unauthorized(ADMIN_REALM, null,
                    "send the admin key as Authorization: Bearer <key> (TOLLGATE_ADMIN_KEY or "
                            + "TOLLGATE_ADMIN_KEY_FILE)"));
        }
        if (!Bearer.matches(adminKeyDigest, presented)) { // constant time
            return Optional.of(ApiError.unauthorized(ADMIN_REALM, "invalid_token",
                    "the admin key is not valid"));
        }
        return Optional.empty();
    }

    private static Map<String, Object> tokenBody(GatewayTokens.Minted minted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", minted.token());
        body.put("expires-at", minted.identity().expiresAt().getEpochSecond());
        body.put("token-id", minted.identity().tokenId());
        body.put("agent", minted.identity().agentId());
        body.put("environment", minted.identity().environment());
        return body;
    }

    @ExceptionHandler(InvalidTokenRequestException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidTokenRequestException e) {
        return ApiError.of(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return ApiError.of(HttpStatus.BAD_REQUEST, "invalid_request",
                "body must be a JSON object");
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return ApiError.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request",
                "send the body as Content-Type: application/json");
    }

    @ExceptionHandler(PublishFailedException.class)
    ResponseEntity<Map<String, Object>> unavailable(PublishFailedException e) {
        return ApiError.of(HttpStatus.SERVICE_UNAVAILABLE, "audit_unavailable",
                "the change could not be recorded on Kafka, so it was not made visible; retry "
                        + "when Kafka is reachable");
    }
}
