package dev.tollgate.executor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.ResponseHeaders;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorMetricsTest {

    /**
     * The timing wrapper sits between every role's session and its OkHttp transport: the one
     * redirect followed by hand (a job's log) must reach the transport, or it is refused as
     * redirect_not_followed (the standalone's get_job_log failed so).
     */
    @Test
    void theTimedTransportPassesTheRedirectFollowedByHandToItsTransport() throws Exception {
        GitHubResponse redirect = new GitHubResponse(302, ResponseHeaders.of("Location",
                "https://logs.example.com/job/1?sig=x"), "");
        GitHubResponse log = new GitHubResponse(200, ResponseHeaders.empty(), "the log");
        List<String> followed = new ArrayList<>();
        GitHubTransport transport = new GitHubTransport() {
            @Override
            public GitHubResponse send(GitHubRequest request) {
                throw new AssertionError("nothing is sent");
            }

            @Override
            public GitHubResponse fetchRedirect(String path, GitHubResponse answer,
                    GitHubRequest.Caller caller, ResponseBudget.Account account) {
                followed.add(path + " " + answer.status() + " " + caller.agentId());
                return log;
            }

            @Override
            public java.util.Optional<dev.tollgate.executor.core.GitHubError> redirectRefusal() {
                return java.util.Optional.empty();
            }
        };

        GitHubResponse fetched = ExecutorMetrics.timed(transport).fetchRedirect(
                "/repos/o/r/actions/jobs/1/logs", redirect, new GitHubRequest.Caller(7, "agent"),
                null);

        assertThat(fetched).isSameAs(log);
        assertThat(followed).containsExactly("/repos/o/r/actions/jobs/1/logs 302 agent");
    }

    private static double breakers(io.micrometer.core.instrument.MeterRegistry registry,
            String kind, String state) {
        io.micrometer.core.instrument.Gauge gauge = registry.find(ExecutorMetrics.CIRCUIT_BREAKERS)
                .tag("breaker", kind).tag("state", state).gauge();
        assertThat(gauge).as(kind + " " + state).isNotNull();
        return gauge.value();
    }

    @Test
    void theBreakersGaugeTellsTheLogStoragesBreakerFromTheHostsAndTheCallersByKindNeverByName() {
        java.time.Clock clock = java.time.Clock.systemUTC();
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors
                .newSingleThreadScheduledExecutor();
        // The gauges live in the global registry (Spring's registry joins it): read through one.
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
        try {
            dev.tollgate.executor.resilience.ResilientTransport transport = new dev.tollgate.executor.resilience.ResilientTransport(
                    GitHubTransport
                            .sendOnly(request -> {
                                throw new AssertionError("nothing is sent");
                            }),
                    "api.github.com", dev.tollgate.executor.core.RetryPolicy
                            .defaults(),
                    ExecutorMetrics.watch(dev.tollgate.executor.resilience.ResilientTransport
                            .breakerFor("api.github.com",
                                    java.time.Duration.ofSeconds(30), clock)),
                    java.time.Duration.ofSeconds(30),
                    new dev.tollgate.executor.resilience.WritePacer(java.time.Duration.ZERO, clock,
                            pause -> {
                            }),
                    scheduler, clock).watchingBreakers(ExecutorMetrics::watch);
            double storageOpen = breakers(registry, "log_storage", "open");
            double hostOpen = breakers(registry, "host", "open");
            double callersClosed = breakers(registry, "caller", "closed");

            transport.storageBreaker().transitionToOpenState();
            transport.breakerOf(new GitHubRequest.Caller(42, "agent-7"));

            assertThat(breakers(registry, "log_storage", "open")).isEqualTo(storageOpen + 1);
            assertThat(breakers(registry, "host", "open")).as(
                    "GitHub's API breaker is not the store's").isEqualTo(hostOpen);
            assertThat(breakers(registry, "caller", "closed")).isEqualTo(callersClosed + 1);
            assertThat(registry.find(ExecutorMetrics.CIRCUIT_BREAKERS).gauges()).allSatisfy(
                    gauge -> assertThat(gauge.getId().getTag("breaker")).isIn("host", "caller",
                            "log_storage"));
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(registry);
            scheduler.shutdownNow();
        }
    }
}
