package dev.tollgate.decision.installations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.decision.kafka.KafkaFixture;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstallationGateTest {

    private final InstallationRegistry registry = new InstallationRegistry();

    static InstallationChanged installation(long id, String environment, String account,
            InstallationStatus status, RepositorySelection selection, String... repositories) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, Clock.systemUTC()))
                .setEnvironment(environment).setAppId("1").setInstallationId(id)
                .setAccount(account).setStatus(status).setRepositorySelection(selection)
                .setRepositories(List.of(repositories)).setPermissions(Map.of())
                .setTrigger("test").setDeliveryId(null).build();
    }

    static PolicyDecided allowed(String environment, String owner, String repo) {
        ToolCallRequested request = KafkaFixture.request("r-1", "bot", "get_file", owner, repo,
                "{}");
        request.setEnvironment(environment);
        return PolicyDecided.newBuilder()
                .setMeta(EventMetas.create(Roles.DECISION_WORKER, "r-1", Clock.systemUTC()))
                .setRequest(request).setAllowed(true).setReason("granted")
                .setPolicyVersion("sha256:x").setPermissions(Map.of("contents", "read"))
                .setRepositories(List.of(owner + "/" + repo)).setRoutingKey(owner)
                .setInstallationId(null).build();
    }

    private InstallationGate gate(InstallationGate.Mode mode, String... dedicated) {
        return new InstallationGate(registry, mode, new AppEnvironments(List.of(dedicated)));
    }

    @Test
    void aCoveredRepositoryCarriesItsInstallationIdAndIsRoutedByIt() {
        registry.apply(installation(77, AppEnvironments.DEFAULT, "myorg",
                InstallationStatus.ACTIVE, RepositorySelection.SELECTED, "myorg/app"));

        var verdict = gate(InstallationGate.Mode.ENFORCE).check(allowed("ci", "MyOrg", "app"));

        PolicyDecided decided = ((InstallationGate.Pass) verdict).decided();
        assertThat(decided.getInstallationId()).isEqualTo(77L);
        assertThat(decided.getRoutingKey()).isEqualTo("77");
    }

    @Test
    void enforceRefusesAnAccountTheRegistryHasNeverSeen() {
        var verdict = gate(InstallationGate.Mode.ENFORCE).check(allowed("ci", "stranger", "x"));

        assertThat(((InstallationGate.Refuse) verdict).reason()).startsWith(
                "the GitHub App is not installed on stranger/x");
    }

    @Test
    void aForgejoCallNeedsNoGitHubInstallationWhateverTheMode() {
        registry.apply(installation(3, AppEnvironments.DEFAULT, "user", InstallationStatus.DELETED,
                RepositorySelection.ALL));
        PolicyDecided forgejo = allowed("ci", "user", "project");
        forgejo.getRequest().setTool("forgejo_get_file");

        var verdict = gate(InstallationGate.Mode.ENFORCE).check(forgejo);

        assertThat(((InstallationGate.Pass) verdict).decided().getInstallationId()).isNull();
        assertThat(gate(InstallationGate.Mode.ENFORCE).check(allowed("ci", "user", "project")))
                .as("the same name on GitHub is still judged").isInstanceOf(
                        InstallationGate.Refuse.class);
    }

    @Test
    void discoverLetsAnUnknownAccountPassWithoutAnInstallationId() {
        PolicyDecided decision = allowed("ci", "stranger", "x");

        var verdict = gate(InstallationGate.Mode.DISCOVER).check(decision);

        assertThat(((InstallationGate.Pass) verdict).decided()).isEqualTo(decision);
    }

    @Test
    void discoverStillRefusesSuspendedAndUninstalledAccounts() {
        registry.apply(
                installation(1, AppEnvironments.DEFAULT, "paused", InstallationStatus.SUSPENDED,
                        RepositorySelection.ALL));
        registry.apply(installation(2, AppEnvironments.DEFAULT, "gone", InstallationStatus.DELETED,
                RepositorySelection.ALL));
        InstallationGate gate = gate(InstallationGate.Mode.DISCOVER);

        var suspended = gate.check(allowed("ci", "paused", "app"));
        var deleted = gate.check(allowed("ci", "gone", "app"));

        assertThat(((InstallationGate.Refuse) suspended).reason()).contains("is suspended");
        assertThat(((InstallationGate.Refuse) deleted).reason()).contains("uninstalled",
                "revoked");
    }

    @Test
    void discoverRefusesARepositoryOutsideAKnownInstallationsSelection() {
        registry.apply(installation(77, AppEnvironments.DEFAULT, "myorg",
                InstallationStatus.ACTIVE, RepositorySelection.SELECTED, "myorg/app"));

        var verdict = gate(InstallationGate.Mode.DISCOVER).check(allowed("ci", "myorg",
                "secrets"));

        assertThat(((InstallationGate.Refuse) verdict).reason()).contains(
                "covers selected repositories only");
    }

    @Test
    void anEnvironmentWithItsOwnAppIsServedOnlyByThatAppsInstallations() {
        registry.apply(installation(77, AppEnvironments.DEFAULT, "myorg",
                InstallationStatus.ACTIVE, RepositorySelection.ALL));
        registry.apply(installation(88, "prod", "myorg", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        InstallationGate gate = gate(InstallationGate.Mode.ENFORCE, "prod", "staging");

        var prod = gate.check(allowed("prod", "myorg", "app"));
        var dev = gate.check(allowed("dev", "myorg", "app"));
        var staging = gate.check(allowed("staging", "myorg", "app"));

        assertThat(((InstallationGate.Pass) prod).decided().getInstallationId()).isEqualTo(88L);
        assertThat(((InstallationGate.Pass) dev).decided().getInstallationId()).isEqualTo(77L);
        assertThat(((InstallationGate.Refuse) staging).reason()).contains(
                "no installation for 'myorg' in environment 'staging'");
    }

    @Test
    void offLetsEverythingPass() {
        PolicyDecided decision = allowed("ci", "stranger", "x");

        assertThat(((InstallationGate.Pass) InstallationGate.off().check(decision)).decided())
                .isEqualTo(decision);
    }
}
