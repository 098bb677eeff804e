package dev.tollgate.executor;

import dev.tollgate.events.TokenMinted;
import dev.tollgate.executor.core.AnswerLimit;
import dev.tollgate.executor.core.AppAuthenticator;
import dev.tollgate.executor.core.AppJwtSigner;
import dev.tollgate.executor.core.CompletionStore;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InstallationResolver;
import dev.tollgate.executor.core.InstallationTokens;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.executor.metrics.ExecutorMetrics;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.executor.resilience.Sleeper;
import dev.tollgate.executor.resilience.WritePacer;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import okhttp3.OkHttpClient;

/**
 * Wires one executor replica: the App authenticator, the token cache, the OkHttp transport behind
 * retries, the host's and each caller's circuit breakers and write pacing, and the executor. No Spring here, so tests
 * build replicas the same way the application does.
 *
 * @param config the GitHub App settings
 * @param clock the clock
 * @param mints where TokenMinted events go (the adapter publishes them)
 * @param completions the completion record
 * @param retry the retry policy
 * @param writeInterval the pause between writes per installation
 * @param scheduler where retry waits run
 * @param decorator wraps the final transport (identity in production; tests inject faults): a
 *        wrapper extends {@code ForwardingTransport}, so the redirect followed by hand still
 *        reaches OkHttp
 * @param installations statically known installations ({@code owner/repo} to ID)
 * @param responseBudget the replica's budget for GitHub's answers (shared by its Apps)
 * @param answerLimit the largest answer Kafka carries
 */
public record ExecutorAssembly(GitHubAppConfig config, Clock clock, Consumer<TokenMinted> mints,
        CompletionStore completions, RetryPolicy retry, Duration writeInterval,
        ScheduledExecutorService scheduler, UnaryOperator<GitHubTransport> decorator,
        Map<String, Long> installations, ResponseBudget responseBudget,
        AnswerLimit answerLimit) {

    public static final Duration CIRCUIT_OPEN_WAIT = Duration.ofSeconds(30);
    /** Writes one agent may have waiting per installation, by default. */
    public static final int DEFAULT_WRITE_QUEUE_PER_AGENT = 16;

    /** A replica with a budget of its own, sized for this JVM's heap, and the default limit. */
    public ExecutorAssembly(GitHubAppConfig config, Clock clock, Consumer<TokenMinted> mints,
            CompletionStore completions, RetryPolicy retry, Duration writeInterval,
            ScheduledExecutorService scheduler, UnaryOperator<GitHubTransport> decorator,
            Map<String, Long> installations) {
        this(config, clock, mints, completions, retry, writeInterval, scheduler, decorator,
                installations, ResponseBudget.forHeap(Runtime.getRuntime().maxMemory()),
                AnswerLimit.defaults());
    }

    /**
     * The Forgejo and GitLab hosts, each behind a transport of its own (retries, circuit breaker and write
     * pacing per host, like GitHub's), carrying that host's credential and no other.
     */
    public ForgeHosts forgeHosts(List<ForgeHostSettings.Configured> configured,
            int writeQueuePerAgent) {
        List<ForgeHosts.Host> hosts = new ArrayList<>();
        java.util.Map<String, GitHubTransport> transports = new java.util.HashMap<>();
        for (ForgeHostSettings.Configured host : configured) {
            // one transport (retries, breaker, pacing) per host, whatever its credentials
            String name = host.forge().key() + ":" + host.host();
            GitHubTransport transport = transports.computeIfAbsent(name + " " + host.apiUrl(),
                    key -> decorator.apply(new ResilientTransport(ExecutorMetrics.timed(
                            OkHttpTransport.forge(host.apiUrl(), OkHttpTransport.defaultClient(),
                                    responseBudget)),
                            name, retry, ExecutorMetrics.watch(ResilientTransport.breakerNamed(
                                    name, CIRCUIT_OPEN_WAIT, clock)),
                            CIRCUIT_OPEN_WAIT, new WritePacer(writeInterval, clock, Sleeper
                                    .system(), writeQueuePerAgent),
                            scheduler, clock).watchingBreakers(ExecutorMetrics::watch)));
            hosts.add(new ForgeHosts.Host(host.forge(), host.host(), transport, host
                    .credential(), host.repositories()));
        }
        return ForgeHosts.of(hosts);
    }

    public ToolCallExecutor build() {
        return build(DEFAULT_WRITE_QUEUE_PER_AGENT);
    }

    /**
     * @param writeQueuePerAgent writes one agent may have waiting for one installation's pacing
     *        slots; more are refused at once (0: no limit)
     */
    public ToolCallExecutor build(int writeQueuePerAgent) {
        return build(writeQueuePerAgent, ResilientTransport.redirectBulkhead(
                ResilientTransport.DEFAULT_REDIRECTS_AT_ONCE));
    }

    /**
     * @param writeQueuePerAgent as {@link #build(int)}
     * @param redirects how many job logs are fetched from GitHub's log storage at once, shared by
     *        the replica's Apps; more are refused at once ({@code transient}), so a store that
     *        hangs holds no more call slots than it allows
     */
    public ToolCallExecutor build(int writeQueuePerAgent, Bulkhead redirects) {
        OkHttpClient client = OkHttpTransport.defaultClient();
        GitHubTransport http = ExecutorMetrics.timed(new OkHttpTransport(config.apiUrl(),
                client, responseBudget));
        GitHubTransport resilient = new ResilientTransport(http, config.host(), retry,
                ExecutorMetrics.watch(ResilientTransport.breakerFor(config.host(),
                        CIRCUIT_OPEN_WAIT, clock)),
                CIRCUIT_OPEN_WAIT, new WritePacer(writeInterval, clock, Sleeper.system(),
                        writeQueuePerAgent),
                scheduler, clock).watchingBreakers(ExecutorMetrics::watch)
                .fetchingRedirectsWithin(redirects).reportingRedirectRefusals(ExecutorMetrics
                        .redirectRefusals());
        // The App's own calls (token mints, installation discovery) are retried and counted by
        // the host's breaker like every other GitHub call; the JWT is signed again per attempt.
        AppAuthenticator app = new AppAuthenticator(new AppJwtSigner(config.appId(), config
                .privateKey(), clock), resilient, clock);
        InstallationTokens tokens = ExecutorMetrics.watch(new InstallationTokens(config.appId(),
                app, clock, mints, config.staticFallbackToken()));
        return new ToolCallExecutor(new InstallationResolver(app, clock).rememberAll(
                installations), tokens,
                decorator.apply(
                        resilient),
                completions, clock).sanitizingFor(config.apiUrl()).limitedBy(answerLimit,
                        responseBudget);
    }
}
