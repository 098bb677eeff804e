package dev.tollgate.executor.installations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.core.AppAuthenticator;
import dev.tollgate.executor.core.AppJwtSigner;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InstallationSync;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.installations.InstallationWebhooks;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.tollgate.schemas.EventSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whoever holds one environment's webhook secret signs a delivery for an installation ID another
 * environment's App has (or will have: IDs are global and handed out in order), before that
 * environment records it: "uninstalled", dated now. The ingress records it under the forger's
 * environment; from then on the owning environment's genuine deliveries are refused as another
 * environment's, and an uninstall is final. The owning environment's sync, which GitHub answers
 * under that App's own JWT (installation IDs never move between Apps), takes it back: the
 * registries reading along, and one started later from what compaction keeps, serve it again.
 */
@WithKafka
class InstallationClaimIntegrationTest {

    private static final String FORGER = "staging";

    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closing.reversed()) {
            closeable.close();
        }
    }

    private final class World {

        final long claimed = 900_000 + (System.nanoTime() & 0xffff);
        final String owner = "victim-" + claimed;
        final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
                clock);
        final GitHubTransport appCalls = new OkHttpTransport(github.apiUrl(), OkHttpTransport
                .defaultClient());
        final KafkaProducer<String, SpecificRecord> producer;
        final InstallationRegistry registry = new InstallationRegistry();
        final InstallationRegistryFeed feed;
        final KafkaTestBroker broker;
        final InstallationWebhooks webhooks = new InstallationWebhooks(Roles.INGRESS, clock);

        World(KafkaTestBroker broker) throws Exception {
            this.broker = broker;
            try (Admin admin = broker.admin()) {
                new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics
                        .all());
            }
            closing.add(github);
            github.repository(owner, "site", claimed);
            producer = new KafkaProducer<>(broker.producerProps(), new StringSerializer(),
                    new EventSerializer<>());
            closing.add(producer);
            feed = feed(registry);
        }

        InstallationRegistryFeed feed(InstallationRegistry into) throws InterruptedException {
            InstallationRegistryFeed started = new InstallationRegistryFeed(broker.consumerProps(
                    "unused"), Topics.INSTALLATIONS.name(), into).start();
            closing.add(started);
            assertThat(started.awaitCaughtUp(Duration.ofSeconds(60))).as("the registry loads")
                    .isTrue();
            return started;
        }

        /**
         * Interprets a verified delivery as the ingress does (against the registry, which has read
         * the topic to its end) and records what it changes.
         */
        InstallationWebhooks.Outcome deliver(String environment, String action,
                Instant updatedAt) throws Exception {
            assertThat(feed.awaitCurrent(Duration.ofSeconds(60))).isTrue();
            String body = "{\"action\": \"" + action + "\", \"installation\": {\"id\": "
                    + claimed + ", \"app_id\": 4242, \"account\": {\"login\": \""
                    + owner + "\", \"type\": \"Organization\"}, \"repository_selection\":"
                    + " \"selected\", \"permissions\": {\"contents\": \"write\"}, \"updated_at\":"
                    + " \"" + updatedAt
                    + "\", \"suspended_at\": null}, \"repositories\": [{\"full_name\":"
                    + " \"" + owner + "/site\"}]}";
            InstallationWebhooks.Outcome outcome = webhooks.interpret("installation",
                    KafkaTestBroker.uniqueName("delivery"), environment, body.getBytes(
                            StandardCharsets.UTF_8),
                    registry::current);
            if (outcome instanceof InstallationWebhooks.Changed changed) {
                producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(
                        claimed), changed.change())).get(30, TimeUnit.SECONDS);
                assertThat(feed.awaitCurrent(Duration.ofSeconds(60))).isTrue();
            }
            return outcome;
        }

        InstallationSyncService sync(Set<String> leftAlone) {
            InstallationSync sync = new InstallationSync(AppEnvironments.DEFAULT, TestApp.APP_ID,
                    new AppAuthenticator(new AppJwtSigner(TestApp.APP_ID, TestApp.privateKey(),
                            clock), appCalls, clock),
                    appCalls, clock, minted -> {
                    }, leftAlone);
            return new InstallationSyncService(List.of(sync), registry, feed::awaitCurrent,
                    producer, clock, false, Duration.ZERO);
        }

        InstallationRegistry.Lookup lookup(InstallationRegistry in) {
            return in.lookup(AppEnvironments.DEFAULT, owner, "site");
        }
    }

    @Test
    void anotherEnvironmentsClaimOfAnInstallationIsTakenBackByTheOwningAppsSync(
            KafkaTestBroker broker) throws Exception {
        World world = new World(broker);
        // the forger's delivery: an installation ID the default environment's App holds, not
        // yet recorded, "uninstalled" now, signed with staging's webhook secret
        assertThat(world.deliver(FORGER, "deleted", clock.instant())).isInstanceOf(
                InstallationWebhooks.Changed.class);
        // the lock-out: the owning environment's genuine delivery is refused
        assertThat(world.deliver(AppEnvironments.DEFAULT, "created", clock.instant()))
                .isInstanceOf(InstallationWebhooks.Stale.class);
        assertThat(world.lookup(world.registry)).isInstanceOf(
                InstallationRegistry.Refused.class);

        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        InstallationSyncService.Report report;
        try {
            report = world.sync(Set.of()).syncNow();
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
        }

        assertThat(report.ok()).as("%s", report).isTrue();
        assertThat(meters
                .find(dev.tollgate.executor.metrics.ExecutorMetrics.INSTALLATIONS_RECLAIMED)
                .tags("environment", AppEnvironments.DEFAULT, "claimed_by", FORGER).counter())
                .as("the reclaim counted").isNotNull().extracting(
                        io.micrometer.core.instrument.Counter::count)
                .isEqualTo(1.0);
        assertThat(world.feed.awaitCurrent(Duration.ofSeconds(60))).isTrue();
        InstallationChanged taken = world.registry.current(world.claimed).orElseThrow();
        assertThat(taken.getEnvironment()).as("%s", taken).isEqualTo(AppEnvironments.DEFAULT);
        assertThat(taken.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(taken.getRepositories()).as("read from GitHub, nothing of the claim's")
                .containsExactly(world.owner + "/site");
        assertThat(world.lookup(world.registry)).as("the registry reading along").isInstanceOf(
                InstallationRegistry.Installed.class);
        InstallationRegistry later = new InstallationRegistry();
        world.feed(later);
        assertThat(world.lookup(later)).as("a registry started from the topic").isInstanceOf(
                InstallationRegistry.Installed.class);
        // the owning environment's deliveries apply again; the forger's are refused now
        assertThat(world.deliver(FORGER, "deleted", clock.instant())).as(
                "the forger's delivery now").isInstanceOf(InstallationWebhooks.Stale.class);
        assertThat(world.deliver(AppEnvironments.DEFAULT, "suspend", clock.instant()))
                .isInstanceOf(InstallationWebhooks.Changed.class);
        assertThat(world.registry.current(world.claimed).map(InstallationChanged::getStatus))
                .hasValue(InstallationStatus.SUSPENDED);
    }

    @Test
    void anUninstallRecordedUnderAnEnvironmentOfTheSameAppStands(KafkaTestBroker broker)
            throws Exception {
        World world = new World(broker);
        assertThat(world.deliver(FORGER, "deleted", clock.instant())).isInstanceOf(
                InstallationWebhooks.Changed.class);

        // staging is served by the same App: its uninstall is GitHub's, and final
        InstallationSyncService.Report report = world.sync(Set.of(FORGER)).syncNow();

        assertThat(report.ok()).as("%s", report).isTrue();
        assertThat(world.feed.awaitCurrent(Duration.ofSeconds(60))).isTrue();
        InstallationChanged held = world.registry.current(world.claimed).orElseThrow();
        assertThat(held.getEnvironment()).isEqualTo(FORGER);
        assertThat(held.getStatus()).isEqualTo(InstallationStatus.DELETED);
        assertThat(held.getTrigger()).as("nothing written over the uninstall").isEqualTo(
                "installation.deleted");
        assertThat(world.lookup(world.registry)).isInstanceOf(
                InstallationRegistry.Refused.class);
    }
}
