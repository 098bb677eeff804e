package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.InstallationGuard;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One GitHub App per environment, two Apps with two keys on two stand-ins: each environment's
 * requests are minted by its own App only, and one App's key never mints for the other's
 * installations.
 */
class TwoAppsTest {

    private static final String PROD_APP = "Iv23liPRODAPPCLIENT";

    private final KeyPair prodKeys = rsa();
    private final GitHubStandIn defaultGitHub = new GitHubStandIn(TestApp.APP_ID, TestApp
            .publicKey(), Clock.systemUTC());
    private final GitHubStandIn prodGitHub = new GitHubStandIn(PROD_APP, (RSAPublicKey) prodKeys
            .getPublic(), Clock.systemUTC());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    private final InstallationRegistry registry = new InstallationRegistry();
    private final AppEnvironments environments = new AppEnvironments(List.of("prod",
            "staging"));

    TwoAppsTest() {
        defaultGitHub.repository("octo", "hello", 42).files.put("README.md", "default app");
        prodGitHub.repository("octo", "hello", 77).files.put("README.md", "prod app");
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        defaultGitHub.close();
        prodGitHub.close();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private ToolCallExecutor executor(InstallationRegistry known) {
        InstallationGuard guard = new InstallationGuard(known, environments, Optional.empty());
        GitHubAppConfig defaultApp = new GitHubAppConfig(defaultGitHub.apiUrl(), TestApp.APP_ID,
                TestApp.privateKey(), Optional.empty());
        GitHubAppConfig prodApp = new GitHubAppConfig(prodGitHub.apiUrl(), PROD_APP,
                (RSAPrivateKey) prodKeys.getPrivate(), Optional.empty());
        InMemoryCompletionStore completions = new InMemoryCompletionStore(100);
        ToolCallExecutor prod = assembly(prodApp, completions).build().guardedBy(guard);
        return assembly(defaultApp, completions).build().guardedBy(guard).routing(environments,
                Map.of("prod", prod));
    }

    private ExecutorAssembly assembly(GitHubAppConfig app, InMemoryCompletionStore completions) {
        return new ExecutorAssembly(app, Clock.systemUTC(), minted -> {
        }, completions, RetryPolicy.defaults(), Duration.ZERO, scheduler, UnaryOperator
                .identity(), Map.of());
    }

    private static InstallationChanged installation(long id, String environment) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, Clock.systemUTC()))
                .setEnvironment(environment).setAppId("app").setInstallationId(id)
                .setAccount("octo").setStatus(InstallationStatus.ACTIVE)
                .setRepositorySelection(RepositorySelection.ALL).setRepositories(List.of())
                .setPermissions(Map.of()).setTrigger("test").setDeliveryId(null).build();
    }

    private static PolicyDecided getFile(String environment, long installationId) {
        String requestId = UUID.randomUUID().toString();
        EventMeta meta = EventMeta.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId).setOccurredAt(Instant.now()).setProducer("test").build();
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta).setAgentId(
                "agent-1").setEnvironment(environment).setTool("get_file").setResource(Resource
                        .newBuilder().setOwner("octo").setRepo("hello").build())
                .setArgumentsJson("{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"README.md\"}")
                .build();
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(request).setAllowed(true)
                .setReason("test").setPolicyVersion("v").setPermissions(Map.of("contents",
                        "read"))
                .setRepositories(List.of("octo/hello")).setRoutingKey(Long.toString(
                        installationId))
                .setInstallationId(installationId).build();
    }

    @Test
    void eachEnvironmentIsServedByItsOwnAppOnly() {
        registry.apply(installation(42, AppEnvironments.DEFAULT));
        registry.apply(installation(77, "prod"));
        ToolCallExecutor executor = executor(registry);

        ToolCallCompleted ci = executor.execute(getFile("ci", 42));
        ToolCallCompleted prod = executor.execute(getFile("prod", 77));

        assertThat(ci.getStatus()).as(ci.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(ci.getResultJson()).contains("default app");
        assertThat(prod.getStatus()).as(prod.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(prod.getResultJson()).contains("prod app");
        assertThat(defaultGitHub.mints()).extracting(GitHubStandIn.Mint::installationId)
                .containsExactly(42L);
        assertThat(prodGitHub.mints()).extracting(GitHubStandIn.Mint::installationId)
                .containsExactly(77L);
    }

    @Test
    void anInstallationOfOneEnvironmentsAppIsNeverMintedForFromAnother() {
        registry.apply(installation(42, AppEnvironments.DEFAULT));
        registry.apply(installation(77, "prod"));
        ToolCallExecutor executor = executor(registry);

        ToolCallCompleted prodAskingForDefault = executor.execute(getFile("prod", 42));
        ToolCallCompleted ciAskingForProd = executor.execute(getFile("ci", 77));

        assertThat(prodAskingForDefault.getErrorCode()).isEqualTo("forbidden");
        assertThat(prodAskingForDefault.getMessage()).contains(
                "belongs to the GitHub App of environment 'default'");
        assertThat(ciAskingForProd.getErrorCode()).isEqualTo("forbidden");
        assertThat(defaultGitHub.mintCount()).isZero();
        assertThat(prodGitHub.mintCount()).isZero();
    }

    @Test
    void evenUnknownToTheRegistryOneAppsKeyCannotMintForAnothersInstallation() {
        ToolCallExecutor executor = executor(new InstallationRegistry());

        ToolCallCompleted prodAskingForDefault = executor.execute(getFile("prod", 42));

        assertThat(prodAskingForDefault.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(prodAskingForDefault.getErrorCode()).isEqualTo("not_found");
        assertThat(prodGitHub.requests("POST", "/app/installations/42/access_tokens"))
                .hasSize(1);
        assertThat(defaultGitHub.requests()).isEmpty();
        assertThat(prodGitHub.mintCount()).isZero();
    }

    @Test
    void anEnvironmentWithAnAppOfItsOwnButNoneHereIsRefusedNotServedByTheDefaultApp() {
        ToolCallExecutor executor = executor(registry);

        ToolCallCompleted staging = executor.execute(getFile("staging", 42));

        assertThat(staging.getErrorCode()).isEqualTo("forbidden");
        assertThat(staging.getMessage()).contains("tollgate.github.environments.staging.app-id");
        assertThat(defaultGitHub.requests()).isEmpty();
    }
}
