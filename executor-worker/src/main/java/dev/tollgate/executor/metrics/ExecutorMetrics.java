package dev.tollgate.executor.metrics;

import dev.tollgate.executor.core.ForwardingTransport;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InstallationTokens;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The executor's own meters, summed over the replicas (consumers) of this process: GitHub request
 * latency by method and status class ({@code tollgate.github.requests}), token cache lookups that
 * were answered from the cache ({@code tollgate.tokens.cache.hits}) and circuit breakers by state
 * ({@code tollgate.github.circuit.breakers}, 1 per breaker in that state). Token mints are counted
 * from the TokenMinted events ({@code tollgate.tokens.minted}, by the runtime).
 */
public final class ExecutorMetrics {

    public static final String GITHUB_REQUESTS = "tollgate.github.requests";
    public static final String TOKEN_CACHE_HITS = "tollgate.tokens.cache.hits";
    public static final String CIRCUIT_BREAKERS = "tollgate.github.circuit.breakers";

    private static final Set<InstallationTokens> TOKENS = Collections.synchronizedSet(Collections
            .newSetFromMap(new WeakHashMap<>()));
    private static final Map<CircuitBreaker, Boolean> BREAKERS = Collections.synchronizedMap(
            new WeakHashMap<>());

    static {
        MeterRegistry registry = Metrics.globalRegistry;
        FunctionCounter.builder(TOKEN_CACHE_HITS, TOKENS, ExecutorMetrics::hits)
                .description("installation token requests answered from the cache")
                .register(registry);
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            Gauge.builder(CIRCUIT_BREAKERS, BREAKERS, breakers -> inState(breakers, state))
                    .tag("state", state.name().toLowerCase(Locale.ROOT))
                    .description("circuit breakers to GitHub in this state").register(registry);
        }
    }

    private ExecutorMetrics() {
    }

    /**
     * Times every request {@code transport} sends (one attempt each). The one redirect followed by
     * hand goes to {@code transport} as it is ({@link ForwardingTransport}).
     */
    public static GitHubTransport timed(GitHubTransport transport) {
        return new ForwardingTransport(transport) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                Timer.Sample sample = Timer.start(Metrics.globalRegistry);
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
                                    Metrics.globalRegistry));
                }
            }
        };
    }

    public static InstallationTokens watch(InstallationTokens tokens) {
        TOKENS.add(tokens);
        return tokens;
    }

    public static CircuitBreaker watch(CircuitBreaker breaker) {
        BREAKERS.put(breaker, Boolean.TRUE);
        return breaker;
    }

    private static double hits(Set<InstallationTokens> tokens) {
        synchronized (tokens) {
            return tokens.stream().mapToLong(InstallationTokens::hitCount).sum();
        }
    }

    private static double inState(Map<CircuitBreaker, Boolean> breakers,
            CircuitBreaker.State state) {
        synchronized (breakers) {
            return breakers.keySet().stream().filter(b -> b.getState() == state).count();
        }
    }
}
