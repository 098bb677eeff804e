package dev.tollgate.installations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.schemas.EventMetas;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replays and out-of-order deliveries of signed webhook bodies, before and after a restart. A
 * "restart" is a fresh registry fed what the compacted installations topic keeps: the last state
 * published per installation. GitHub's real payloads (@octokit/webhooks-examples) are the bodies,
 * with the installation's {@code updated_at} (and account, selection, repositories) set per case.
 */
class WebhookOrderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long ID = 16598467L; // the installation of the suspend/unsuspend examples

    private final InstallationWebhooks webhooks = new InstallationWebhooks("ingress", Clock.fixed(
            Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC));
    private InstallationRegistry registry = new InstallationRegistry();
    private final List<InstallationChanged> topic = new ArrayList<>();

    /** A real example body with the installation's updated_at (and more) set. */
    private static byte[] body(String fixture, String updatedAt, String... repositories) {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.webhook(fixture));
        ObjectNode installation = (ObjectNode) payload.get("installation");
        installation.put("updated_at", updatedAt);
        // one App's installation (octokit's examples come from two Apps; an App ID never changes)
        installation.put("app_id", 29310);
        ((ObjectNode) installation.get("account")).put("login", "other");
        installation.put("repository_selection", "selected");
        if (repositories.length > 0) {
            ArrayNode list = payload.putArray("repositories");
            long repositoryId = 1000;
            for (String name : repositories) {
                list.addObject().put("id", repositoryId++).put("node_id", "R_" + repositoryId)
                        .put("name", name.substring(name.indexOf('/') + 1)).put("full_name",
                                name)
                        .put("private", true);
            }
        }
        return JSON.writeValueAsBytes(payload);
    }

    /** Delivers as the ingress does: under a fresh delivery ID, published if changed. */
    private InstallationWebhooks.Outcome deliver(String event, byte[] body) {
        InstallationWebhooks.Outcome outcome = webhooks.interpret(event, UUID.randomUUID()
                .toString(), "default", body, registry::current);
        if (outcome instanceof InstallationWebhooks.Changed changed) {
            topic.add(changed.change());
            registry.apply(changed.change());
        }
        return outcome;
    }

    private void restart() {
        Map<Long, InstallationChanged> compacted = new LinkedHashMap<>();
        topic.forEach(state -> compacted.put(state.getInstallationId(), state));
        registry = new InstallationRegistry();
        compacted.values().forEach(registry::apply);
    }

    private void known(InstallationStatus status, String... repositories) {
        InstallationChanged state = InstallationChanged.newBuilder().setMeta(EventMetas.create(
                "executor-worker", null, Clock.systemUTC())).setEnvironment("default").setAppId(
                        "29310")
                .setInstallationId(ID).setAccount("other").setStatus(status)
                .setRepositorySelection(RepositorySelection.SELECTED).setRepositories(List.of(
                        repositories))
                .setPermissions(Map.of("contents", "write")).setTrigger("sync").build();
        topic.add(state);
        registry.apply(state);
    }

    private InstallationStatus status() {
        return registry.current(ID).orElseThrow().getStatus();
    }

    @Test
    void aCapturedUnsuspendReplayedAfterALaterSuspendAndARestartChangesNothing() {
        byte[] unsuspend = body("installation.unsuspend.1", "2026-11-01T10:00:00Z");
        byte[] suspend = body("installation.suspend.1", "2026-11-20T10:00:00Z");
        deliver("installation", body("installation.suspend.1", "2026-10-01T10:00:00Z",
                "other/app"));
        deliver("installation", unsuspend);
        deliver("installation", suspend);

        restart();
        var replayed = deliver("installation", unsuspend);

        assertThat(replayed).isInstanceOf(InstallationWebhooks.Stale.class);
        assertThat(((InstallationWebhooks.Stale) replayed).reason()).contains("older");
        assertThat(status()).isEqualTo(InstallationStatus.SUSPENDED);
        assertThat(registry.lookup("default", "other", "app")).isInstanceOf(
                InstallationRegistry.Refused.class);
    }

    @Test
    void aReplayedBodyOfTheSameMomentIsRecognisedAfterARestart() {
        deliver("installation", body("installation.unsuspend.1", "2026-11-01T10:00:00Z",
                "other/app"));
        byte[] added = body("installation_repositories.added.1", "2026-11-02T10:00:00Z");
        byte[] removed = body("installation_repositories.removed.1", "2026-11-02T10:00:00Z");
        ObjectNode addedPayload = (ObjectNode) JSON.readTree(added);
        ((ObjectNode) addedPayload.get("installation")).put("id", ID);
        ((ObjectNode) addedPayload.withArray("repositories_added").get(0)).put("full_name",
                "other/secrets");
        added = JSON.writeValueAsBytes(addedPayload);
        ObjectNode removedPayload = (ObjectNode) JSON.readTree(removed);
        ((ObjectNode) removedPayload.get("installation")).put("id", ID);
        ((ObjectNode) removedPayload.withArray("repositories_removed").get(0)).put("full_name",
                "other/secrets");
        removed = JSON.writeValueAsBytes(removedPayload);
        deliver("installation_repositories", added);
        deliver("installation_repositories", removed);

        restart();
        var replayed = deliver("installation_repositories", added);

        assertThat(replayed).isInstanceOf(InstallationWebhooks.Duplicate.class);
        assertThat(registry.current(ID).orElseThrow().getRepositories()).containsExactly(
                "other/app");
        assertThat(registry.lookup("default", "other", "secrets")).isInstanceOf(
                InstallationRegistry.Refused.class);
    }

    @Test
    void nothingRevivesAnUninstalledInstallation() {
        deliver("installation", body("installation.unsuspend.1", "2026-11-01T10:00:00Z",
                "other/app"));
        byte[] deleted = body("installation.deleted.1", "2026-11-05T10:00:00Z");
        ObjectNode deletedPayload = (ObjectNode) JSON.readTree(deleted);
        ((ObjectNode) deletedPayload.get("installation")).put("id", ID);
        deliver("installation", JSON.writeValueAsBytes(deletedPayload));

        restart();
        var later = deliver("installation", body("installation.unsuspend.1",
                "2026-11-09T10:00:00Z", "other/app"));

        assertThat(later).isInstanceOf(InstallationWebhooks.Stale.class);
        assertThat(status()).isEqualTo(InstallationStatus.DELETED);
    }

    @Test
    void unsuspendRestoresTheRepositoriesSuspendKeptAndNothingMore() {
        known(InstallationStatus.ACTIVE, "other/app", "other/docs");

        deliver("installation", body("installation.suspend.1", "2026-11-01T10:00:00Z"));
        var suspended = registry.lookup("default", "other", "app");
        deliver("installation", body("installation.unsuspend.1", "2026-11-02T10:00:00Z"));

        assertThat(suspended).isInstanceOf(InstallationRegistry.Refused.class);
        assertThat(status()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(registry.current(ID).orElseThrow().getRepositories()).containsExactly(
                "other/app", "other/docs");
        assertThat(registry.lookup("default", "other", "app")).isInstanceOf(
                InstallationRegistry.Installed.class);
        assertThat(registry.lookup("default", "other", "secrets")).isInstanceOf(
                InstallationRegistry.Refused.class);
    }

    @Test
    void anUnsuspendThatListsTheRepositoryGrantsItAtOnce() {
        known(InstallationStatus.SUSPENDED); // a sync cannot list a suspended one's repositories
        deliver("installation", body("installation.suspend.1", "2026-11-01T10:00:00Z"));

        var outcome = deliver("installation", body("installation.unsuspend.1",
                "2026-11-02T10:00:00Z", "other/app"));

        assertThat(outcome).isInstanceOf(InstallationWebhooks.Changed.class);
        assertThat(registry.lookup("default", "other", "app")).as("the repository the"
                + " unsuspend delivery lists").isInstanceOf(InstallationRegistry.Installed.class);
        assertThat(registry.lookup("default", "other", "secrets")).isInstanceOf(
                InstallationRegistry.Refused.class);
    }

    @Test
    void aDeliveryDatedLaterThanNowIsRefusedSoItCannotMakeTheGenuineOnesStale() {
        byte[] squat = body("installation.suspend.1", "2099-01-01T00:00:00Z", "other/app");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.interpret(
                "installation", "d", "staging", squat, registry::current)).isInstanceOf(
                        MalformedWebhookException.class)
                .hasMessageContaining(
                        "later than now");
        var genuine = deliver("installation", body("installation.unsuspend.1",
                "2026-12-03T11:00:00Z", "other/app"));
        var withinSkew = deliver("installation", body("installation.suspend.1",
                "2026-12-03T12:04:00Z", "other/app"));

        assertThat(genuine).isInstanceOf(InstallationWebhooks.Changed.class);
        assertThat(withinSkew).as("GitHub's clock a few minutes ahead").isInstanceOf(
                InstallationWebhooks.Changed.class);
        assertThat(registry.current(ID).orElseThrow().getEnvironment()).isEqualTo("default");
        assertThat(status()).isEqualTo(InstallationStatus.SUSPENDED);
    }

    @Test
    void aDeliveryWithoutUpdatedAtCannotBeOrderedAndIsRefused() {
        ObjectNode payload = (ObjectNode) JSON.readTree(Fixtures.webhook(
                "installation.unsuspend.1"));
        ((ObjectNode) payload.get("installation")).remove("updated_at");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> webhooks.interpret(
                "installation", "d", "default", JSON.writeValueAsBytes(payload),
                id -> Optional.empty())).isInstanceOf(MalformedWebhookException.class)
                .hasMessageContaining("updated_at");
    }
}
