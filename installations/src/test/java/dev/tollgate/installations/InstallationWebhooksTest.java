package dev.tollgate.installations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstallationWebhooksTest {

    private final InstallationWebhooks webhooks = new InstallationWebhooks("ingress", Clock.fixed(
            Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC));
    private final Map<Long, InstallationChanged> state = new HashMap<>();

    private InstallationWebhooks.Outcome deliver(String event, String fixture) {
        var outcome = webhooks.interpret(event, "delivery-" + fixture, "prod", Fixtures.webhook(
                fixture), id -> Optional.ofNullable(state.get(id)));
        if (outcome instanceof InstallationWebhooks.Changed changed) {
            state.put(changed.change().getInstallationId(), changed.change());
        }
        return outcome;
    }

    private InstallationChanged changed(String event, String fixture) {
        var outcome = deliver(event, fixture);
        assertThat(outcome).isInstanceOf(InstallationWebhooks.Changed.class);
        return ((InstallationWebhooks.Changed) outcome).change();
    }

    @Test
    void createdRecordsTheAccountRepositoriesAndPermissions() {
        InstallationChanged change = changed("installation", "installation.created.1");

        assertThat(change.getInstallationId()).isEqualTo(957387L);
        assertThat(change.getAppId()).isEqualTo("29310");
        assertThat(change.getAccount()).isEqualTo("codertocat");
        assertThat(change.getAccountType()).isEqualTo("User");
        assertThat(change.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(change.getRepositorySelection()).isEqualTo(RepositorySelection.SELECTED);
        assertThat(change.getRepositories()).containsExactly("codertocat/hello-world");
        assertThat(change.getPermissions()).containsEntry("contents", "write");
        assertThat(change.getTrigger()).isEqualTo("installation.created");
        assertThat(change.getDeliveryId()).isEqualTo("delivery-installation.created.1");
        assertThat(change.getEnvironment()).isEqualTo("prod");
    }

    @Test
    void repositoriesAddedAreAddedToTheKnownOnes() {
        changed("installation", "installation.created.1");

        InstallationChanged change = changed("installation_repositories",
                "installation_repositories.added.1");

        assertThat(change.getRepositories()).containsExactly("codertocat/hello-world",
                "codertocat/space");
        assertThat(change.getTrigger()).isEqualTo("installation_repositories.added");
    }

    @Test
    void repositoriesRemovedAreRemovedFromTheKnownOnes() {
        changed("installation", "installation.deleted.1"); // installation 2 with Hello-World
        state.put(2L, InstallationChanged.newBuilder(state.get(2L)).setStatus(
                InstallationStatus.ACTIVE).build());

        InstallationChanged change = changed("installation_repositories",
                "installation_repositories.removed.1");

        assertThat(change.getRepositories()).isEmpty();
        assertThat(change.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
    }

    private InstallationWebhooks.Outcome deliverAs(String environment, String action,
            String appId) {
        String body = "{\"action\":\"" + action + "\",\"installation\":{\"id\":957387,"
                + (appId == null ? "" : "\"app_id\":" + appId + ",")
                + "\"account\":{\"login\":\"codertocat\",\"type\":\"User\"},"
                + "\"repository_selection\":\"all\",\"permissions\":{\"contents\":\"write\"},"
                + "\"updated_at\":\"2026-11-21T11:59:00Z\"},\"repositories\":[]}";
        return webhooks.interpret("installation", "d-" + environment + "-" + action, environment,
                body.getBytes(StandardCharsets.UTF_8), id -> Optional.ofNullable(state.get(id)));
    }

    @Test
    void anotherEnvironmentsSecretCannotDeleteSuspendOrTakeOverAnInstallation() {
        InstallationChanged prod = changed("installation", "installation.created.1");

        for (String action : java.util.List.of("deleted", "suspend", "created",
                "new_permissions_accepted")) {
            InstallationWebhooks.Outcome outcome = deliverAs("staging", action, null);

            assertThat(outcome).as(action).isInstanceOfSatisfying(
                    InstallationWebhooks.Stale.class, stale -> assertThat(stale.reason())
                            .contains("installation 957387").contains("'prod'").contains(
                                    "'staging'")
                            .contains("not applied"));
        }
        assertThat(state.get(957387L)).isEqualTo(prod);
    }

    @Test
    void aDeliveryNamingAnotherAppThanTheInstallationsIsNotApplied() {
        InstallationChanged prod = changed("installation", "installation.created.1");

        InstallationWebhooks.Outcome outcome = deliverAs("prod", "deleted", "77777");

        assertThat(outcome).isInstanceOfSatisfying(InstallationWebhooks.Stale.class,
                stale -> assertThat(stale.reason()).contains("App 29310").contains("App 77777"));
        assertThat(state.get(957387L)).isEqualTo(prod);
        assertThat(deliverAs("prod", "deleted", "29310")).as("its own environment and App")
                .isInstanceOf(InstallationWebhooks.Changed.class);
    }

    @Test
    void anInstallationASyncRecordedUnderTheAppsClientIdStillTakesItsUninstall() {
        InstallationChanged synced = changed("installation", "installation.created.1");
        synced.setAppId("Iv23liTESTCLIENTID"); // as a sync records an App configured by client ID
        state.put(957387L, synced);

        InstallationWebhooks.Outcome outcome = deliverAs("prod", "deleted", "29310");

        assertThat(outcome).isInstanceOfSatisfying(InstallationWebhooks.Changed.class,
                changed -> assertThat(changed.change().getStatus()).isEqualTo(
                        InstallationStatus.DELETED));
    }

    @Test
    void deletedMarksTheInstallationDeleted() {
        InstallationChanged change = changed("installation", "installation.deleted.1");

        assertThat(change.getStatus()).isEqualTo(InstallationStatus.DELETED);
        assertThat(change.getAccount()).isEqualTo("octocat");
    }

    @Test
    void suspendAndUnsuspendToggleTheStatus() {
        assertThat(changed("installation", "installation.suspend.1").getStatus()).isEqualTo(
                InstallationStatus.SUSPENDED);
        assertThat(changed("installation", "installation.unsuspend.1").getStatus()).isEqualTo(
                InstallationStatus.ACTIVE);
    }

    @Test
    void newPermissionsAcceptedUpdatesPermissionsAndKeepsRepositories() {
        changed("installation", "installation.created.1");
        changed("installation_repositories", "installation_repositories.added.1");

        InstallationChanged change = changed("installation",
                "installation.new_permissions_accepted.1");

        assertThat(change.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(change.getRepositories()).contains("codertocat/space");
        assertThat(change.getRepositorySelection()).isEqualTo(RepositorySelection.ALL);
    }

    @Test
    void pingAndUntrackedEventsAreIgnored() {
        assertThat(deliver("ping", "ping.ping.1")).isInstanceOf(InstallationWebhooks.Ignored.class);
        assertThat(webhooks.interpret("push", "d", "prod", "{}".getBytes(StandardCharsets.UTF_8),
                id -> Optional.empty())).isInstanceOf(InstallationWebhooks.Ignored.class);
        assertThat(webhooks.interpret("installation", "d", "prod",
                "{\"action\":\"renamed\",\"installation\":{\"id\":5,\"account\":{\"login\":\"o\"}}}"
                        .getBytes(StandardCharsets.UTF_8),
                id -> Optional.empty()))
                .isInstanceOf(InstallationWebhooks.Ignored.class);
    }

    @Test
    void refusesMalformedBodiesWithTheReason() {
        assertThatThrownBy(() -> webhooks.interpret("installation", "d", "prod", "not json"
                .getBytes(StandardCharsets.UTF_8), id -> Optional.empty()))
                .isInstanceOf(MalformedWebhookException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> webhooks.interpret("installation", "d", "prod", "[1]"
                .getBytes(StandardCharsets.UTF_8), id -> Optional.empty()))
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> webhooks.interpret("installation", "d", "prod",
                "{\"action\":\"created\",\"installation\":{\"account\":{\"login\":\"o\"}}}"
                        .getBytes(StandardCharsets.UTF_8),
                id -> Optional.empty()))
                .hasMessageContaining("installation.id");
        assertThatThrownBy(() -> webhooks.interpret("installation", "d", "prod",
                "{\"installation\":{\"id\":1}}".getBytes(StandardCharsets.UTF_8),
                id -> Optional.empty())).hasMessageContaining("'action'");
        assertThatThrownBy(() -> webhooks.interpret("installation", "d", "prod", new byte[0],
                id -> Optional.empty())).hasMessageContaining("empty body");
        assertThatThrownBy(() -> webhooks.interpret(null, "d", "prod", new byte[0],
                id -> Optional.empty())).hasMessageContaining("X-GitHub-Event");
    }

    @Test
    void keepsNoSecretOrTokenFromThePayload() {
        InstallationChanged change = changed("installation", "installation.created.1");

        assertThat(change.toString()).doesNotContain("access_tokens_url", "token", "sender");
    }
}
