package dev.tollgate.executor.resilience;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.ErrorClassifier;
import dev.tollgate.executor.core.ForwardingTransport;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLHandshakeException;

/**
 * Retries, circuit breakers and write pacing around the plain transport. Retries (Resilience4j
 * {@link Retry}) happen only for retryable classes, waiting as {@link RetryPolicy} says; the waits
 * run on an injected scheduler, so tests record them instead of sleeping. A write is retried only
 * when GitHub provably did not perform it (a rate limit refusal, a connection never made); a write
 * that may have happened is reported, not repeated.
 *
 * <p>One agent must not degrade the others, so each failure opens only the breaker it says
 * something about:
 * <ul>
 * <li><b>The host's breaker</b> counts only failures no agent can cause: no connection could be
 * made to GitHub at all (refused, unresolvable, unroutable, a failed TLS handshake). When it opens,
 * every call to the host is paused: GitHub is down or unreachable.
 * <li><b>The caller's breaker</b>, one per installation and agent ({@link GitHubRequest.Caller}),
 * counts what an agent's own calls can provoke: 5xx and 408 answers (an expensive endpoint, one
 * repository GitHub fails on), timeouts and connections cut mid-exchange. When it opens, only that
 * agent's calls on that installation are paused; other agents and installations go on.
 * </ul>
 * Any HTTP answer tells the host's breaker that GitHub is reachable. Caller breakers are created
 * on first use and the least recently used are forgotten beyond {@link #MAX_CALLER_BREAKERS}.
 * Writes take a slot of the installation's {@link WritePacer}, in turn by agent.
 *
 * <p>The one redirect followed by hand (a job's log, {@link #fetchRedirect}) is fetched once, never
 * retried, from another host: GitHub's log storage, at a signed URL. Its failures say nothing about
 * GitHub's API, so they count on neither breaker above (a broken log store would otherwise pause
 * every tool's calls, or an agent's); but the store must not hold the replica either, so it has
 * guards of its own:
 * <ul>
 * <li>a <b>bulkhead</b> ({@link #fetchingRedirectsWithin}; {@link #DEFAULT_REDIRECTS_AT_ONCE}
 * unless told, a quarter of the replica's calls in flight in the application): a store that hangs
 * holds that many call slots, each until the call's timeout, never all of them; one more fetch is
 * refused at once ({@code transient}) rather than wait holding its slot;
 * <li>a <b>breaker of the store</b> ({@link #storageBreaker}), counting timeouts, broken or
 * refused connections and 5xx/408 answers, which when open answers {@code upstream_unavailable}
 * without fetching, and before the logs URL is even called ({@link #redirectRefusal}). One
 * breaker, not one per agent: an agent chooses a job, not where GitHub stores its log or how that
 * store fares; a log too large is refused by its length ({@code result_too_large}), and a
 * redirect refused by where it leads (a name there resolving to a local address included) is not
 * fetched, so neither counts.
 * </ul>
 * Both guards' refusals reach no host: they are reported to
 * {@link #reportingRedirectRefusals}'s listener (the metrics).
 */
public final class ResilientTransport extends ForwardingTransport {

    /** Caller breakers kept at most; the least recently used closed or open one is dropped. */
    static final int MAX_CALLER_BREAKERS = 10_000;
    /** Job logs fetched at once unless told: a quarter of the default calls in flight (64). */
    public static final int DEFAULT_REDIRECTS_AT_ONCE = 16;
    /**
     * The tag (Resilience4j's, on each breaker made here) that says which breaker it is, for the
     * metrics: {@link #HOST_BREAKER}, {@link #CALLER_BREAKER} or {@link #LOG_STORAGE_BREAKER}.
     */
    public static final String BREAKER_TAG = "breaker";
    /** A host's breaker: GitHub's (the executor's or the installation sync's) or a forge's. */
    public static final String HOST_BREAKER = "host";
    /** One installation and agent's breaker. */
    public static final String CALLER_BREAKER = "caller";
    /** The breaker of the log storage GitHub redirects job logs to. */
    public static final String LOG_STORAGE_BREAKER = "log_storage";

    /** Why a job log was not fetched, by this transport's own guards (for the metrics). */
    public enum RedirectRefusal {
        /** The log storage's breaker is open. */
        BREAKER_OPEN("breaker_open"),
        /** As many job logs are being fetched as the bulkhead allows. */
        BULKHEAD_FULL("bulkhead_full");

        private final String tag;

        RedirectRefusal(String tag) {
            this.tag = tag;
        }

        /** How the metrics' {@code status} tag says it. */
        public String tag() {
            return tag;
        }
    }

    private final String host;
    private final RetryPolicy policy;
    private final CircuitBreaker breaker;
    private final WritePacer pacer;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration openWait;
    private final Map<String, CircuitBreaker> callerBreakers = new LinkedHashMap<>(16, 0.75f,
            true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CircuitBreaker> eldest) {
            return size() > MAX_CALLER_BREAKERS;
        }
    };
    private volatile UnaryOperator<CircuitBreaker> watcher = UnaryOperator.identity();
    private volatile Bulkhead redirects;
    private volatile Consumer<RedirectRefusal> refusals = refusal -> {
    };
    /** The log storage's breaker, made on the first redirect (most transports never follow one). */
    private CircuitBreaker storageBreaker;

    public ResilientTransport(GitHubTransport delegate, String host, RetryPolicy policy,
            CircuitBreaker breaker, Duration openWait, WritePacer pacer,
            ScheduledExecutorService scheduler, Clock clock) {
        super(delegate);
        this.host = host;
        this.policy = policy;
        this.breaker = breaker;
        this.openWait = openWait;
        this.pacer = pacer;
        this.scheduler = scheduler;
        this.clock = clock;
        this.redirects = redirectBulkhead(DEFAULT_REDIRECTS_AT_ONCE);
    }

    /**
     * Fetches redirects (job logs) within {@code bulkhead}: at most as many at once as it allows;
     * more are refused at once, {@code transient}, rather than wait holding a call slot. A
     * replica's transports share one ({@link #redirectBulkhead(int)}), since they share its slots.
     */
    public ResilientTransport fetchingRedirectsWithin(Bulkhead bulkhead) {
        this.redirects = Objects.requireNonNull(bulkhead, "bulkhead");
        return this;
    }

    /**
     * Tells {@code report} of every job log its guards refused to fetch (the store's breaker
     * open, the bulkhead full), the refusal asked for before the logs URL is called included:
     * they reach no host, so no timing of a fetch sees them.
     */
    public ResilientTransport reportingRedirectRefusals(Consumer<RedirectRefusal> report) {
        this.refusals = Objects.requireNonNull(report, "report");
        return this;
    }

    /** A bulkhead for {@link #fetchingRedirectsWithin}: {@code atOnce} fetches, no waiting. */
    public static Bulkhead redirectBulkhead(int atOnce) {
        if (atOnce < 1) {
            throw new IllegalArgumentException("at least one redirect at once, not " + atOnce);
        }
        return Bulkhead.of("github log storage", BulkheadConfig.custom().maxConcurrentCalls(
                atOnce).maxWaitDuration(Duration.ZERO).build());
    }

    /** The breaker of the log storage GitHub redirects to (created if it does not exist yet). */
    public CircuitBreaker storageBreaker() {
        synchronized (callerBreakers) {
            if (storageBreaker == null) {
                storageBreaker = watcher.apply(breaker("github-" + host + " log storage",
                        LOG_STORAGE_BREAKER, openWait, clock));
            }
            return storageBreaker;
        }
    }

    /** Hands every caller breaker, when it is created, to {@code watcher} (metrics). */
    public ResilientTransport watchingBreakers(UnaryOperator<CircuitBreaker> watcher) {
        this.watcher = watcher;
        return this;
    }

    /** The host's breaker: opens when GitHub cannot be reached at all. */
    public CircuitBreaker hostBreaker() {
        return breaker;
    }

    /** The breaker of one installation and agent's calls (created if it does not exist yet). */
    public CircuitBreaker breakerOf(GitHubRequest.Caller caller) {
        synchronized (callerBreakers) {
            return callerBreakers.computeIfAbsent(caller.key(), key -> watcher.apply(breaker(
                    "github-" + host + " (" + key + ")", CALLER_BREAKER, openWait, clock)));
        }
    }

    /** A breaker for one GitHub host: opens at 50% failures over 20 calls, for {@code openWait}. */
    public static CircuitBreaker breakerFor(String host, Duration openWait, Clock clock) {
        return breakerNamed("github-" + host, openWait, clock);
    }

    /** A breaker as {@link #breakerFor}'s, named {@code name} (another forge's host). */
    public static CircuitBreaker breakerNamed(String name, Duration openWait, Clock clock) {
        return breaker(name, HOST_BREAKER, openWait, clock);
    }

    /** The breaker of every kind: 50% failures over 20 calls, tagged with its {@code kind}. */
    private static CircuitBreaker breaker(String name, String kind, Duration openWait,
            Clock clock) {
        return CircuitBreaker.of(name, CircuitBreakerConfig.custom().clock(clock)
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20).minimumNumberOfCalls(10).failureRateThreshold(50)
                .waitDurationInOpenState(openWait).permittedNumberOfCallsInHalfOpenState(2)
                .build(), Map.of(BREAKER_TAG, kind));
    }

    /** One attempt's outcome; never thrown, so the retry decides on results alone. */
    private record Attempt(GitHubResponse response, IOException failure, GitHubError refused,
            Optional<Duration> retryAfter) {
    }

    @Override
    public GitHubResponse send(GitHubRequest request) throws IOException {
        AtomicInteger count = new AtomicInteger();
        Retry retry = Retry.of("github-" + host, RetryConfig.<Attempt>custom().maxAttempts(Math
                .max(1, policy.maxAttempts())).retryOnResult(
                        attempt -> attempt.retryAfter()
                                .isPresent())
                .intervalBiFunction((n, either) -> either.isRight()
                        ? either.get().retryAfter().orElse(Duration.ZERO).toMillis()
                        : 0L)
                .failAfterMaxAttempts(false).build());
        CompletableFuture<Attempt> result = retry.executeCompletionStage(scheduler,
                () -> CompletableFuture.completedFuture(attempt(request, count.incrementAndGet())))
                .toCompletableFuture();
        Attempt last;
        try {
            last = result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while retrying a GitHub call");
        } catch (ExecutionException e) {
            throw new IOException("GitHub call failed: " + e.getCause(), e.getCause());
        }
        if (last.refused() != null) {
            throw new GitHubCallException(last.refused());
        }
        if (last.failure() != null) {
            throw last.failure();
        }
        return last.response().withAttempts(count.get());
    }

    private Attempt attempt(GitHubRequest request, int number) {
        GitHubRequest.Caller caller = request.caller();
        // Every write is paced, a forge's too (its host's own credential, no installation: one
        // lane per host, since each host has a transport and a pacer of its own), taken in turn
        // by agent; only the token mint, safe to repeat and the App's own, is not.
        if (request.isWrite() && !request.safeToRepeat()) {
            long lane = request.credential() instanceof GitHubRequest.Credential.Token t
                    ? t.token().scope().installationId()
                    : caller.installationId();
            try {
                Optional<GitHubError> refused = pacer.acquire(lane, caller.agentId());
                if (refused.isPresent()) {
                    return new Attempt(null, null, refused.get(), Optional.empty());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Attempt(null, new InterruptedIOException("interrupted while pacing"),
                        null, Optional.empty());
            }
        }
        if (!breaker.tryAcquirePermission()) {
            return new Attempt(null, null, ErrorClassifier.circuitOpen(host, clock.instant().plus(
                    openWait)), Optional.empty());
        }
        CircuitBreaker own = breakerOf(caller);
        if (!own.tryAcquirePermission()) {
            breaker.releasePermission();
            return new Attempt(null, null, GitHubError.of(ErrorClass.UPSTREAM_UNAVAILABLE, 0,
                    ErrorClassifier.upstream(host) + " has been failing the calls of " + caller
                            .key()
                            + "; they are paused (other agents' calls go on)",
                    clock.instant().plus(openWait)), Optional.empty());
        }
        long start = System.nanoTime();
        try {
            GitHubResponse response = delegate().send(request);
            long elapsed = System.nanoTime() - start;
            breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS); // GitHub answered: it is reachable
            if (response.isSuccess()) {
                own.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                return new Attempt(response, null, null, Optional.empty());
            }
            Instant now = clock.instant();
            GitHubError error = ErrorClassifier.classify(response.status(), response.headers(),
                    response.body(), now);
            if (error.errorClass() == ErrorClass.TRANSIENT) {
                own.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP " + response
                        .status()));
            } else {
                own.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            }
            // A rate-limit refusal means GitHub did nothing; a 5xx on a write may hide a success
            // (a token mint is safe to repeat: see GitHubRequest.safeToRepeat).
            boolean mayHaveHappened = !request.safeToRepeat() && error
                    .errorClass() == ErrorClass.TRANSIENT;
            return new Attempt(response, null, null, policy.delayBeforeRetry(number, error,
                    mayHaveHappened, now));
        } catch (GitHubCallException e) {
            // The executor's own refusal (no room to read the answer): not GitHub's failure, so
            // the breaker neither counts it nor keeps the permission; answered as classified.
            breaker.releasePermission();
            return new Attempt(null, null, e.error(), Optional.empty());
        } catch (IOException e) {
            long elapsed = System.nanoTime() - start;
            if (unreachable(e)) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, e);
                own.releasePermission();
            } else {
                breaker.releasePermission(); // cut mid-exchange: says nothing about the host
                own.onError(elapsed, TimeUnit.NANOSECONDS, e);
            }
            boolean neverSent = e instanceof ConnectException || e instanceof UnknownHostException
                    || e instanceof NoRouteToHostException;
            return new Attempt(null, e, null, policy.delayBeforeRetry(number, ErrorClassifier
                    .classifyFailure(e), !request.safeToRepeat() && !neverSent, clock.instant()));
        }
    }

    /**
     * The one redirect followed by hand (a job's log), once: within the bulkhead and through the
     * log storage's breaker (see the class comment), never counted on this host's or the caller's
     * breaker. A refusal of where it leads, or no room in the response budget, is the executor's
     * own: not counted either.
     */
    @Override
    public GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
            GitHubRequest.Caller caller, ResponseBudget.Account account) throws IOException {
        Bulkhead bulkhead = redirects;
        if (!bulkhead.tryAcquirePermission()) {
            // Waiting would hold the call's slot too: a store that hangs must not take them all.
            refusals.accept(RedirectRefusal.BULKHEAD_FULL);
            throw new GitHubCallException(ErrorClassifier.logFetchesFull(host, bulkhead
                    .getBulkheadConfig().getMaxConcurrentCalls(),
                    clock.instant().plusSeconds(
                            1)));
        }
        try {
            CircuitBreaker storage = storageBreaker();
            if (!storage.tryAcquirePermission()) {
                throw new GitHubCallException(storagePaused());
            }
            long start = System.nanoTime();
            try {
                GitHubResponse response = delegate().fetchRedirect(path, redirect, caller,
                        account);
                long elapsed = System.nanoTime() - start;
                if (response.status() >= 500 || response.status() == 408) {
                    storage.onError(elapsed, TimeUnit.NANOSECONDS, new IOException("HTTP "
                            + response.status()));
                } else {
                    storage.onSuccess(elapsed, TimeUnit.NANOSECONDS); // the store answered
                }
                return response;
            } catch (IOException e) {
                storage.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                throw e;
            } catch (RuntimeException e) {
                storage.releasePermission(); // refused here, nothing fetched: not the store's
                throw e;
            }
        } finally {
            bulkhead.onComplete();
        }
    }

    /**
     * Refuses a job log at once while the log storage's breaker is open, before the logs URL is
     * called: its 302 could not be followed, and the call would spend the installation's rate
     * limit for nothing. The breaker is asked as a fetch would ask it, and its permission given
     * back, so that it still half-opens when its wait is over. A transport that has fetched no
     * log yet has no store breaker to ask.
     */
    @Override
    public Optional<GitHubError> redirectRefusal() {
        CircuitBreaker storage;
        synchronized (callerBreakers) {
            storage = storageBreaker;
        }
        if (storage != null) {
            if (!storage.tryAcquirePermission()) {
                return Optional.of(storagePaused());
            }
            storage.releasePermission();
        }
        return delegate().redirectRefusal();
    }

    /** The store's breaker refused: reported, and answered as the store's pause. */
    private GitHubError storagePaused() {
        refusals.accept(RedirectRefusal.BREAKER_OPEN);
        return ErrorClassifier.logStoragePaused(host, clock.instant().plus(openWait));
    }

    /** No connection could be made at all: GitHub (or the way to it) is down, not one agent. */
    private static boolean unreachable(IOException e) {
        return e instanceof ConnectException || e instanceof UnknownHostException
                || e instanceof NoRouteToHostException || e instanceof SSLHandshakeException;
    }
}
