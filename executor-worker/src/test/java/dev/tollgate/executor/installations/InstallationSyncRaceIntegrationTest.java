package dev.tollgate.executor.installations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.core.AppAuthenticator;
import dev.tollgate.executor.core.AppJwtSigner;
import dev.tollgate.executor.core.ForwardingTransport;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.InstallationSync;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An uninstall recorded on {@code gateway.installations} while a sync runs — after GitHub's listing
 * (which still names the installation), before the sync writes — stays recorded: the sync does not
 * write the listing's older state over it, so neither a registry reading along nor one started
 * later from what compaction keeps (the last record per installation) sees it active again.
 */
@WithKafka
class InstallationSyncRaceIntegrationTest {

    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closing.reversed()) {
            closeable.close();
        }
    }

    /** GitHub, the topic, a registry reading along, and the two installations. */
    private final class World {

        final long uninstalled = 800_000 + (System.nanoTime() & 0xffff);
        final long kept = uninstalled + 100_000;
        final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
                clock);
        final GitHubTransport appCalls = new OkHttpTransport(github.apiUrl(), OkHttpTransport
                .defaultClient());
        final KafkaProducer<String, SpecificRecord> producer;
        final InstallationRegistry registry = new InstallationRegistry();
        final InstallationRegistryFeed feed;
        final AtomicBoolean uninstallRecorded = new AtomicBoolean();

        World(KafkaTestBroker broker) throws Exception {
            try (Admin admin = broker.admin()) {
                new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics
                        .all());
            }
            closing.add(github);
            github.repository("acme-" + uninstalled, "site", uninstalled);
            github.repository("acme-" + kept, "app", kept);
            producer = new KafkaProducer<>(broker.producerProps(), new StringSerializer(),
                    new EventSerializer<>());
            closing.add(producer);
            feed = new InstallationRegistryFeed(broker.consumerProps("unused"),
                    Topics.INSTALLATIONS.name(), registry).start();
            closing.add(feed);
            assertThat(feed.awaitCaughtUp(Duration.ofSeconds(60))).as("the registry loads")
                    .isTrue();
            // the installation as a webhook recorded it when it was installed
            producer.send(record(state(uninstalled, InstallationStatus.ACTIVE,
                    "installation.created"))).get(30, TimeUnit.SECONDS);
            assertThat(feed.awaitCurrent(Duration.ofSeconds(60))).isTrue();
        }

        /** Records the uninstall as the ingress does on GitHub's webhook, once. */
        void recordUninstallOnce() {
            if (!uninstallRecorded.compareAndSet(false, true)) {
                return;
            }
            try {
                producer.send(record(state(uninstalled, InstallationStatus.DELETED,
                        "installation.deleted"))).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not record the uninstall", e);
            }
        }

        InstallationSyncService service(GitHubTransport forApp,
                InstallationSyncService.RegistryCurrent current) {
            return service(forApp, current, producer);
        }

        InstallationSyncService service(GitHubTransport forApp,
                InstallationSyncService.RegistryCurrent current,
                Producer<String, SpecificRecord> syncWrites) {
            InstallationSync sync = new InstallationSync(AppEnvironments.DEFAULT, TestApp.APP_ID,
                    new AppAuthenticator(new AppJwtSigner(TestApp.APP_ID, TestApp.privateKey(),
                            clock), forApp, clock),
                    appCalls, clock, minted -> {
                    });
            return new InstallationSyncService(List.of(sync), registry, current, syncWrites,
                    clock, false, Duration.ZERO);
        }

        void assertTheUninstallStands(KafkaTestBroker broker,
                InstallationSyncService.Report report) throws Exception {
            assertThat(uninstallRecorded).as("the uninstall was recorded during the sync")
                    .isTrue();
            assertThat(report.ok()).as("%s", report).isTrue();
            assertThat(report.installationsSeen()).isEqualTo(2);
            assertThat(feed.awaitCurrent(Duration.ofSeconds(60))).isTrue();
            assertThat(registry.current(uninstalled).map(InstallationChanged::getStatus)).as(
                    "the registry reading along").hasValue(InstallationStatus.DELETED);
            assertThat(registry.current(kept).map(InstallationChanged::getStatus)).hasValue(
                    InstallationStatus.ACTIVE);
            Map<Long, InstallationChanged> compacted = lastRecordPerInstallation(broker);
            InstallationChanged last = compacted.get(uninstalled);
            assertThat(last.getStatus()).as("what compaction keeps of installation %d (written"
                    + " by %s)", uninstalled, last.getTrigger()).isEqualTo(
                            InstallationStatus.DELETED);
            assertThat(compacted.get(kept).getTrigger()).isEqualTo("sync");
        }
    }

    @Test
    void anUninstallRecordedBetweenTheSyncsListingAndItsWriteStaysRecorded(
            KafkaTestBroker broker) throws Exception {
        World world = new World(broker);
        // GitHub answers the listing (still naming the installation), then the uninstall's
        // webhook is recorded
        GitHubTransport listingThenUninstall = new ForwardingTransport(world.appCalls) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws IOException {
                GitHubResponse response = delegate().send(request);
                if (request.path().startsWith("/app/installations?")) {
                    world.recordUninstallOnce();
                }
                return response;
            }
        };
        InstallationSyncService service = world.service(listingThenUninstall,
                world.feed::awaitCurrent);

        InstallationSyncService.Report report = service.syncNow();

        world.assertTheUninstallStands(broker, report);
        assertThat(recordsPerInstallation(broker).get(world.uninstalled)).as(
                "the sync wrote nothing for the uninstalled installation").extracting(
                        InstallationChanged::getTrigger)
                .containsExactly("installation.created",
                        "installation.deleted");
    }

    @Test
    void anUninstallRecordedRightAfterTheSyncsLastCheckIsWrittenAgainAfterTheSyncsState(
            KafkaTestBroker broker) throws Exception {
        World world = new World(broker);
        // the uninstall lands after the sync has checked the registry, just before its write:
        // recorded as the sync hands its state of the installation to its producer (a real one;
        // recorded any earlier, the registry might have read it before the check, and the sync
        // would rightly write nothing)
        @SuppressWarnings("unchecked")
        Producer<String, SpecificRecord> uninstallJustBeforeTheWrite = (Producer<String, SpecificRecord>) Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[]{
                        Producer.class}, (proxy, method, args) -> {
                            if (method.getName().equals("send")
                                    && args[0] instanceof ProducerRecord<?, ?> record
                                    && Long.toString(world.uninstalled).equals(record.key())
                                    && record.value() instanceof InstallationChanged changed
                                    && "sync".equals(changed.getTrigger())) {
                                world.recordUninstallOnce();
                            }
                            try {
                                return method.invoke(world.producer, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        InstallationSyncService service = world.service(world.appCalls, world.feed::awaitCurrent,
                uninstallJustBeforeTheWrite);

        InstallationSyncService.Report report = service.syncNow();

        world.assertTheUninstallStands(broker, report);
        assertThat(recordsPerInstallation(broker).get(world.uninstalled)).as(
                "the uninstall written again after the sync's state").extracting(
                        InstallationChanged::getTrigger)
                .containsExactly("installation.created", "installation.deleted", "sync",
                        "installation.deleted");
    }

    /**
     * An uninstall recorded after the sync wrote the installation's state is already its last
     * record: it is not written a second time (the audit would keep two uninstalls).
     */
    @Test
    void anUninstallRecordedAfterTheSyncsWriteIsNotWrittenAgain(KafkaTestBroker broker)
            throws Exception {
        World world = new World(broker);
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        // the second check is the one after the sync's writes
        InstallationSyncService service = world.service(world.appCalls, timeout -> {
            if (checks.incrementAndGet() == 2) {
                world.recordUninstallOnce();
            }
            return world.feed.awaitCurrent(timeout);
        });

        InstallationSyncService.Report report = service.syncNow();

        world.assertTheUninstallStands(broker, report);
        assertThat(recordsPerInstallation(broker).get(world.uninstalled)).as(
                "the installation's records").extracting(InstallationChanged::getTrigger)
                .containsExactly("installation.created", "sync", "installation.deleted");
    }

    private InstallationChanged state(long id, InstallationStatus status, String trigger) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, null, clock))
                .setEnvironment(AppEnvironments.DEFAULT).setAppId(TestApp.APP_ID)
                .setInstallationId(id).setAccount("acme-" + id).setStatus(status)
                .setRepositorySelection(RepositorySelection.ALL).setRepositories(List.of())
                .setPermissions(Map.of()).setTrigger(trigger).setDeliveryId(KafkaTestBroker
                        .uniqueName("delivery"))
                .build();
    }

    private static ProducerRecord<String, SpecificRecord> record(InstallationChanged state) {
        return new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(state
                .getInstallationId()), state);
    }

    /** The last record of each installation on the topic: what compaction keeps. */
    private static Map<Long, InstallationChanged> lastRecordPerInstallation(
            KafkaTestBroker broker) {
        Map<Long, InstallationChanged> last = new HashMap<>();
        recordsPerInstallation(broker).forEach((id, records) -> last.put(id, records.getLast()));
        return last;
    }

    /** Every record of each installation on the topic, in order. */
    private static Map<Long, List<InstallationChanged>> recordsPerInstallation(
            KafkaTestBroker broker) {
        Map<Long, List<InstallationChanged>> all = new HashMap<>();
        try (KafkaConsumer<String, InstallationChanged> consumer = new KafkaConsumer<>(broker
                .consumerProps(KafkaTestBroker.uniqueName("compacted")), new StringDeserializer(),
                new EventDeserializer<>())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INSTALLATIONS.name())
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() != null) {
                        all.computeIfAbsent(r.value().getInstallationId(),
                                id -> new ArrayList<>()).add(r.value());
                    }
                });
            }
        }
        return all;
    }
}
