package dev.tollgate.executor.metrics;

import dev.tollgate.executor.core.ForwardingTransport;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InstallationTokens;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.resilience.ResilientTransport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Consumer;

/**
 * The executor's own meters, summed over the replicas (consumers) of this process: GitHub request
 * latency by method and status class ({@code tollgate.github.requests}), the one redirect followed
 * by hand apart from them ({@code tollgate.github.redirects}: a job's log, fetched from GitHub's
 * log storage, another host, so a slow store shows there and not as a slow API), token cache
 * lookups that were answered from the cache ({@code tollgate.tokens.cache.hits}) and circuit breakers by state
 * and by which breaker they are ({@code tollgate.github.circuit.breakers}, 1 per breaker in that
 * state; {@code breaker} is {@code host}, {@code caller} or {@code log_storage}, never a breaker's
 * name, which holds an agent). Token mints are counted from the TokenMinted events
 * ({@code tollgate.tokens.minted}, by the runtime).
 */
public final class ExecutorMetrics {

    public static final String GITHUB_REQUESTS = "tollgate.github.requests";
    public static final String GITHUB_REDIRECTS = "tollgate.github.redirects";
    /**
     * Installations an App's sync took back from another environment that had claimed them; tags
     * {@code environment} (the sync's) and {@code claimed_by}.
     */
    public static final String INSTALLATIONS_RECLAIMED = "tollgate.installations.reclaimed";
    public static final String TOKEN_CACHE_HITS = "tollgate.tokens.cache.hits";
    public static final String CIRCUIT_BREAKERS = "tollgate.github.circuit.breakers";

    private static final Set<InstallationTokens> TOKENS = Collections.synchronizedSet(Collections
            .newSetFromMap(new WeakHashMap<>()));
    /** The tag saying which breaker: see {@link ResilientTransport#BREAKER_TAG}. */
    public static final String BREAKER_TAG = ResilientTransport.BREAKER_TAG;
    private static final List<String> BREAKER_KINDS = List.of(ResilientTransport.HOST_BREAKER,
            ResilientTransport.CALLER_BREAKER, ResilientTransport.LOG_STORAGE_BREAKER);
    private static final String REDIRECTS_DESCRIPTION = "fetches of where GitHub redirected (a"
            + " job's log, from its log storage), apart from the API's requests";

    /** Each breaker watched, with which breaker it is. */
    private static final Map<CircuitBreaker, String> BREAKERS = Collections.synchronizedMap(
            new WeakHashMap<>());

    static {
        MeterRegistry registry = Metrics.globalRegistry;
        FunctionCounter.builder(TOKEN_CACHE_HITS, TOKENS, ExecutorMetrics::hits)
                .description("installation token requests answered from the cache")
                .register(registry);
        for (String kind : BREAKER_KINDS) {
            for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
                Gauge.builder(CIRCUIT_BREAKERS, BREAKERS, breakers -> inState(breakers, kind,
                        state)).tag("state", state.name().toLowerCase(Locale.ROOT)).tag(
                                BREAKER_TAG, kind)
                        .description("circuit breakers to GitHub in this state").register(
                                registry);
            }
        }
    }

    private ExecutorMetrics() {
    }

    /** {@link #timed(GitHubTransport, MeterRegistry)} into the global registry (Spring's). */
    public static GitHubTransport timed(GitHubTransport transport) {
        return timed(transport, Metrics.globalRegistry);
    }

    /**
     * Times every request {@code transport} sends (one attempt each) as
     * {@code tollgate.github.requests}, and the one redirect followed by hand (a job's log, from
     * GitHub's log storage) as {@code tollgate.github.redirects}, both by status class: a slow or
     * failing log store is told apart from a slow API. Statuses besides {@code 2xx} to
     * {@code 5xx}: {@code io_error} (no answer: a timeout, a reset, a refused connection) and, for
     * a redirect, {@code too_large} (over {@code tollgate.github.max-response-bytes}, abandoned)
     * and {@code refused} (not fetched: {@code RedirectTarget} refused where it leads, a name
     * there resolved to a local address, or the replica's response budget had no room). The
     * fetches the log storage's breaker or bulkhead refused never reach this far: see
     * {@link #redirectRefusals}.
     */
    public static GitHubTransport timed(GitHubTransport transport, MeterRegistry registry) {
        return new ForwardingTransport(transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                Timer.Sample sample = Timer.start(registry);
                String status = "io_error";
                try {
                    GitHubResponse response = delegate().send(request);
                    status = (response.status() / 100) + "xx";
                    return response;
                } finally {
                    sample.stop(Timer.builder(GITHUB_REQUESTS).description(
                            "GitHub API requests, one per attempt").tag("method",
                                    request
                                            .method())
                            .tag("status", status).publishPercentileHistogram().register(
                                    registry));
                }
            }

            @Override
            public GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
                    GitHubRequest.Caller caller, ResponseBudget.Account account)
                    throws IOException {
                Timer.Sample sample = Timer.start(registry);
                String status = "io_error";
                try {
                    GitHubResponse response = delegate().fetchRedirect(path, redirect, caller,
                            account);
                    status = response.complete()
                            ? (response.status() / 100) + "xx"
                            : "too_large";
                    return response;
                } catch (GitHubCallException e) {
                    status = "refused"; // nothing fetched (where it leads, or no room to read)
                    throw e;
                } finally {
                    sample.stop(redirects(registry, status));
                }
            }
        };
    }

    /**
     * Counts each job log the log storage's guards refused to fetch
     * ({@link ResilientTransport#reportingRedirectRefusals}) in {@code tollgate.github.redirects}
     * with the refusal as its status ({@code breaker_open}, {@code bulkhead_full}), timed zero:
     * nothing was fetched, so nothing else would show them.
     */
    public static Consumer<ResilientTransport.RedirectRefusal> redirectRefusals(
            MeterRegistry registry) {
        return refusal -> redirects(registry, refusal.tag()).record(Duration.ZERO);
    }

    /** {@link #redirectRefusals(MeterRegistry)} into the global registry (Spring's). */
    public static Consumer<ResilientTransport.RedirectRefusal> redirectRefusals() {
        return redirectRefusals(Metrics.globalRegistry);
    }

    private static Timer redirects(MeterRegistry registry, String status) {
        return Timer.builder(GITHUB_REDIRECTS).description(REDIRECTS_DESCRIPTION).tag("status",
                status).publishPercentileHistogram().register(registry);
    }

    public static InstallationTokens watch(InstallationTokens tokens) {
        TOKENS.add(tokens);
        return tokens;
    }

    /**
     * Counts {@code breaker} in {@code tollgate.github.circuit.breakers} by its state and which
     * breaker it is (its {@link ResilientTransport#BREAKER_TAG}; one made elsewhere counts as a
     * host's).
     */
    public static CircuitBreaker watch(CircuitBreaker breaker) {
        String kind = breaker.getTags().getOrDefault(BREAKER_TAG, ResilientTransport.HOST_BREAKER);
        BREAKERS.put(breaker,
                BREAKER_KINDS.contains(kind) ? kind : ResilientTransport.HOST_BREAKER);
        return breaker;
    }

    private static double hits(Set<InstallationTokens> tokens) {
        synchronized (tokens) {
            return tokens.stream().mapToLong(InstallationTokens::hitCount).sum();
        }
    }

    private static double inState(Map<CircuitBreaker, String> breakers, String kind,
            CircuitBreaker.State state) {
        synchronized (breakers) {
            return breakers.entrySet().stream().filter(b -> b.getValue().equals(kind) && b
                    .getKey().getState() == state).count();
        }
    }

    /**
     * Counts an installation {@code environment}'s sync took back from {@code claimedBy}, whose
     * webhook secret signed a delivery claiming it (into the global registry, Spring's).
     */
    public static void reclaimed(String environment, String claimedBy) {
        Counter.builder(INSTALLATIONS_RECLAIMED).description("installations an App's sync took"
                + " back from another environment that had claimed them (a delivery signed with"
                + " that environment's webhook secret)").tag("environment", environment).tag(
                        "claimed_by", claimedBy)
                .register(Metrics.globalRegistry).increment();
    }
}
