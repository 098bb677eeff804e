package dev.tollgate.installations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.schemas.EventSerializer;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@WithKafka
class InstallationRegistryFeedIntegrationTest {

    @Test
    void replaysTheCompactedTopicThenFollowsDeletionsAsTheyHappen(KafkaTestBroker broker)
            throws Exception {
        String topic = KafkaTestBroker.uniqueName("installations");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, InstallationChanged> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(), new EventSerializer<>())) {
            for (long id = 1; id <= 5; id++) {
                producer.send(new ProducerRecord<>(topic, Long.toString(id),
                        InstallationRegistryTest
                                .installation(id, "prod", "org-" + id, InstallationStatus.ACTIVE,
                                        RepositorySelection.ALL)))
                        .get();
            }
            InstallationRegistry registry = new InstallationRegistry();
            CountDownLatch deleted = new CountDownLatch(1);
            registry.addListener(change -> {
                if (change.getStatus() == InstallationStatus.DELETED) {
                    deleted.countDown();
                }
            });

            try (InstallationRegistryFeed feed = new InstallationRegistryFeed(Map.of(
                    "bootstrap.servers", broker.bootstrapServers()), topic, registry).start()) {
                assertThat(feed.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(registry.size()).isEqualTo(5);
                assertThat(registry.lookup("prod", "org-3", "repo")).isInstanceOf(
                        InstallationRegistry.Installed.class);

                producer.send(new ProducerRecord<>(topic, "3", InstallationRegistryTest
                        .installation(3, "prod", "org-3", InstallationStatus.DELETED,
                                RepositorySelection.ALL)))
                        .get();

                assertThat(deleted.await(30, TimeUnit.SECONDS)).isTrue();
                assertThat(registry.lookup("prod", "org-3", "repo")).isInstanceOf(
                        InstallationRegistry.Refused.class);
                assertThat(registry.lookup("prod", "org-4", "repo")).isInstanceOf(
                        InstallationRegistry.Installed.class);
            }
        }
    }

    @Test
    void anErrorWhileDecodingMakesTheFeedUnreadyAndRetriesTheRecordInsteadOfEndingIt(
            KafkaTestBroker broker) throws Exception {
        String topic = KafkaTestBroker.uniqueName("installations");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        }
        // decoding installation 2 runs out of memory twice (as a huge declared length did)
        AtomicInteger failures = new AtomicInteger(2);
        EventDeserializer<InstallationChanged> real = new EventDeserializer<>(AvroSingleObjectCodec
                .shared(), InstallationChanged.class);
        org.apache.kafka.common.serialization.Deserializer<InstallationChanged> flaky = (t,
                bytes) -> {
            InstallationChanged change = real.deserialize(t, bytes);
            if (change.getInstallationId() == 2 && failures.getAndDecrement() > 0) {
                throw new OutOfMemoryError("Java heap space");
            }
            return change;
        };
        try (KafkaProducer<String, InstallationChanged> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(), new EventSerializer<>())) {
            for (long id = 1; id <= 3; id++) {
                producer.send(new ProducerRecord<>(topic, Long.toString(id),
                        InstallationRegistryTest.installation(id, "prod", "org-" + id,
                                InstallationStatus.ACTIVE, RepositorySelection.ALL)))
                        .get();
            }
            InstallationRegistry registry = new InstallationRegistry();
            CountDownLatch deleted = new CountDownLatch(1);
            registry.addListener(change -> {
                if (change.getStatus() == InstallationStatus.DELETED) {
                    deleted.countDown();
                }
            });

            try (InstallationRegistryFeed feed = new InstallationRegistryFeed(Map.of(
                    "bootstrap.servers", broker.bootstrapServers()), topic, registry, flaky,
                    Duration.ofMillis(300)).start()) {
                assertThat(feed.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(failures.get()).as("the failing record was read again").isNegative();
                assertThat(registry.size()).isEqualTo(3);
                assertThat(registry.lookup("prod", "org-2", "repo")).isInstanceOf(
                        InstallationRegistry.Installed.class);

                producer.send(new ProducerRecord<>(topic, "2", InstallationRegistryTest
                        .installation(2, "prod", "org-2", InstallationStatus.DELETED,
                                RepositorySelection.ALL)))
                        .get();

                assertThat(deleted.await(30, TimeUnit.SECONDS)).as("the feed still follows")
                        .isTrue();
                assertThat(registry.lookup("prod", "org-2", "repo")).isInstanceOf(
                        InstallationRegistry.Refused.class);
                assertThat(feed.isCaughtUp()).isTrue();
            }
        }
    }

    @Test
    void theFeedIsNotReadyWhileARecordCannotBeApplied(KafkaTestBroker broker) throws Exception {
        String topic = KafkaTestBroker.uniqueName("installations");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
        }
        CountDownLatch attempts = new CountDownLatch(3);
        org.apache.kafka.common.serialization.Deserializer<InstallationChanged> broken = (t,
                bytes) -> {
            attempts.countDown();
            throw new StackOverflowError();
        };
        try (KafkaProducer<String, InstallationChanged> producer = new KafkaProducer<>(broker
                .producerProps(), new StringSerializer(), new EventSerializer<>())) {
            producer.send(new ProducerRecord<>(topic, "1", InstallationRegistryTest.installation(1,
                    "prod", "org-1", InstallationStatus.ACTIVE, RepositorySelection.ALL))).get();

            try (InstallationRegistryFeed feed = new InstallationRegistryFeed(Map.of(
                    "bootstrap.servers", broker.bootstrapServers()), topic,
                    new InstallationRegistry(), broken, Duration.ofMillis(100)).start()) {
                assertThat(attempts.await(30, TimeUnit.SECONDS)).as("retried, not ended").isTrue();
                assertThat(feed.isCaughtUp()).isFalse();
                assertThat(feed.awaitCaughtUp(Duration.ofMillis(200))).isFalse();
            }
        }
    }
}
