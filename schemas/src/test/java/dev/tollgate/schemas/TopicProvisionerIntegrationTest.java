package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
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
    void createsTopicsThatTakeTheLimitsRecordsAndRefusesAnExistingOneThatTakesLess(
            KafkaTestBroker broker) throws Exception {
        Topic<?> created = new Topic<>("prov.sized" + KafkaTestBroker.uniqueName(""),
                dev.tollgate.events.ToolCallCompleted.class, "k", false, true,
                Set.of(Roles.EXECUTOR_WORKER), "s");
        Topic<?> small = new Topic<>("prov.small" + KafkaTestBroker.uniqueName(""),
                dev.tollgate.events.ToolCallCompleted.class, "k", false, true,
                Set.of(Roles.EXECUTOR_WORKER), "s");
        MessageLimits twoMiB = MessageLimits.parse("2MB");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic(small.name(), 1, (short) 1).configs(Map.of(
                    "max.message.bytes", "1048576")))).all().get();

            new TopicProvisioner(admin, new TopicSettings(1, (short) 1, Map.of(), twoMiB),
                    30_000).ensure(List.of(created));
            Config config = configOf(admin, created.name());

            assertThat(config.get("max.message.bytes").value()).isEqualTo("2097152");
            assertThatThrownBy(() -> new TopicProvisioner(admin, new TopicSettings(1, (short) 1,
                    Map.of(), twoMiB), 30_000).ensure(List.of(created, small)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(small.name())
                    .hasMessageContaining("--add-config max.message.bytes=2097152")
                    .hasMessageNotContaining(created.name());
            assertThat(new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(
                    List.of(created, small)).existing()).hasSize(2);
        }
    }

    /** The topic's configuration, once the broker describes it (just after creation it may not). */
    private static Config configOf(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Exception last = null;
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                return admin.describeConfigs(List.of(resource)).all().get().get(resource);
            } catch (java.util.concurrent.ExecutionException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the broker never described " + topic, last);
    }

    @Test
    void everyAuditedTopicKeepsItsDataForeverAndTheAgentsCopiesADay() {
        for (Topic<?> topic : Topics.audited()) {
            assertThat(TopicProvisioner.topicConfig(topic)).as(topic.name())
                    .containsEntry("retention.ms", "-1").containsEntry("max.message.bytes",
                            Integer.toString(MessageLimits.DEFAULT_MAX_MESSAGE_BYTES));
        }
        assertThat(Topics.all()).as("the topics that forget").filteredOn(topic -> !topic
                .audited()).containsExactly(Topics.CONTENTS, Topics.REPLIES);
        for (Topic<?> forgets : List.of(Topics.CONTENTS, Topics.REPLIES)) {
            assertThat(TopicProvisioner.topicConfig(forgets)).as(forgets.name()).containsEntry(
                    "retention.ms", "86400000").containsEntry("cleanup.policy", "delete")
                    .doesNotContainKey("retention.bytes");
        }
        assertThatThrownBy(() -> new Topic<>("forever.and.a.day", ToolCallCompleted.class, "k",
                false, true, Duration.ofDays(1), Set.of(), "")).hasMessageContaining(
                        "kept forever");
        assertThat(Topics.INSTALLATIONS.cleanupPolicy()).isEqualTo("compact");
        assertThat(Topics.AGENT_TOKENS.cleanupPolicy()).isEqualTo("compact");
        assertThat(Topics.REQUESTS.cleanupPolicy()).isEqualTo("delete");
    }
}
