package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The installation registry's guard over the token cache, against the GitHub stand-in. */
class InstallationGuardTest {

    private static final String GET_FILE = "{\"owner\":\"octo\",\"repo\":\"hello\","
            + "\"path\":\"README.md\"}";

    private final ExecutorHarness harness = new ExecutorHarness();
    private final GitHubStandIn github = harness.github;
    private final InstallationRegistry registry = new InstallationRegistry();

    @AfterEach
    void stop() {
        harness.close();
    }

    private InstallationChanged installation(String environment, InstallationStatus status,
            RepositorySelection selection, String... repositories) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, harness.clock))
                .setEnvironment(environment).setAppId("1").setInstallationId(42)
                .setAccount("octo").setStatus(status).setRepositorySelection(selection)
                .setRepositories(List.of(repositories)).setPermissions(Map.of())
                .setTrigger("test").setDeliveryId(null).build();
    }

    private ToolCallExecutor guarded(Optional<MintLimits> limits, String... dedicated) {
        return harness.executor().guardedBy(new InstallationGuard(registry, new AppEnvironments(
                List.of(dedicated)), limits));
    }

    /** octo/hello with a README, installation 42 active on all of octo's repositories. */
    private ToolCallExecutor activeWithReadme() {
        github.repo("octo", "hello").files.put("README.md", "hi");
        registry.apply(installation(AppEnvironments.DEFAULT, InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        return guarded(Optional.empty());
    }

    @Test
    void deletionWhileRequestsFlowStopsEveryMintAndEmptiesTheCache() throws Exception {
        ToolCallExecutor executor = activeWithReadme();
        AtomicBoolean deleted = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<ToolCallCompleted> afterDeletion = new CopyOnWriteArrayList<>();
        CountDownLatch flowing = new CountDownLatch(10);
        ExecutorService agents = Executors.newFixedThreadPool(2);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            running.add(agents.submit(() -> {
                while (!stop.get()) {
                    boolean startedAfterDeletion = deleted.get();
                    ToolCallCompleted answer = executor.execute(harness.decision("get_file",
                            GET_FILE));
                    if (startedAfterDeletion) {
                        afterDeletion.add(answer);
                    } else if (answer.getStatus() == CallStatus.SUCCEEDED) {
                        flowing.countDown();
                    }
                }
            }));
        }
        assertThat(flowing.await(30, TimeUnit.SECONDS)).as("requests succeed before").isTrue();

        registry.apply(installation(AppEnvironments.DEFAULT, InstallationStatus.DELETED,
                RepositorySelection.ALL));
        deleted.set(true);
        int mintsAtDeletion = github.mintCount();
        while (afterDeletion.size() < 10) {
            Thread.sleep(10);
        }
        stop.set(true);
        for (Future<?> future : running) {
            future.get(30, TimeUnit.SECONDS);
        }
        agents.shutdown();
        harness.clock.advance(Duration.ofHours(2)); // any token would need a new mint now
        ToolCallCompleted later = executor.execute(harness.decision("get_file", GET_FILE));

        assertThat(harness.tokens.size()).isZero();
        assertThat(afterDeletion).allSatisfy(answer -> {
            assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
            assertThat(answer.getErrorCode()).isEqualTo("forbidden");
            assertThat(answer.getMessage()).contains("uninstalled from 'octo'", "revoked");
        });
        assertThat(later.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.mintCount()).isEqualTo(mintsAtDeletion).isPositive();
    }

    @Test
    void aDeletionWaitsForTheMintInFlightWhichKeepsNothingAndNoMintFollowsIt() throws Exception {
        ToolCallExecutor executor = activeWithReadme();
        // GitHub takes 2 s to answer the token request: the deletion arrives meanwhile
        github.script("POST", "/app/installations/42/access_tokens", new MockResponse.Builder(
                GitHubStandIn.json(201, "{\"token\":\"ghs_minted_during_deletion\","
                        + "\"expires_at\":\"" + harness.clock.instant().plus(Duration.ofHours(1))
                        + "\"}"))
                .headersDelay(2, TimeUnit.SECONDS).build());
        ExecutorService agent = Executors.newSingleThreadExecutor();
        try {
            Future<ToolCallCompleted> inFlight = agent.submit(() -> executor.execute(harness
                    .decision("get_file", GET_FILE)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (github.requests("POST", "/app/installations/42/access_tokens").isEmpty()) {
                assertThat(System.nanoTime()).as("the token request reached GitHub within 30 s;"
                        + " requests so far: " + github.requests()).isLessThan(deadline);
                Thread.sleep(5);
            }

            long applying = System.nanoTime();
            registry.apply(installation(AppEnvironments.DEFAULT, InstallationStatus.DELETED,
                    RepositorySelection.ALL));
            Duration applied = Duration.ofNanos(System.nanoTime() - applying);
            ToolCallCompleted answer = inFlight.get(30, TimeUnit.SECONDS);
            ToolCallCompleted after = executor.execute(harness.decision("get_file", GET_FILE));

            // GitHub answered the token request about 2 s after it arrived; the deletion began
            // a few ms after it arrived and returns only once that mint is over (without the
            // wait it returns in well under a second, however busy the machine)
            assertThat(applied).as("the deletion waited for the mint in flight").isGreaterThan(
                    Duration.ofSeconds(1));
            assertThat(answer.getStatus()).isEqualTo(CallStatus.FAILED);
            assertThat(answer.getErrorCode()).isEqualTo("forbidden");
            assertThat(answer.getMessage()).contains("uninstalled from 'octo'", "revoked");
            assertThat(harness.tokens.size()).as("the token minted meanwhile is not kept")
                    .isZero();
            assertThat(after.getErrorCode()).isEqualTo("forbidden");
            assertThat(github.requests("POST", "/app/installations/42/access_tokens")).as(
                    "no token request after the deletion").hasSize(1);
            assertThat(github.requests("GET", "/repos/octo/hello")).as("GitHub was never"
                    + " called with that token").isEmpty();
        } finally {
            agent.shutdownNow();
        }
    }

    @Test
    void aSuspendedInstallationGetsNoTokenUntilItIsUnsuspended() {
        github.repo("octo", "hello").files.put("README.md", "hi");
        ToolCallExecutor executor = guarded(Optional.empty());
        registry.apply(installation(AppEnvironments.DEFAULT, InstallationStatus.SUSPENDED,
                RepositorySelection.ALL));

        ToolCallCompleted suspended = executor.execute(harness.decision("get_file", GET_FILE));
        int mintsWhileSuspended = github.mintCount();
        registry.apply(installation(AppEnvironments.DEFAULT, InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        ToolCallCompleted unsuspended = executor.execute(harness.decision("get_file",
                GET_FILE));

        assertThat(suspended.getErrorCode()).isEqualTo("forbidden");
        assertThat(suspended.getRetryable()).isFalse();
        assertThat(suspended.getMessage()).contains("is suspended");
        assertThat(mintsWhileSuspended).isZero();
        assertThat(unsuspended.getStatus()).as(unsuspended.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
    }

    @Test
    void aRepositoryRemovedFromTheSelectionGetsNoToken() {
        registry.apply(installation(AppEnvironments.DEFAULT, InstallationStatus.ACTIVE,
                RepositorySelection.SELECTED, "octo/world"));

        ToolCallCompleted answer = guarded(Optional.empty()).execute(harness.decision(
                "get_file", GET_FILE));

        assertThat(answer.getErrorCode()).isEqualTo("forbidden");
        assertThat(answer.getMessage()).contains("not installed on octo/hello");
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void anInstallationOfAnotherEnvironmentsAppIsNeverMintedFor() {
        registry.apply(installation("prod", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        PolicyDecided fromCi = harness.decision("get_file", GET_FILE); // environment "ci"

        ToolCallCompleted answer = guarded(Optional.empty(), "prod").execute(fromCi);

        assertThat(answer.getErrorCode()).isEqualTo("forbidden");
        assertThat(answer.getMessage()).contains("belongs to the GitHub App of environment"
                + " 'prod'");
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void mintsOverTheLimitAreRefusedAsRateLimitedWithTheRetryTime() {
        github.repo("octo", "hello").files.put("README.md", "hi");
        ToolCallExecutor executor = guarded(Optional.of(new MintLimits(1, 10, Duration
                .ofMinutes(1), harness.clock)));

        ToolCallCompleted first = executor.execute(harness.decision("get_file", GET_FILE));
        ToolCallCompleted cached = executor.execute(harness.decision("get_file", GET_FILE));
        ToolCallCompleted otherScope = executor.execute(harness.decision("list_pull_requests",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}"));

        assertThat(first.getStatus()).as(first.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(cached.getStatus()).as("a cached token is not a mint").isEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(otherScope.getErrorCode()).isEqualTo("rate_limited");
        assertThat(otherScope.getRetryable()).isTrue();
        assertThat(otherScope.getRetryAt()).isEqualTo(harness.clock.instant().plus(Duration
                .ofMinutes(1)));
        assertThat(otherScope.getMessage()).contains(
                "tollgate.executor.mint-limit.per-installation");
        assertThat(github.mintCount()).isEqualTo(1);
    }
}
