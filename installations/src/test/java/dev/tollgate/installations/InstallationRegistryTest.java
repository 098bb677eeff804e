package dev.tollgate.installations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.schemas.EventMetas;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstallationRegistryTest {

    private final InstallationRegistry registry = new InstallationRegistry();

    static InstallationChanged installation(long id, String env, String account,
            InstallationStatus status, RepositorySelection selection, String... repos) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create("ingress", null, Clock.systemUTC()))
                .setEnvironment(env).setAppId("app-" + env).setInstallationId(id)
                .setAccount(account).setStatus(status).setRepositorySelection(selection)
                .setRepositories(List.of(repos)).setPermissions(Map.of("contents", "write"))
                .setTrigger("test").setDeliveryId("delivery-" + id + "-" + status).build();
    }

    @Test
    void findsTheActiveInstallationCoveringASelectedRepository() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.SELECTED, "octo-org/hello"));

        var lookup = registry.lookup("prod", "Octo-Org", "Hello");

        assertThat(lookup).isEqualTo(new InstallationRegistry.Installed(7, "app-prod", "prod",
                Map.of("contents", "write")));
    }

    @Test
    void refusesARepositoryOutsideTheSelection() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.SELECTED, "octo-org/hello"));

        var lookup = registry.lookup("prod", "octo-org", "secrets");

        assertThat(lookup).isInstanceOf(InstallationRegistry.Refused.class);
        assertThat(((InstallationRegistry.Refused) lookup).reason()).contains(
                "the GitHub App is not installed on octo-org/secrets");
    }

    @Test
    void coversEveryRepositoryOfAnAccountInstalledOnAll() {
        registry.apply(installation(8, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));

        assertThat(registry.lookup("prod", "octo-org", "anything")).isInstanceOf(
                InstallationRegistry.Installed.class);
    }

    @Test
    void refusesAnUnknownAccountWithAReadableReason() {
        var lookup = (InstallationRegistry.Refused) registry.lookup("prod", "nobody", "repo");

        assertThat(lookup.reason()).isEqualTo("the GitHub App is not installed on nobody/repo "
                + "(no installation for 'nobody' in environment 'prod')");
    }

    @Test
    void refusesASuspendedInstallation() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.SUSPENDED,
                RepositorySelection.ALL));

        assertThat(((InstallationRegistry.Refused) registry.lookup("prod", "octo-org", "hello"))
                .reason()).contains("is suspended");
    }

    @Test
    void refusesEverythingOnceTheInstallationIsDeleted() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL));

        assertThat(((InstallationRegistry.Refused) registry.lookup("prod", "octo-org", "hello"))
                .reason()).contains("uninstalled", "revoked");
    }

    @Test
    void keepsEnvironmentsApart() {
        registry.apply(installation(7, "dev", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));

        assertThat(registry.lookup("prod", "octo-org", "hello")).isInstanceOf(
                InstallationRegistry.Refused.class);
        assertThat(registry.lookup("dev", "octo-org", "hello")).isInstanceOf(
                InstallationRegistry.Installed.class);
    }

    @Test
    void tellsListenersOfEveryChange() {
        List<InstallationStatus> seen = new ArrayList<>();
        registry.addListener(change -> seen.add(change.getStatus()));

        registry.apply(installation(7, "prod", "o", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        registry.apply(installation(7, "prod", "o", InstallationStatus.DELETED,
                RepositorySelection.ALL));

        assertThat(seen).containsExactly(InstallationStatus.ACTIVE, InstallationStatus.DELETED);
    }

    @Test
    void remembersDeliveriesItHasSeen() {
        registry.apply(installation(7, "prod", "o", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));

        assertThat(registry.seenDelivery("delivery-7-ACTIVE")).isTrue();
        assertThat(registry.seenDelivery("delivery-other")).isFalse();
        assertThat(registry.seenDelivery(null)).isFalse();
    }

    @Test
    void aReinstallAfterAnUninstallIsServedWhateverOrderTheTopicIsReadIn() {
        InstallationChanged uninstalled = installation(7, "prod", "octo-org",
                InstallationStatus.DELETED, RepositorySelection.ALL);
        InstallationChanged reinstalled = installation(9, "prod", "octo-org",
                InstallationStatus.ACTIVE, RepositorySelection.SELECTED, "octo-org/hello");

        registry.apply(reinstalled);
        registry.apply(uninstalled);

        assertThat(registry.lookup("prod", "octo-org", "hello")).isEqualTo(
                new InstallationRegistry.Installed(9, "app-prod", "prod", Map.of("contents",
                        "write")));
        assertThat(((InstallationRegistry.Refused) registry.lookup("prod", "octo-org", "other"))
                .reason()).contains("covers selected repositories only");
    }

    @Test
    void knowsAnAccountOnlyOnceAnInstallationOfItWasSeenInThatEnvironment() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL));

        assertThat(registry.knows("prod", "Octo-Org")).isTrue();
        assertThat(registry.knows("dev", "octo-org")).isFalse();
        assertThat(registry.knows("prod", "someone-else")).isFalse();
    }

    @Test
    void anEnvironmentWithoutAnAppOfItsOwnIsServedByTheDefaultApp() {
        AppEnvironments environments = new AppEnvironments(List.of("prod"));

        assertThat(environments.appEnvironment("prod")).isEqualTo("prod");
        assertThat(environments.appEnvironment("dev")).isEqualTo(AppEnvironments.DEFAULT);
        assertThat(environments.appEnvironment(null)).isEqualTo(AppEnvironments.DEFAULT);
    }

    @Test
    void aChangeAppliedAheadOfTheFeedIsNotUndoneByOlderRecordsTheFeedReadsAfterIt() {
        InstallationChanged added = installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.SELECTED, "octo-org/hello", "octo-org/space");
        InstallationChanged removed = installation(7, "prod", "octo-org",
                InstallationStatus.ACTIVE, RepositorySelection.SELECTED, "octo-org/space");
        registry.applyAhead(added);
        registry.applyAhead(removed);

        registry.apply(added); // the feed catches up, one record behind
        assertThat(registry.current(7)).contains(removed);
        assertThat(registry.seenDelivery(added.getDeliveryId())).isTrue();

        registry.apply(removed);
        InstallationChanged deleted = installation(7, "prod", "octo-org",
                InstallationStatus.DELETED, RepositorySelection.SELECTED, "octo-org/space");
        registry.apply(deleted); // from another replica, after ours: the feed leads again
        assertThat(registry.current(7)).contains(deleted);
    }

    @Test
    void aChangeTheFeedReadBeforeItWasAppliedAheadDoesNotHoldBackNewerRecords() {
        InstallationChanged first = installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL);
        InstallationChanged newer = installation(7, "prod", "octo-org",
                InstallationStatus.SUSPENDED, RepositorySelection.ALL);
        registry.apply(first);
        registry.apply(newer);

        registry.applyAhead(first); // the publisher returns after the feed has read on

        assertThat(registry.current(7)).contains(newer);
        InstallationChanged latest = installation(7, "prod", "octo-org",
                InstallationStatus.DELETED, RepositorySelection.ALL);
        registry.apply(latest);
        assertThat(registry.current(7)).contains(latest);
    }

    @Test
    void listenersHearAChangeOnceWhenItIsAppliedAheadAndThenRead() {
        List<InstallationChanged> heard = new ArrayList<>();
        registry.addListener(heard::add);
        InstallationChanged change = installation(7, "prod", "octo-org",
                InstallationStatus.ACTIVE, RepositorySelection.ALL);

        registry.applyAhead(change);
        registry.apply(change);

        assertThat(heard).containsExactly(change);
    }

    @Test
    void aStateWrittenAfterAnUninstallDoesNotReviveTheInstallation() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL));
        List<InstallationStatus> heard = new ArrayList<>();
        registry.addListener(change -> heard.add(change.getStatus()));

        // a sync's listing taken before the uninstall, written after it
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        registry.applyAhead(installation(7, "prod", "octo-org", InstallationStatus.SUSPENDED,
                RepositorySelection.ALL));

        assertThat(registry.lookup("prod", "octo-org", "hello")).isInstanceOf(
                InstallationRegistry.Refused.class);
        assertThat(registry.current(7)).hasValueSatisfying(state -> assertThat(state
                .getStatus()).isEqualTo(InstallationStatus.DELETED));
        assertThat(heard).as("listeners hear of no revival").isEmpty();
        assertThat(registry.lastRecordRevives(7)).as("the topic's last record revives it")
                .isTrue();
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL)); // the uninstall written again
        assertThat(registry.lastRecordRevives(7)).isFalse();
    }

    @Test
    void anUninstallRecordedAfterThisProcesssOwnChangeIsTheLastRecord() {
        InstallationChanged ours = installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL);
        registry.applyAhead(ours);
        registry.apply(ours);
        assertThat(registry.lastRecordRevives(7)).as("active, not uninstalled").isFalse();

        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL));

        assertThat(registry.current(7)).hasValueSatisfying(state -> assertThat(state
                .getStatus()).isEqualTo(InstallationStatus.DELETED));
        assertThat(registry.lastRecordRevives(7)).as("the uninstall is the last record")
                .isFalse();
    }

    @Test
    void anUninstallRecordedByAnotherProcessIsFoldedWhileThisOnesOwnChangeIsAwaited() {
        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.ALL));
        InstallationChanged ours = installation(7, "prod", "octo-org", InstallationStatus.ACTIVE,
                RepositorySelection.SELECTED, "octo-org/hello");
        registry.applyAhead(ours); // published by this process, written after the uninstall

        registry.apply(installation(7, "prod", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL)); // the feed reads the uninstall first
        registry.apply(ours);

        assertThat(registry.lookup("prod", "octo-org", "hello")).isInstanceOf(
                InstallationRegistry.Refused.class);
        assertThat(registry.lastRecordRevives(7)).as("our state came after the uninstall")
                .isTrue();
    }

    private static InstallationChanged by(String trigger, InstallationChanged state) {
        return InstallationChanged.newBuilder(state).setTrigger(trigger).build();
    }

    @Test
    void onlyAnotherEnvironmentsSyncTakesBackAnInstallationRecordedUninstalledUnderAnEnvironment() {
        // a delivery signed with staging's webhook secret claimed prod's installation uninstalled
        registry.apply(installation(7, "staging", "octo-org", InstallationStatus.DELETED,
                RepositorySelection.ALL));
        List<InstallationChanged> heard = new ArrayList<>();
        registry.addListener(heard::add);

        // neither a webhook's state of another environment nor a sync of the same one revives it
        registry.apply(by("installation.created", installation(7, "prod", "octo-org",
                InstallationStatus.ACTIVE, RepositorySelection.ALL)));
        registry.apply(by(InstallationRegistry.SYNC, installation(7, "staging", "octo-org",
                InstallationStatus.ACTIVE, RepositorySelection.ALL)));
        assertThat(heard).isEmpty();
        assertThat(registry.lookup("prod", "octo-org", "hello")).isInstanceOf(
                InstallationRegistry.Refused.class);

        // prod's sync, which GitHub answered under prod's App's own JWT, takes it back
        InstallationChanged taken = by(InstallationRegistry.SYNC, installation(7, "prod",
                "octo-org", InstallationStatus.ACTIVE, RepositorySelection.ALL));
        registry.apply(taken);

        assertThat(heard).containsExactly(taken);
        assertThat(registry.lookup("prod", "octo-org", "hello")).isInstanceOf(
                InstallationRegistry.Installed.class);
        assertThat(registry.knows("staging", "octo-org")).as("no longer staging's").isFalse();
        assertThat(registry.lastRecordRevives(7)).isFalse();
    }
}
