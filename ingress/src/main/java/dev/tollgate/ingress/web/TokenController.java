package dev.tollgate.ingress.web;

import dev.tollgate.ingress.core.grants.PolicyGrants;
import dev.tollgate.ingress.core.http.OriginPolicy;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.InvalidTokenRequestException;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.RotationRefusedException;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.ingress.kafka.EventPublisher.PublishFailedException;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.runtime.security.AdminGate;
import dev.tollgate.runtime.security.Bearer;
import dev.tollgate.runtime.security.oidc.AdminPrincipal;
import dev.tollgate.runtime.security.oidc.AdminRole;
import dev.tollgate.runtime.security.oidc.AdminTokens;
import dev.tollgate.runtime.security.oidc.JwtRejectedException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The token API: admins mint and revoke ({@code Authorization: Bearer <admin key>}); agents
 * rotate their own token ({@code Authorization: Bearer <gateway token>}).
 *
 * <p>In order, for every endpoint: the {@code Host} / {@code Origin} rules of {@code /mcp} (403),
 * a declared body length over the bound (413, nothing read), the credential (admin key: 401, or
 * 429 for an address that sent too many wrong keys, the right key always passing; agent token:
 * 401, then the agent's rate limit, 429), and only then the body, read up to the bound (413) and
 * parsed (415, 400). No body is parsed for an unauthenticated caller.
 */
@RestController
public class TokenController {

    static final String ADMIN_REALM = "tollgate-admin";
    static final String AGENT_REALM = "tollgate";
    static final String ADMIN_KEY_SETTINGS = "TOLLGATE_ADMIN_KEY or TOLLGATE_ADMIN_KEY_FILE";
    /** What a revocation's body may hold. */
    static final Set<String> REVOKE_FIELDS = Set.of("agent", "environment", "token-id",
            "reason");
    /** /token/rotate takes no body; anything declared longer is refused unread. */
    static final int ROTATE_MAX_BYTES = 1024;

    private static final Logger log = LoggerFactory.getLogger(TokenController.class);

    private final TokenService tokens;
    private final RateLimits rateLimits;
    private final AdminGate admin;
    private final AdminTokens adminTokens;
    private final RefusalCounter refusals;
    private final OriginPolicy origins;
    private final int maxAdminBytes;
    private final Duration bodyTimeout;
    private final PolicyGrants grants;

    /** An admin request let through, by whom; or the answer refusing it. */
    private record AdminCheck(AdminPrincipal principal,
            Optional<ResponseEntity<Map<String, Object>>> refusal) {

        static AdminCheck refused(ResponseEntity<Map<String, Object>> answer) {
            return new AdminCheck(null, Optional.of(answer));
        }
    }

    public TokenController(TokenService tokens, RateLimits rateLimits, AdminGate admin,
            AdminTokens adminTokens, OriginPolicy origins,
            dev.tollgate.ingress.config.IngressProperties properties, RefusalCounter refusals,
            PolicyGrants grants) {
        this.grants = grants;
        this.refusals = refusals;
        this.adminTokens = adminTokens;
        this.tokens = tokens;
        this.rateLimits = rateLimits;
        this.admin = admin;
        this.origins = origins;
        this.maxAdminBytes = properties.getMaxAdminRequestBytes();
        this.bodyTimeout = properties.getBodyTimeout();
    }

    @PostMapping(path = "/admin/tokens", produces = "application/json")
    public ResponseEntity<Map<String, Object>> issue(HttpServletRequest request)
            throws PublishFailedException, IOException {
        AdminCheck admitted = checkAdmin(request, AdminRole.MINT);
        if (admitted.refusal().isPresent()) {
            return admitted.refusal().get();
        }
        Map<String, Object> body = adminBody(request);
        if (body == null) {
            throw new InvalidTokenRequestException("body must be a JSON object like "
                    + "{\"agent\": \"bot-1\", \"environment\": \"dev\", \"expires-in\": 3600}");
        }
        GatewayTokens.Minted minted = tokens.issue(body, admitted.principal().actor(),
                request.getRemoteAddr());
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(tokenBody(
                minted));
    }

    @PostMapping(path = "/admin/tokens/revoke", produces = "application/json")
    public ResponseEntity<Map<String, Object>> revoke(HttpServletRequest request)
            throws PublishFailedException, IOException {
        AdminCheck admitted = checkAdmin(request, AdminRole.REVOKE);
        if (admitted.refusal().isPresent()) {
            return admitted.refusal().get();
        }
        String actor = admitted.principal().actor();
        Map<String, Object> body = adminBody(request);
        if (body != null) {
            for (String key : body.keySet()) {
                if (!REVOKE_FIELDS.contains(key)) {
                    throw new InvalidTokenRequestException("unknown field '" + key
                            + "'; expected agent (with environment) or token-id, and reason");
                }
            }
        }
        Object agent = body == null ? null : body.get("agent");
        Object tokenId = body == null ? null : body.get("token-id");
        Object reason = body == null ? null : body.get("reason");
        boolean scoped = body != null && body.containsKey("environment");
        String why = reason instanceof String s && s.length() <= 500 ? s : null;
        Map<String, Object> answer = new LinkedHashMap<>();
        if (tokenId instanceof String id && agent == null) {
            if (scoped) {
                throw new InvalidTokenRequestException("environment applies to revoking an"
                        + " agent; a token-id names one token family, in the environment it was"
                        + " issued for");
            }
            answer.put("revoked-token-id", id);
            answer.put("effective-at", tokens.revokeToken(id, null, why, actor, request
                    .getRemoteAddr()).getEpochSecond());
        } else if (agent instanceof String a && tokenId == null) {
            // validated before anything is revoked: a bad name changes nothing
            String environment = scoped ? environment(body.get("environment")) : null;
            Instant at = tokens.revokeAgent(a, environment, why, actor, request
                    .getRemoteAddr());
            answer.put("revoked-agent", a);
            answer.put("environment", environment);
            answer.put("applies-to", environment == null
                    ? "every environment"
                    : "environment " + environment + " only");
            answer.put("effective-at", at.getEpochSecond());
        } else {
            throw new InvalidTokenRequestException("body must name exactly one of "
                    + "\"agent\" (revokes all its tokens: in \"environment\" if given, else in"
                    + " every environment) or \"token-id\" (revokes that token and every"
                    + " rotation of its family)");
        }
        return ResponseEntity.ok(answer);
    }

    /**
     * {@code GET /admin/agents?agent=A&environment=E} (role {@code tollgate:read}, or the admin
     * key): what this gateway knows of an agent right now: whether it was revoked as a whole and
     * when, in that environment or in every environment (the later of the two), the policy
     * version in force and the grants that cover it in that environment, with the tools they
     * allow (the same view the agent's own {@code status} shows). Reads nothing
     * from Kafka and changes nothing; an agent no grant names gets empty grants, not an error.
     */
    @GetMapping(path = "/admin/agents", produces = "application/json")
    public ResponseEntity<Map<String, Object>> agent(HttpServletRequest request,
            @RequestParam(name = "agent", required = false) String agent,
            @RequestParam(name = "environment", required = false) String environment) {
        AdminCheck admitted = checkAdmin(request, AdminRole.READ);
        if (admitted.refusal().isPresent()) {
            return admitted.refusal().get();
        }
        if (!TokenRules.isAgentId(agent) || !TokenRules.isEnvironment(environment)) {
            throw new InvalidTokenRequestException("name an agent and an environment: "
                    + "?agent=<1 to 128 letters, digits, '.', '_', '@', ':', '/' or '-'>"
                    + "&environment=<an environment name>");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent", agent);
        body.put("environment", environment);
        Optional<RevocationList.Revoked> revoked = tokens.revocations().agentRevokedAt(
                new AgentPrincipal(environment, agent));
        body.put("revoked_at", revoked.map(r -> r.at().toString()).orElse(null));
        body.put("revoked_in", revoked.map(r -> r.everyEnvironment()
                ? "every environment"
                : environment).orElse(null));
        Optional<PolicyGrants.InForce> policy = grants.inForce();
        body.put("policy_version", policy.map(PolicyGrants.InForce::version).orElse(null));
        body.put("grants", policy.isEmpty()
                ? "not known yet to this gateway replica: the decision workers have not "
                        + "published their policy"
                : grants.grantsOf(agent, environment, List.of()).orElse(List.of()).stream().map(
                        grant -> PolicyGrants.view(grant, Set.of())).toList());
        log.info("{} read what the gateway knows of agent {} ({})", admitted.principal().actor(),
                AdminGate.printable(agent), AdminGate.printable(environment));
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(body);
    }

    @PostMapping(path = "/token/rotate", produces = "application/json")
    public ResponseEntity<Map<String, Object>> rotate(HttpServletRequest request)
            throws PublishFailedException {
        Optional<ResponseEntity<Map<String, Object>>> hostRefusal = checkHost(request);
        if (hostRefusal.isPresent()) {
            count(request, "host_not_allowed", null, hostRefusal.get());
            return hostRefusal.get();
        }
        RequestBodies.checkDeclaredLength(request, ROTATE_MAX_BYTES,
                "/token/rotate takes no body");
        String presented = Bearer.token(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (presented == null) {
            return count(request, "credential_missing", null, ApiError.unauthorized(AGENT_REALM,
                    null, "send your gateway token as Authorization: Bearer <token>"));
        }
        AgentIdentity identity;
        try {
            identity = tokens.authenticate(presented);
        } catch (TokenRejectedException e) {
            return count(request, "credential_invalid", null, ApiError.unauthorized(AGENT_REALM,
                    "invalid_token", e.getMessage()));
        } catch (TokenService.RevocationsUnavailableException e) {
            return count(request, "revocations_unavailable", null, ResponseEntity.status(
                    HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5").body(
                            dev.tollgate.runtime.web.ErrorResponses.body(
                                    "revocations_unavailable", e.getMessage())));
        }
        if (!identity.isGatewayToken()) {
            return ApiError.of(HttpStatus.BAD_REQUEST, "not_a_gateway_token", "only gateway"
                    + " tokens are rotated here; renew a workload identity token at its issuer");
        }
        Optional<Duration> wait = rateLimits.agent(identity.principal()).or(() -> rateLimits
                .rotation(identity.principal()));
        if (wait.isPresent()) {
            return count(request, "rate_limited", identity.agentId(), identity.environment(),
                    ApiError.tooManyRequests(wait.get()));
        }
        GatewayTokens.Minted minted;
        try {
            minted = tokens.rotate(identity, request.getRemoteAddr());
        } catch (RotationRefusedException e) {
            return ApiError.of(HttpStatus.CONFLICT, "token_already_rotated", e.getMessage());
        } catch (TokenRejectedException e) {
            return ApiError.unauthorized(AGENT_REALM, "invalid_token", e.getMessage());
        }
        return ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(tokenBody(
                minted));
    }

    private Optional<ResponseEntity<Map<String, Object>>> checkHost(HttpServletRequest request) {
        return origins.refusal(request.getHeader(HttpHeaders.HOST), request.getHeader(
                HttpHeaders.ORIGIN)).map(
                        reason -> ApiError.of(HttpStatus.FORBIDDEN,
                                "host_not_allowed", reason));
    }

    /**
     * Lets an admin request through, or says why not. A bearer token claiming to come from an
     * admin issuer is checked as that issuer's and must carry {@code role}; anything else is
     * compared with the shared admin key, which may do everything and, once admins have their own
     * identities, is a break-glass credential: each use is logged as such and recorded on the
     * events it causes. A refused credential of either kind counts against the client's address;
     * a valid one is never throttled by others' failures.
     */
    private AdminCheck checkAdmin(HttpServletRequest request, AdminRole role) {
        Optional<ResponseEntity<Map<String, Object>>> hostRefusal = checkHost(request);
        if (hostRefusal.isPresent()) {
            return AdminCheck.refused(count(request, "host_not_allowed", null, hostRefusal
                    .get()));
        }
        RequestBodies.checkDeclaredLength(request, maxAdminBytes,
                "tollgate.ingress.max-admin-request-bytes");
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        String presented = Bearer.token(authorization);
        if (presented != null && adminTokens.claims(presented)) {
            AdminPrincipal principal;
            try {
                principal = adminTokens.verify(presented);
            } catch (JwtRejectedException e) {
                AdminGate.Verdict verdict = admin.failure(request.getRemoteAddr(), true);
                return AdminCheck.refused(verdict.outcome() == AdminGate.Outcome.THROTTLED
                        ? count(request, "rate_limited", null, admin.refusal(verdict))
                        : count(request, "credential_invalid", null, ApiError.unauthorized(
                                ADMIN_REALM, "invalid_token", "admin token refused: " + e
                                        .getMessage())));
            }
            if (!principal.may(role)) {
                return AdminCheck.refused(count(request, "insufficient_role", principal.actor(),
                        ApiError.of(HttpStatus.FORBIDDEN, "insufficient_role", principal.actor()
                                + " lacks the role " + role.claimValue()
                                + " (in the token's roles claim)")));
            }
            return new AdminCheck(principal, Optional.empty());
        }
        AdminGate.Verdict verdict = admin.check(authorization, request.getRemoteAddr());
        if (!verdict.accepted()) {
            return AdminCheck.refused(count(request, switch (verdict.outcome()) {
                case MISSING -> "credential_missing";
                case THROTTLED -> "rate_limited";
                case NOT_CONFIGURED -> "admin_disabled";
                default -> "credential_invalid";
            }, null, admin.refusal(verdict)));
        }
        AdminPrincipal principal = AdminPrincipal.adminKey(!adminTokens.isEmpty());
        if (principal.breakGlass()) {
            log.warn("break-glass: the shared admin key was used from {} for {} {}; admins have"
                    + " their own identities (tollgate.ingress.oidc.admin-issuers)",
                    AdminGate.printable(
                            request.getRemoteAddr()),
                    request.getMethod(), request
                            .getRequestURI());
        }
        return new AdminCheck(principal, Optional.empty());
    }

    /** The environment a revocation names; a missing or malformed one is refused (400). */
    private static String environment(Object value) {
        if (!(value instanceof String s) || !TokenRules.isEnvironment(s)) {
            throw new InvalidTokenRequestException("environment must be an environment name: 1"
                    + " to 63 lower-case letters, digits, '_' or '-' (e.g. dev, ci, prod); leave"
                    + " the field out to revoke the agent in every environment");
        }
        return s;
    }

    private Map<String, Object> adminBody(HttpServletRequest request) throws IOException {
        return RequestBodies.jsonObject(request, maxAdminBytes,
                "tollgate.ingress.max-admin-request-bytes", bodyTimeout);
    }

    private static Map<String, Object> tokenBody(GatewayTokens.Minted minted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", minted.token());
        body.put("expires-at", minted.identity().expiresAt().getEpochSecond());
        body.put("token-id", minted.identity().tokenId());
        body.put("agent", minted.identity().agentId());
        body.put("environment", minted.identity().environment());
        body.put("family-expires-at", minted.identity().family().expiresAt().getEpochSecond());
        return body;
    }

    @ExceptionHandler(InvalidTokenRequestException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidTokenRequestException e) {
        return ApiError.of(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage());
    }

    @ExceptionHandler(RequestBodies.TooLargeException.class)
    ResponseEntity<Map<String, Object>> tooLarge(RequestBodies.TooLargeException e,
            HttpServletRequest request) {
        return count(request, "body_too_large", null, ApiError.of(HttpStatus.CONTENT_TOO_LARGE,
                "payload_too_large", e.getMessage()));
    }

    /**
     * Counts a refusal at the door for the audit ({@code gateway.refusals}) and returns the
     * answer; the detail is the message the caller is told (never a credential).
     */
    private ResponseEntity<Map<String, Object>> count(HttpServletRequest request, String reason,
            String who, ResponseEntity<Map<String, Object>> answer) {
        return count(request, reason, who, null, answer);
    }

    /** As above, for an agent whose credential held, in its environment. */
    private ResponseEntity<Map<String, Object>> count(HttpServletRequest request, String reason,
            String who, String environment, ResponseEntity<Map<String, Object>> answer) {
        Object message = answer.getBody() == null ? null : answer.getBody().get("message");
        refusals.refused(request.getRequestURI().startsWith("/admin")
                ? RefusalCounter.ADMIN
                : RefusalCounter.ROTATE, reason, request.getRemoteAddr(), who, environment,
                message == null ? null : message.toString());
        return answer;
    }

    /**
     * A body that did not arrive in time: 408; the unread-body valve closes the connection, so
     * what had not arrived of it is never read.
     */
    @ExceptionHandler(RequestBodies.TooSlowException.class)
    ResponseEntity<Map<String, Object>> tooSlow(RequestBodies.TooSlowException e,
            HttpServletRequest request) {
        return count(request, "body_timeout", null, ResponseEntity.status(
                HttpStatus.REQUEST_TIMEOUT).body(
                        dev.tollgate.runtime.web.ErrorResponses.body("body_timeout", e
                                .getMessage())));
    }

    @ExceptionHandler(RequestBodies.NotJsonException.class)
    ResponseEntity<Map<String, Object>> mediaType(RequestBodies.NotJsonException e) {
        return ApiError.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request", e.getMessage());
    }

    @ExceptionHandler(PublishFailedException.class)
    ResponseEntity<Map<String, Object>> unavailable(PublishFailedException e) {
        return ApiError.of(HttpStatus.SERVICE_UNAVAILABLE, "audit_unavailable",
                "the change could not be recorded on Kafka, so it was not made visible; retry "
                        + "when Kafka is reachable");
    }
}
