package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.schemas.MessageLimits;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaServerTest {

    private static KafkaConfig config() {
        return KafkaConfig.fromProps(EmbeddedKafkaServer.brokerProperties(9092, 9094, 9093, Path
                .of("/tmp/tollgate-test-kafka"), "0123456789abcdef0123456789abcdef"), false);
    }

    @Test
    void theBrokerRetriesAddingPartitionsToATransactionAfterOneMillisecondNotTwenty() {
        // Read back through Kafka's own configuration: a misspelled name would not be defined.
        assertThat(config().getInt(EmbeddedKafkaServer.ADD_PARTITIONS_RETRY_BACKOFF))
                .isEqualTo(1);
        assertThatThrownBy(() -> config().getInt("add.partition.to.txn.retry.backoff.ms"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void theBrokerTakesRecordsOfTheOneRecordSizeTheRolesFollow() {
        Properties props = EmbeddedKafkaServer.brokerProperties(9092, 9094, 9093, Path.of(
                "/tmp/tollgate-test-kafka"), "0123456789abcdef0123456789abcdef");
        props.putAll(EmbeddedKafkaServer.sizeProperties(MessageLimits.parse("2MB")));

        KafkaConfig config = KafkaConfig.fromProps(props, false);

        assertThat(config.getInt("message.max.bytes")).isEqualTo(2 * 1024 * 1024);
        assertThat(EmbeddedKafkaServer.sizeProperties(MessageLimits.defaults())).containsEntry(
                "message.max.bytes", Integer.toString(MessageLimits.defaults()
                        .producerMaxRequestSize()));
    }

    @Test
    void theBrokersThreadsFollowTheMachinesCpusUpToKafkasOwnDefaults() {
        for (int[] expected : new int[][]{{1, 2, 1}, {2, 2, 1}, {4, 4, 2}, {6, 6, 3},
                {16, 8, 3}, {64, 8, 3}}) {
            Properties props = EmbeddedKafkaServer.brokerProperties(9092, 9094, 9093, Path.of(
                    "/tmp/tollgate-test-kafka"), "0123456789abcdef0123456789abcdef");
            props.putAll(EmbeddedKafkaServer.threadProperties(expected[0]));
            // read back through Kafka's own configuration: a misspelled name would not be defined
            KafkaConfig config = KafkaConfig.fromProps(props, false);

            assertThat(config.getInt("num.io.threads")).as("request handlers, %d CPUs",
                    expected[0]).isEqualTo(expected[1]);
            assertThat(config.getInt("num.network.threads")).as("network threads, %d CPUs",
                    expected[0]).isEqualTo(expected[2]);
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        assertThat(config().getInt("num.io.threads")).as("this machine's %d CPUs", cpus)
                .isEqualTo(Math.clamp(cpus, 2, 8));
    }

    @Test
    void oneNodeIsBrokerAndControllerOnLoopback() {
        KafkaConfig config = config();

        assertThat(config.getList("process.roles")).containsExactlyInAnyOrder("broker",
                "controller");
        assertThat(config.getString("advertised.listeners"))
                .isEqualTo("CLIENT://127.0.0.1:9092,INTERNAL://127.0.0.1:9094");
        assertThat(config.getBoolean("auto.create.topics.enable")).isFalse();
        assertThat(config.getInt("group.initial.rebalance.delay.ms")).isZero();
    }

    @Test
    void everyListenerRequiresSaslAndOnlyTheBrokerIsASuperUser() {
        KafkaConfig config = config();

        assertThat(config.getString("listener.security.protocol.map")).isEqualTo(
                "CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        assertThat(config.getString("listeners")).doesNotContain("PLAINTEXT://").doesNotContain(
                "0.0.0.0");
        assertThat(config.originals().get("listener.name.client.sasl.enabled.mechanisms"))
                .isEqualTo("SCRAM-SHA-512");
        assertThat(config.getString("authorizer.class.name")).isEqualTo(
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        assertThat(config.originals().get("allow.everyone.if.no.acl.found")).isEqualTo("false");
        assertThat(config.originals().get("super.users")).isEqualTo("User:tollgate-broker");
        assertThatThrownBy(() -> EmbeddedKafkaServer.brokerProperties(9092, 9094, 9093, Path.of(
                "/tmp/x"), "short")).hasMessageContaining("at least 32 characters");
    }
}
