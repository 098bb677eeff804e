package dev.tollgate.bench.jmh;

import dev.tollgate.executor.core.ErrorClassifier;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.ResponseHeaders;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Classifying GitHub's error answers: a secondary rate limit, a missing permission, a 422. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ErrorClassifierBenchmark {

    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");
    private final ResponseHeaders limited = ResponseHeaders.of("x-ratelimit-remaining", "12",
            "retry-after", "30", "content-type", "application/json");
    private final String secondary = "{\"message\":\"You have exceeded a secondary rate limit."
            + " Please wait a few minutes before you try again.\",\"documentation_url\":"
            + "\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}";
    private final ResponseHeaders forbiddenHeaders = ResponseHeaders.of("x-ratelimit-remaining",
            "4999", "x-accepted-github-permissions", "contents=write");
    private final String forbidden = "{\"message\":\"Resource not accessible by integration\","
            + "\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"403\"}";
    private final String invalid = "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
            + "\"Issue\",\"code\":\"missing_field\",\"field\":\"title\"}],\"documentation_url\":"
            + "\"https://docs.github.com/rest\",\"status\":\"422\"}";

    @Benchmark
    public GitHubError secondaryRateLimit() {
        return ErrorClassifier.classify(403, limited, secondary, NOW);
    }

    @Benchmark
    public GitHubError missingPermission() {
        return ErrorClassifier.classify(403, forbiddenHeaders, forbidden, NOW);
    }

    @Benchmark
    public GitHubError validationFailed() {
        return ErrorClassifier.classify(422, ResponseHeaders.empty(), invalid, NOW);
    }
}
