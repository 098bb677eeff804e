package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import java.util.List;
import mockwebserver3.MockResponse;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry from GitHub itself, against the GitHub stand-in. */
class InstallationSyncTest {

    private final ExecutorHarness harness = new ExecutorHarness(); // octo/hello, octo/world: 42
    private final GitHubStandIn github = harness.github;

    @AfterEach
    void stop() {
        harness.close();
    }

    private InstallationSync sync() {
        return sync(java.util.Set.of());
    }

    private InstallationChanged known(long id, String account) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, harness.clock))
                .setEnvironment(AppEnvironments.DEFAULT).setAppId(TestApp.APP_ID)
                .setInstallationId(id).setAccount(account).setStatus(InstallationStatus.ACTIVE)
                .setRepositorySelection(RepositorySelection.ALL).setRepositories(List.of())
                .setPermissions(Map.of()).setTrigger("installation.created").setDeliveryId("d")
                .build();
    }

    @Test
    void keepsGitHubsUpdatedAtSoNoOlderWebhookBodyIsAppliedAfterTheSync() {
        String listing = "[{\"id\": 42, \"app_id\": \"" + TestApp.APP_ID + "\", \"account\":"
                + " {\"login\": \"octo\", \"type\": \"Organization\"},"
                + " \"repository_selection\": \"all\", \"permissions\": {\"contents\":"
                + " \"read\"}, \"updated_at\": \"2026-11-20T10:00:00.000-02:00\","
                + " \"suspended_at\": null}]";
        github.script("GET", "/app/installations", GitHubStandIn.json(200, listing));
        github.script("GET", "/app/installations", GitHubStandIn.json(200, listing));
        InstallationChanged sameMoment = InstallationChanged.newBuilder(known(42, "octo"))
                .setUpdatedAt(java.time.Instant.parse("2026-11-20T12:00:00Z"))
                .setDeliveryDigests(List.of("sha256:applied")).build();
        InstallationChanged earlier = InstallationChanged.newBuilder(sameMoment).setUpdatedAt(
                java.time.Instant.parse("2026-11-19T12:00:00Z")).build();

        InstallationChanged afterSameMoment = sync().sync(List.of(sameMoment)).get(0);
        InstallationChanged afterEarlier = sync().sync(List.of(earlier)).get(0);

        assertThat(afterSameMoment.getUpdatedAt()).isEqualTo(java.time.Instant.parse(
                "2026-11-20T12:00:00Z"));
        assertThat(afterSameMoment.getDeliveryDigests()).as("bodies applied at that moment")
                .containsExactly("sha256:applied");
        assertThat(afterEarlier.getDeliveryDigests()).isEmpty();
    }

    @Test
    void listsEveryInstallationWithItsRepositoriesAndReportsTheVanishedOnesDeleted() {
        github.repository("acme", "site", 77);
        github.suspend(77);

        Map<Long, InstallationChanged> states = sync().sync(List.of(known(99, "gone"))).stream()
                .collect(Collectors.toMap(InstallationChanged::getInstallationId, Function
                        .identity()));

        assertThat(states).containsOnlyKeys(42L, 77L, 99L);
        InstallationChanged octo = states.get(42L);
        assertThat(octo.getAccount()).isEqualTo("octo");
        assertThat(octo.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(octo.getRepositorySelection()).isEqualTo(RepositorySelection.SELECTED);
        assertThat(octo.getRepositories()).containsExactly("octo/hello", "octo/world");
        assertThat(octo.getTrigger()).isEqualTo("sync");
        assertThat(octo.getDeliveryId()).isNull();
        assertThat(states.get(77L).getStatus()).isEqualTo(InstallationStatus.SUSPENDED);
        assertThat(states.get(99L).getStatus()).isEqualTo(InstallationStatus.DELETED);
        assertThat(github.mints()).singleElement().satisfies(mint -> {
            assertThat(mint.installationId()).isEqualTo(42L);
            assertThat(mint.repositories()).isEmpty();
            assertThat(mint.permissions()).isEqualTo(Map.of("metadata", "read"));
        });
        assertThat(github.requests("GET", "/app/installations")).hasSize(1);
        assertThat(github.requests("GET", "/installation/repositories")).hasSize(1);
        assertThat(harness.minted).singleElement().satisfies(event -> {
            assertThat(event.getInstallationId()).isEqualTo(42L);
            assertThat(event.getPermissions()).isEqualTo(Map.of("metadata", "read"));
            assertThat(event.toString()).doesNotContain("ghs_");
        });
        assertThat(harness.tokens.size()).as("the listing token is never cached").isZero();
    }

    @Test
    void neverMintsForAnInstallationUninstalledHere() {
        InstallationChanged uninstalled = InstallationChanged.newBuilder(known(42, "octo"))
                .setStatus(InstallationStatus.DELETED).build();

        List<InstallationChanged> states = sync().sync(List.of(uninstalled));

        assertThat(states).noneMatch(state -> state.getInstallationId() == 42L);
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void aFailedListingReportsNothingSoItNeverReadsAsUninstalls() {
        github.script("GET", "/app/installations", GitHubStandIn.serverError(502));

        GitHubCallException failure = org.assertj.core.api.Assertions.catchThrowableOfType(
                GitHubCallException.class, () -> sync().sync(List.of(known(42, "octo"))));

        assertThat(failure.error().errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(github.mintCount()).isZero();
    }

    @Test
    void moreInstallationsThanTheSyncReadsReportNothingSoNoneReadsAsUninstalled() {
        MockResponse[] fullPages = new MockResponse[100];
        for (int page = 0; page < fullPages.length; page++) {
            List<Map<String, Object>> installations = new java.util.ArrayList<>();
            for (int i = 0; i < 100; i++) {
                installations.add(Map.of("id", 1_000_000 + page * 100 + i, "app_id",
                        TestApp.APP_ID, "account", Map.of("login", "org" + i, "type",
                                "Organization"),
                        "repository_selection", "all", "permissions", Map.of()));
            }
            fullPages[page] = GitHubStandIn.json(200, installations);
        }
        github.script("GET", "/app/installations", fullPages);

        GitHubCallException failure = org.assertj.core.api.Assertions.catchThrowableOfType(
                GitHubCallException.class, () -> sync().sync(List.of(known(42, "octo"))));

        assertThat(failure).as("a sync that read 100 full pages (10,000 installations)")
                .isNotNull();
        assertThat(failure.error().message()).contains("more than 10000 installations");
        assertThat(github.requests("GET", "/app/installations")).hasSize(100);
        assertThat(github.mintCount()).isZero();
    }

    private InstallationSync sync(java.util.Set<String> leftAlone) {
        AppAuthenticator app = new AppAuthenticator(new AppJwtSigner(TestApp.APP_ID, TestApp
                .privateKey(), harness.clock), new OkHttpTransport(github.apiUrl(),
                        OkHttpTransport.defaultClient()),
                harness.clock);
        return new InstallationSync(AppEnvironments.DEFAULT, TestApp.APP_ID, app,
                new OkHttpTransport(github.apiUrl(), OkHttpTransport.defaultClient()),
                harness.clock, harness.minted::add, leftAlone);
    }

    @Test
    void anInstallationClaimedUnderAnotherAppsEnvironmentIsTakenBackWithNothingOfTheClaim() {
        String listing = "[{\"id\": 42, \"app_id\": 1, \"account\": {\"login\": \"octo\","
                + " \"type\": \"Organization\"}, \"repository_selection\": \"all\","
                + " \"permissions\": {\"contents\": \"read\"}, \"updated_at\":"
                + " \"2026-11-20T12:00:00Z\", \"suspended_at\": null}]";
        github.script("GET", "/app/installations", GitHubStandIn.json(200, listing));
        github.script("GET", "/app/installations", GitHubStandIn.json(200, listing));
        github.script("GET", "/app/installations", GitHubStandIn.json(200, listing));
        InstallationChanged claimed = InstallationChanged.newBuilder(known(42, "octo"))
                .setEnvironment("staging").setStatus(InstallationStatus.DELETED).setRepositories(
                        List.of("elsewhere/planted"))
                .setUpdatedAt(java.time.Instant.parse("2026-11-20T12:00:00Z"))
                .setDeliveryDigests(List.of("sha256:forged")).build();
        InstallationChanged claimedActive = InstallationChanged.newBuilder(claimed).setStatus(
                InstallationStatus.ACTIVE).build();

        List<InstallationChanged> taken = sync(java.util.Set.of()).sync(List.of(claimed));
        List<InstallationChanged> takenFromActive = sync(java.util.Set.of()).sync(List.of(
                claimedActive));
        List<InstallationChanged> sameApp = sync(java.util.Set.of("staging")).sync(List.of(
                claimed));

        assertThat(taken).singleElement().satisfies(state -> {
            assertThat(state.getEnvironment()).isEqualTo(AppEnvironments.DEFAULT);
            assertThat(state.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
            assertThat(state.getRepositories()).as("the claim's repositories").isEmpty();
            assertThat(state.getDeliveryDigests()).as("the claim's digests").isEmpty();
        });
        assertThat(takenFromActive).singleElement().satisfies(state -> assertThat(state
                .getRepositories()).isEmpty());
        assertThat(sameApp).as("an uninstall under an environment of the same App is final")
                .isEmpty();
    }
}
