package dev.tollgate.executor.core;

import dev.tollgate.events.TokenMinted;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The installation-token cache: one token per exact {@link TokenScope}, minted with exactly that
 * scope ({@code repositories} + {@code permissions}), shared by concurrent callers (one mint per
 * scope at a time), refreshed when under 5 minutes are left, held only in this object's memory.
 * Every mint is reported to the mint listener as a {@link TokenMinted} event without the token.
 */
public final class InstallationTokens {

    private static final Logger log = LoggerFactory.getLogger(InstallationTokens.class);

    static {
        // Avro 1.12.2 builds events only from trusted packages; loading the shared codec trusts
        // dev.tollgate.events (builders copy defaults such as empty arrays through that check).
        dev.tollgate.schemas.AvroSingleObjectCodec.shared();
    }
    /** A token with less than this left is replaced before use. */
    public static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String appId;
    private final AppAuthenticator app;
    private final Clock clock;
    private final Consumer<TokenMinted> mintListener;
    private final Optional<String> staticFallback;
    private final Map<TokenScope, InstallationToken> cache = new ConcurrentHashMap<>();
    private final Map<TokenScope, CompletableFuture<InstallationToken>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong mints = new AtomicLong();
    /**
     * Per installation: a mint holds the read lock from its last look at the guard until its
     * token is kept or dropped, and {@link #invalidate} takes the write lock. So a revocation
     * waits for the mints already past that look, and every mint after it sees the revocation:
     * once the guard has dropped an installation's tokens, no request for one is sent to GitHub.
     */
    private final Map<Long, ReadWriteLock> revocations = new ConcurrentHashMap<>();
    private volatile MintGuard guard = MintGuard.NONE;
    private final AtomicLong hits = new AtomicLong();

    public InstallationTokens(String appId, AppAuthenticator app, Clock clock,
            Consumer<TokenMinted> mintListener, Optional<String> staticFallback) {
        this.appId = appId;
        this.app = app;
        this.clock = clock;
        this.mintListener = mintListener;
        this.staticFallback = staticFallback;
        if (staticFallback.isPresent()) {
            log.warn("STATIC TOKEN FALLBACK IS ENABLED: when the GitHub App exchange fails, calls"
                    + " use a long-lived static token that is not down-scoped. Every use is"
                    + " logged and audited. Disable it in production.");
        }
    }

    /**
     * Puts this cache under {@code guard}: checked before any token is handed out and before any
     * mint; the guard may drop an installation's tokens ({@link #invalidate}).
     */
    public InstallationTokens guardedBy(MintGuard guard) {
        this.guard = guard;
        guard.attach(this);
        return this;
    }

    /**
     * Drops every cached token of an installation, after waiting for its mints in flight (which
     * look at the guard again when done, and keep nothing it refuses); returns how many were
     * dropped.
     */
    public int invalidate(long installationId) {
        Lock exclusive = revocation(installationId).writeLock();
        exclusive.lock();
        try {
            int before = cache.size();
            cache.keySet().removeIf(scope -> scope.installationId() == installationId);
            return Math.max(0, before - cache.size());
        } finally {
            exclusive.unlock();
        }
    }

    private ReadWriteLock revocation(long installationId) {
        return revocations.computeIfAbsent(installationId, id -> new ReentrantReadWriteLock());
    }

    /** A token for exactly this scope: the cached one if it has 5 minutes left, else a new one. */
    public InstallationToken get(TokenScope scope, MintContext context) {
        guard.beforeUse(scope, context).ifPresent(refusal -> {
            throw new GitHubCallException(refusal);
        });
        InstallationToken cached = cache.get(scope);
        if (cached != null && fresh(cached)) {
            hits.incrementAndGet();
            return cached;
        }
        CompletableFuture<InstallationToken> mine = new CompletableFuture<>();
        CompletableFuture<InstallationToken> running = inFlight.putIfAbsent(scope, mine);
        if (running != null) {
            return await(running);
        }
        try {
            InstallationToken again = cache.get(scope);
            InstallationToken token = again != null && fresh(again) ? again : mint(scope, context);
            mine.complete(token);
            return token;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(scope, mine);
        }
    }

    /**
     * GitHub refused {@code rejected} (401) right after we used it: drop it, unless another caller
     * has already replaced it, and return a fresh one. Callers retry their call once with it.
     */
    public InstallationToken refreshAfterUnauthorized(InstallationToken rejected,
            MintContext context) {
        cache.remove(rejected.scope(), rejected);
        return get(rejected.scope(), context);
    }

    /** How many tokens this cache has minted (fallback uses not counted). */
    public long mintCount() {
        return mints.get();
    }

    /** How many requests for a token this cache answered without minting. */
    public long hitCount() {
        return hits.get();
    }

    /** Number of scopes with a cached token. */
    public int size() {
        return cache.size();
    }

    private boolean fresh(InstallationToken token) {
        return Duration.between(clock.instant(), token.expiresAt()).compareTo(REFRESH_BEFORE) > 0;
    }

    private InstallationToken mint(TokenScope scope, MintContext context) {
        Lock shared = revocation(scope.installationId()).readLock();
        shared.lock();
        try {
            // again, under the lock: a revocation since get()'s look stops the mint here
            guard.beforeUse(scope, context).ifPresent(refusal -> {
                throw new GitHubCallException(refusal);
            });
            return send(scope, context);
        } finally {
            shared.unlock();
        }
    }

    private InstallationToken send(TokenScope scope, MintContext context) {
        guard.beforeMint(scope, context).ifPresent(refusal -> {
            throw new GitHubCallException(refusal);
        });
        cache.entrySet().removeIf(entry -> !entry.getValue().expiresAt().isAfter(clock
                .instant()));
        ObjectNode body = JSON.createObjectNode();
        scope.repositories().forEach(body.putArray("repositories")::add);
        ObjectNode permissions = body.putObject("permissions");
        scope.permissions().forEach(permissions::put);
        String path = "/app/installations/" + scope.installationId() + "/access_tokens";
        GitHubError failure;
        boolean appCredentialRefused = false;
        try {
            GitHubResponse response = app.send("POST", path, Optional.of(body.toString()),
                    new GitHubRequest.Caller(scope.installationId(), context.agentId()));
            if (response.isSuccess()) {
                InstallationToken token = parse(response, scope);
                cache.put(scope, token);
                mints.incrementAndGet();
                log.info("minted an installation token for installation {} repositories {}"
                        + " permissions {} expiring {}", scope.installationId(),
                        scope
                                .repositories(),
                        scope.permissions(), token.expiresAt());
                mintListener.accept(event(token, context));
                Optional<GitHubError> revoked = guard.beforeUse(scope, context);
                if (revoked.isPresent()) { // revoked while the mint was in flight: not kept
                    cache.remove(scope, token);
                    throw new GitHubCallException(revoked.get());
                }
                return token;
            }
            // 401: GitHub refused the App's own JWT (wrong key or App ID, a clock it still
            // refuses after the skew correction): the exchange itself is broken.
            appCredentialRefused = response.status() == 401;
            failure = refusal(ErrorClassifier.classify(response.status(), response.headers(),
                    response.body(), clock.instant()), scope);
        } catch (IOException e) {
            failure = ErrorClassifier.classifyFailure(e);
        }
        // The static token stands in only when the App cannot authenticate at all; never for a
        // scope the installation does not grant (403/422), a suspended or removed installation
        // (403/404: a revocation), a rate limit or an outage (retryable).
        if (staticFallback.isPresent() && appCredentialRefused) {
            log.warn("GITHUB APP TOKEN EXCHANGE FAILED ({}) for installation {}: USING THE STATIC"
                    + " FALLBACK TOKEN for request {} (not down-scoped; audited)",
                    failure
                            .describe(),
                    scope.installationId(), context.requestId());
            InstallationToken token = new InstallationToken(staticFallback.get(), clock.instant(),
                    scope, true);
            mintListener.accept(event(token, context));
            return token;
        }
        throw new GitHubCallException(failure);
    }

    /**
     * GitHub's refusal to mint, said as what it means for the call: a 403 or 422 on the token
     * request refuses the scope (a permission or repository the installation does not grant, or a
     * suspended installation), a 404 means this App has no such installation. Others unchanged.
     */
    static GitHubError refusal(GitHubError error, TokenScope scope) {
        String what = "a token for installation " + scope.installationId() + " with repositories "
                + scope.repositories() + " and permissions " + scope.permissions();
        if ((error.status() == 403 && error.errorClass() == ErrorClass.FORBIDDEN) || error
                .status() == 422) {
            return new GitHubError(ErrorClass.FORBIDDEN, error.status(), "GitHub refused " + what
                    + " (the installation does not grant it, or is suspended): " + error
                            .message(),
                    java.util.Optional.empty(), error.acceptedPermissions(), error.fieldErrors(),
                    error.documentationUrl());
        }
        if (error.status() == 404) {
            return new GitHubError(ErrorClass.NOT_FOUND, 404, "GitHub knows no installation "
                    + scope.installationId() + " of this App (uninstalled, or another App's): "
                    + error.message(), java.util.Optional.empty(), error.acceptedPermissions(),
                    error.fieldErrors(), error.documentationUrl());
        }
        return error;
    }

    private InstallationToken parse(GitHubResponse response, TokenScope scope) {
        JsonNode root = JSON.readTree(response.body());
        JsonNode token = root.get("token");
        JsonNode expires = root.get("expires_at");
        if (token == null || !token.isString() || token.asString().isEmpty() || expires == null) {
            throw new GitHubCallException(GitHubError.of(ErrorClass.TRANSIENT, response.status(),
                    "GitHub's token answer has no token or expires_at", null));
        }
        return new InstallationToken(token.asString(), Instant.parse(expires.asString()), scope,
                false);
    }

    private TokenMinted event(InstallationToken token, MintContext context) {
        TokenScope scope = token.scope();
        return TokenMinted.newBuilder().setMeta(EventMetas.create(Roles.EXECUTOR_WORKER, context
                .requestId(), clock)).setAppId(appId).setInstallationId(scope.installationId())
                .setRepositories(new ArrayList<>(scope.repositories())).setPermissions(
                        new LinkedHashMap<>(scope.permissions()))
                .setExpiresAt(token.expiresAt())
                .setAgentId(context.agentId()).setEnvironment(context.environment()).setScopeKey(
                        scope.key())
                .setStaticFallback(token.staticFallback()).build();
    }

    private static InstallationToken await(CompletableFuture<InstallationToken> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
