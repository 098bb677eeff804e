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
}
