package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

@WithKafka
class TopicProvisionerIntegrationTest {

    @Test
    void createsMissingTopicsOnceWithTheirRetentionAndCleanupPolicy(KafkaTestBroker broker)
            throws Exception {
        String suffix = KafkaTestBroker.uniqueName("");
        Topic<?> kept = new Topic<>("prov.kept" + suffix, dev.tollgate.events.TokenMinted.class,
                "k", false, true, Set.of(Roles.EXECUTOR_WORKER), "kept forever");
        Topic<?> compacted = new Topic<>("prov.compacted" + suffix,
                dev.tollgate.events.InstallationChanged.class, "k", true, true,
                Set.of(Roles.INGRESS), "compacted");
        TopicSettings settings = new TopicSettings(3, (short) 1, Map.of(compacted.name(), 2));

        try (Admin admin = broker.admin()) {
            var first = new TopicProvisioner(admin, settings, 30_000).ensure(List.of(kept,
                    compacted));
            var second = new TopicProvisioner(admin, settings, 30_000).ensure(List.of(kept,
                    compacted));

            assertThat(first.created()).containsExactlyInAnyOrder(kept.name(), compacted.name());
            assertThat(second.created()).isEmpty();
            assertThat(second.existing()).containsExactlyInAnyOrder(kept.name(), compacted.name());
            var descriptions = admin.describeTopics(List.of(kept.name(), compacted.name()))
                    .allTopicNames().get();
            assertThat(descriptions.get(kept.name()).partitions()).hasSize(3);
            assertThat(descriptions.get(compacted.name()).partitions()).hasSize(2);
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, kept.name()),
                    new ConfigResource(ConfigResource.Type.TOPIC, compacted.name()))).all().get();
            Config keptConfig = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, kept
                    .name()));
            Config compactedConfig = configs.get(new ConfigResource(ConfigResource.Type.TOPIC,
                    compacted.name()));
            assertThat(keptConfig.get("retention.ms").value()).isEqualTo("-1");
            assertThat(keptConfig.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(compactedConfig.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(compactedConfig.get("min.compaction.lag.ms").value()).as(
                    "a lagging audit sink still reads every record").isEqualTo("604800000");
        }
    }

    @Test
    void warnsWithoutChangingATopicWhosePartitionCountDiffers(KafkaTestBroker broker) {
        Topic<?> topic = new Topic<>("prov.differs" + KafkaTestBroker.uniqueName(""),
                dev.tollgate.events.PolicyChanged.class, "k", false, true,
                Set.of(Roles.DECISION_WORKER), "d");
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, new TopicSettings(1, (short) 1, Map.of()), 30_000).ensure(
                    List.of(topic));

            var report = new TopicProvisioner(admin, new TopicSettings(4, (short) 1, Map.of()),
                    30_000).ensure(List.of(topic));

            assertThat(report.warnings()).singleElement().asString().contains("has 1 partitions",
                    "ask for 4", "left unchanged");
        }
    }

    @Test
    void everyCatalogueTopicKeepsItsDataForever() {
        for (Topic<?> topic : Topics.all()) {
            assertThat(TopicProvisioner.topicConfig(topic)).as(topic.name())
                    .containsEntry("retention.ms", "-1");
        }
        assertThat(Topics.INSTALLATIONS.cleanupPolicy()).isEqualTo("compact");
        assertThat(Topics.AGENT_TOKENS.cleanupPolicy()).isEqualTo("compact");
        assertThat(Topics.REQUESTS.cleanupPolicy()).isEqualTo("delete");
    }
}
