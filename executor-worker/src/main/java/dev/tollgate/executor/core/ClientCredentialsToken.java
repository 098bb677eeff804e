package dev.tollgate.executor.core;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * An OAuth 2.0 access token obtained with the client-credentials grant (RFC 6749 §4.4; the client
 * authenticates with {@code client_secret_post}), as JIRA Cloud and Data Center service accounts
 * are given: held in memory, renewed a minute before it expires (half its lifetime if that is
 * shorter; five minutes when the endpoint gives none), and once more when the forge answers 401
 * to it. One request at a time goes to the token endpoint; calls holding a live token never wait
 * for it. There is no refresh token to keep: a restart asks again with the client's credentials.
 *
 * <p>When no token can be had the call fails before anything is sent to the forge, classified:
 * the endpoint unreachable, answering 5xx or 429 is retryable ({@code transient},
 * {@code rate_limited}); refusing the client, its scope, or answering something that is not a
 * bearer token is {@code unauthorized}, naming the settings to check. The endpoint's own words
 * never reach the agent, only its standard error code. A failure is answered again, without
 * asking, until its {@code Retry-After} or for five seconds: calls do not queue to ask an
 * endpoint that is down or refusing one after another.
 */
public final class ClientCredentialsToken implements HostCredential {

    /** How long before its expiry a token is renewed (at most half its lifetime). */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(1);
    /** How long a token without {@code expires_in} is used before asking again. */
    static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(5);
    /**
     * A token issued this recently that the forge refuses is not renewed again at once: the
     * client itself lacks the access, and asking the endpoint on every call would not change it.
     */
    static final Duration FRESH = Duration.ofSeconds(10);
    /** How long a failure of the endpoint without a retry time is answered without asking. */
    static final Duration QUIET_AFTER_FAILURE = Duration.ofSeconds(5);
    /** RFC 6749 §5.2's error codes: the only words of the endpoint an agent may read. */
    private static final Set<String> STANDARD_ERRORS = Set.of("invalid_request",
            "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
            "invalid_scope");

    /**
     * The client, as configured.
     *
     * @param scope the scopes to ask for, space-separated; null to ask for none (the endpoint's
     *        default: a JIRA Cloud service account's credential has its scopes fixed)
     */
    public record Client(URI tokenUrl, String clientId, String clientSecret, String scope) {

        public Client {
            Objects.requireNonNull(tokenUrl, "tokenUrl");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
        }

        @Override
        public String toString() {
            return "Client[" + clientId + " at " + tokenUrl + ", secret redacted]";
        }
    }

    private record Held(GitHubRequest.Credential credential, Instant issued, Instant renewAt) {
    }

    private final Client client;
    private final TokenExchange exchange;
    private final Function<String, GitHubRequest.Credential> asCredential;
    /** Who answers, for messages: "JIRA's token endpoint (auth.atlassian.com)". */
    private final String endpointName;
    /** The settings that configure the client, for messages: "tollgate.jira.oauth". */
    private final String settings;
    private final Clock clock;
    private final ReentrantLock asking = new ReentrantLock();
    private volatile Held held;
    /** The endpoint's last failure, answered again until {@code failedUntil}; null after a token. */
    private GitHubError failure;
    private Instant failedUntil;

    /**
     * @param asCredential what a call carries for an access token (a bearer credential)
     * @param forgeName whose endpoint it is, for messages ("JIRA")
     * @param settings the settings' prefix, for messages ("tollgate.jira.oauth")
     */
    public ClientCredentialsToken(Client client, TokenExchange exchange,
            Function<String, GitHubRequest.Credential> asCredential, String forgeName,
            String settings, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.exchange = Objects.requireNonNull(exchange, "exchange");
        this.asCredential = Objects.requireNonNull(asCredential, "asCredential");
        this.endpointName = forgeName + "'s token endpoint (" + client.tokenUrl().getHost() + ")";
        this.settings = settings;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public GitHubRequest.Credential current() {
        Held now = held;
        if (now != null && clock.instant().isBefore(now.renewAt())) {
            return now.credential();
        }
        asking.lock();
        try {
            now = held;
            if (now != null && clock.instant().isBefore(now.renewAt())) {
                return now.credential();
            }
            held = ask();
            return held.credential();
        } finally {
            asking.unlock();
        }
    }

    @Override
    public Optional<GitHubRequest.Credential> refreshAfterUnauthorized(
            GitHubRequest.Credential refused) {
        asking.lock();
        try {
            Held now = held;
            if (now != null && now.credential() != refused) {
                return Optional.of(now.credential()); // renewed meanwhile
            }
            if (now != null && clock.instant().isBefore(now.issued().plus(FRESH))) {
                return Optional.empty(); // just issued and already refused: asking again won't help
            }
            held = ask();
            return Optional.of(held.credential());
        } finally {
            asking.unlock();
        }
    }

    /**
     * Asks the endpoint for a token, unless it failed a moment ago: then that failure is answered
     * again until {@link #failedUntil} (its retry time, else {@link #QUIET_AFTER_FAILURE}), so an
     * endpoint that is down or refusing is not asked by every call in turn. Called locked.
     */
    private Held ask() {
        if (failure != null && clock.instant().isBefore(failedUntil)) {
            throw new GitHubCallException(failure);
        }
        try {
            Held fresh = askNow();
            failure = null;
            return fresh;
        } catch (GitHubCallException e) {
            failure = e.error();
            failedUntil = e.error().retryAt().filter(at -> at.isAfter(clock.instant())).orElse(
                    clock.instant().plus(QUIET_AFTER_FAILURE));
            throw e;
        }
    }

    /** Asks the endpoint for a token; anything but one is thrown, classified. */
    private Held askNow() {
        TokenRequest request = new TokenRequest(client.tokenUrl(), new ClientSecretPost(
                new ClientID(client.clientId()), new Secret(client.clientSecret())),
                new ClientCredentialsGrant(), client.scope() == null || client.scope().isBlank()
                        ? null
                        : Scope.parse(client.scope()));
        HTTPRequest http = request.toHTTPRequest();
        Instant sent = clock.instant();
        TokenExchange.Answer answer;
        try {
            answer = exchange.post(client.tokenUrl(), http.getHeaderMap(), http.getBody());
        } catch (IOException e) {
            String what = e instanceof java.net.SocketTimeoutException
                    ? " did not answer the token request in time"
                    : " could not be reached for an access token";
            throw refused(ErrorClass.TRANSIENT, 0, endpointName + what + "; nothing was sent",
                    null);
        }
        return read(answer, sent);
    }

    private Held read(TokenExchange.Answer answer, Instant sent) {
        int status = answer.status();
        if (status == 429) {
            Instant retryAt = ErrorClassifier.retryAfter(answer.headers(), clock.instant())
                    .orElse(clock.instant().plus(Duration.ofMinutes(1)));
            throw refused(ErrorClass.RATE_LIMITED, status, endpointName + " is limiting the"
                    + " rate of token requests; nothing was sent", retryAt);
        }
        if (status >= 500 || status == 408) {
            throw refused(ErrorClass.TRANSIENT, status, endpointName + " answered HTTP " + status
                    + " to the token request; nothing was sent",
                    ErrorClassifier.retryAfter(
                            answer.headers(), clock.instant()).orElse(null));
        }
        TokenResponse parsed;
        try {
            HTTPResponse http = new HTTPResponse(status);
            answer.headers().first("content-type").ifPresent(type -> {
                try {
                    http.setContentType(type);
                } catch (ParseException e) {
                    // left unset: the body is then not read as JSON, and refused below
                }
            });
            http.setBody(answer.body());
            parsed = TokenResponse.parse(http);
        } catch (ParseException | RuntimeException e) {
            throw notATokenResponse(status);
        }
        if (!parsed.indicatesSuccess()) {
            TokenErrorResponse error = parsed.toErrorResponse();
            Optional<String> standard = Optional.ofNullable(error.getErrorObject()).map(
                    ErrorObject::getCode).filter(STANDARD_ERRORS::contains);
            if (standard.isEmpty() && status != 400 && status != 401 && status != 403) {
                throw notATokenResponse(status);
            }
            String code = standard.orElse("HTTP " + status);
            throw refused(ErrorClass.UNAUTHORIZED, status, endpointName + " refused the client"
                    + " credentials (" + code + "): check " + settings + ".client-id, "
                    + settings + ".client-secret-file" + (client.scope() == null
                            ? ""
                            : " and "
                                    + settings + ".scope")
                    + "; nothing was sent", null);
        }
        AccessTokenResponse success = parsed.toSuccessResponse();
        AccessToken token = success.getTokens().getAccessToken();
        if (token == null || !AccessTokenType.BEARER.equals(token.getType())) {
            throw refused(ErrorClass.UNAUTHORIZED, status, endpointName + " answered a token"
                    + " that is not a bearer token; nothing was sent", null);
        }
        if (token.getLifetime() <= 0) {
            // no lifetime stated: used for a lifetime of our own, then asked for again
            return new Held(asCredential.apply(token.getValue()), sent, sent.plus(
                    UNSTATED_LIFETIME));
        }
        Duration lifetime = Duration.ofSeconds(token.getLifetime());
        Duration early = RENEW_BEFORE.compareTo(lifetime.dividedBy(2)) < 0
                ? RENEW_BEFORE
                : lifetime.dividedBy(2);
        return new Held(asCredential.apply(token.getValue()), sent, sent.plus(lifetime).minus(
                early));
    }

    private GitHubCallException notATokenResponse(int status) {
        return refused(ErrorClass.UNAUTHORIZED, status, endpointName + " answered HTTP " + status
                + ", not an OAuth 2.0 token response: check " + settings + ".token-url; nothing"
                + " was sent", null);
    }

    private static GitHubCallException refused(ErrorClass errorClass, int status, String message,
            Instant retryAt) {
        return new GitHubCallException(GitHubError.of(errorClass, status, message, retryAt));
    }

    @Override
    public String toString() {
        return "ClientCredentialsToken[" + client + "]";
    }
}
