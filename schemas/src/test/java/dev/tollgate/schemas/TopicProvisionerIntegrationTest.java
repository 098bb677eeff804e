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
                .audited() && !topic.compacted()).containsExactly(Topics.CONTENTS,
                        Topics.REPLIES);
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
        // the registry, audited, is compacted only after a week (a sink down that long still
        // reads every change); the tokens' state, whose history is kept elsewhere, within hours,
        // so a replica's start-up replay does not grow with rotations
        assertThat(TopicProvisioner.topicConfig(Topics.INSTALLATIONS)).containsEntry(
                "min.compaction.lag.ms", "604800000").doesNotContainKey("max.compaction.lag.ms");
        assertThat(Topics.AGENT_TOKENS.audited()).isFalse();
        assertThat(Topics.TOKEN_HISTORY.audited()).isTrue();
        assertThat(Topics.TOKEN_HISTORY.valueType()).isEqualTo(Topics.AGENT_TOKENS.valueType());
        assertThat(TopicProvisioner.topicConfig(Topics.AGENT_TOKENS)).containsEntry(
                "cleanup.policy", "compact").containsEntry("min.compaction.lag.ms", "0")
                .containsEntry("max.compaction.lag.ms", "3600000").containsEntry("segment.ms",
                        "3600000");
        assertThat(Topics.REQUESTS.cleanupPolicy()).isEqualTo("delete");
    }

    /**
     * The tokens' state topic, as a real broker compacts it: its settings with seconds for hours.
     * Three hundred rotations of one family and a revocation are replayed as about one record
     * per key once the lag has passed, so a replica's start-up replay does not grow with them.
     */
    @Test
    void theTokensStateIsCompactedWithinItsLagSoAReplayHoldsAboutOneRecordPerKey(
            KafkaTestBroker broker) throws Exception {
        String name = KafkaTestBroker.uniqueName("state");
        Map<String, String> config = new java.util.HashMap<>(TopicProvisioner.topicConfig(
                Topics.AGENT_TOKENS));
        config.put("max.compaction.lag.ms", "1000");
        config.put("segment.ms", "1000");
        try (Admin admin = broker.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(name, 1,
                    (short) 1).configs(config))).all()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        Map<String, Object> producerProps = broker.producerProps();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(producerProps,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            for (int i = 0; i < 300; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(name,
                        "family:f", "rotation " + i));
            }
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(name,
                    "revoked:f", "revoked")).get(30, java.util.concurrent.TimeUnit.SECONDS);
            Thread.sleep(1_500); // the segment is older than segment.ms: the next record rolls it
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(name,
                    "family:g", "issued")).get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        List<Integer> replays = new java.util.ArrayList<>();
        while (System.nanoTime() < deadline) {
            List<String> replay = replay(broker, name);
            replays.add(replay.size());
            if (replay.size() <= 3) {
                assertThat(replay).containsExactly("family:f=rotation 299", "revoked:f=revoked",
                        "family:g=issued");
                return;
            }
            Thread.sleep(2_000);
        }
        throw new AssertionError("within 3 minutes the broker did not compact " + name
                + "; replays held " + replays + " records");
    }

    /** Every record of the one-partition topic {@code name} from its start, as key=value. */
    private static List<String> replay(KafkaTestBroker broker, String name) {
        Map<String, Object> props = broker.consumerProps(KafkaTestBroker.uniqueName("replay"));
        props.put("isolation.level", "read_uncommitted");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            var partition = new org.apache.kafka.common.TopicPartition(name, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<String> records = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> records.add(record.key()
                        + "=" + record.value()));
            }
            return records;
        }
    }
}
