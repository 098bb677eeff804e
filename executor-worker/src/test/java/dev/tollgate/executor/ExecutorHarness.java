package dev.tollgate.executor;

import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.core.AppAuthenticator;
import dev.tollgate.executor.core.AppJwtSigner;
import dev.tollgate.executor.core.CompletionStore;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.InstallationResolver;
import dev.tollgate.executor.core.InstallationTokens;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.executor.resilience.WritePacer;
import dev.tollgate.testsupport.MutableClock;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tool;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The whole executor core wired against a {@link GitHubStandIn}: real JWTs, real HTTP on loopback,
 * the real retry and breaker, with an injected clock and a recording scheduler instead of sleeps.
 */
public final class ExecutorHarness implements AutoCloseable {

    public static final Duration OPEN_WAIT = Duration.ofSeconds(30);

    static {
        dev.tollgate.schemas.AvroSingleObjectCodec.shared(); // trusts dev.tollgate.events
    }

    public final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    public final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            clock);
    public final RecordingScheduler scheduler = new RecordingScheduler(clock);
    public final List<Duration> paced = new CopyOnWriteArrayList<>();
    public final List<TokenMinted> minted = new CopyOnWriteArrayList<>();
    public final CircuitBreaker breaker;
    public final ResilientTransport transport;
    public final InstallationTokens tokens;
    public final InstallationResolver installations;
    /** The circuit breaker of the forge host {@link #forgeHost} made last. */
    public volatile CircuitBreaker forgeBreaker;
    private final RetryPolicy policy;

    public ExecutorHarness() {
        this(RetryPolicy.defaults());
    }

    public ExecutorHarness(RetryPolicy policy) {
        this.policy = policy;
        AppAuthenticator app = new AppAuthenticator(new AppJwtSigner(TestApp.APP_ID, TestApp
                .privateKey(), clock), new OkHttpTransport(github.apiUrl(),
                        OkHttpTransport
                                .defaultClient()),
                clock);
        tokens = new InstallationTokens(TestApp.APP_ID, app, clock, minted::add, Optional
                .empty());
        installations = new InstallationResolver(app, clock);
        breaker = ResilientTransport.breakerFor("stand-in", OPEN_WAIT, clock);
        transport = new ResilientTransport(new OkHttpTransport(github.apiUrl(), OkHttpTransport
                .defaultClient()), "stand-in", policy, breaker, OPEN_WAIT, new WritePacer(
                        Duration
                                .ofSeconds(1),
                        clock, paced::add),
                scheduler, clock);
        github.repository("octo", "hello", 42);
        github.repository("octo", "world", 42);
    }

    public ToolCallExecutor executor(CompletionStore store) {
        return new ToolCallExecutor(installations, tokens, transport, store, clock);
    }

    public ToolCallExecutor executor() {
        return executor(new InMemoryCompletionStore(1000));
    }

    /**
     * One forge host besides GitHub, behind a retrying transport on this harness's clock and
     * scheduler, carrying {@code credential}: what {@code ToolCallExecutor.actingOn} takes.
     */
    public ForgeHosts forgeHost(Forge forge, String host, java.net.URI apiUrl,
            GitHubRequest.Credential credential) {
        return forgeHost(forge, host, apiUrl, dev.tollgate.executor.core.HostCredential.fixed(
                credential));
    }

    /** The same, with a credential that may renew itself (an OAuth access token). */
    public ForgeHosts forgeHost(Forge forge, String host, java.net.URI apiUrl,
            dev.tollgate.executor.core.HostCredential credential) {
        String name = forge.key() + ":" + host;
        ResilientTransport forgeTransport = new ResilientTransport(OkHttpTransport.forge(apiUrl,
                OkHttpTransport.defaultClient(), ResponseBudget.forHeap(Runtime.getRuntime()
                        .maxMemory())),
                name, policy, forgeBreaker = ResilientTransport.breakerNamed(name, OPEN_WAIT,
                        clock),
                OPEN_WAIT, new WritePacer(Duration.ofSeconds(1), clock, paced::add), scheduler,
                clock);
        return ForgeHosts.of(List.of(new ForgeHosts.Host(forge, host, forgeTransport,
                credential, List.of())));
    }

    /** An allowed decision for the tool with the action's own permissions. */
    public PolicyDecided decision(String tool, String argumentsJson, String... preconditions) {
        return decisionFor(UUID.randomUUID().toString(), tool, argumentsJson, preconditions);
    }

    public PolicyDecided decisionFor(String requestId, String tool, String argumentsJson,
            String... preconditions) {
        Tool action = Tool.byToolName(tool).orElseThrow();
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta(requestId,
                "ingress")).setAgentId("agent-7").setEnvironment("ci").setTool(tool).setResource(
                        Resource.newBuilder().setOwner("octo").setRepo("hello").build())
                .setArgumentsJson(argumentsJson).build();
        return PolicyDecided.newBuilder().setMeta(meta(requestId, "decision-worker")).setRequest(
                request).setAllowed(true).setReason("allowed by test").setPolicyVersion("v-test")
                .setPermissions(Map.copyOf(action.permissions())).setRepositories(new ArrayList<>(
                        List.of("octo/hello")))
                .setPreconditions(new ArrayList<>(List.of(
                        preconditions)))
                .setRoutingKey("42").setInstallationId(42L)
                .build();
    }

    private EventMeta meta(String requestId, String producer) {
        return EventMeta.newBuilder().setEventId(UUID.randomUUID().toString()).setRequestId(
                requestId).setOccurredAt(clock.instant()).setProducer(producer).build();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        github.close();
    }
}
