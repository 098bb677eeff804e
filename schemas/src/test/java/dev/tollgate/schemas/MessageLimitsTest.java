package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class MessageLimitsTest {

    @Test
    void theDefaultIsKafkasOwnProducerDefaultAndEverySettingFollowsIt() {
        MessageLimits limits = MessageLimits.defaults();

        assertThat(limits.producerMaxRequestSize()).isEqualTo(ProducerConfig.configDef()
                .defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        assertThat(limits.topicMaxMessageBytes()).isEqualTo(limits.producerMaxRequestSize());
        assertThat(limits.brokerMessageMaxBytes()).isEqualTo(limits.producerMaxRequestSize());
        assertThat(limits.maxEventBytes()).isEqualTo(limits.maxMessageBytes()
                - MessageLimits.ENVELOPE_BYTES);
    }

    @Test
    void readsBytesAndBinaryUnitsAsSpringDoes() {
        assertThat(MessageLimits.parse(null)).isEqualTo(MessageLimits.defaults());
        assertThat(MessageLimits.parse(" ")).isEqualTo(MessageLimits.defaults());
        assertThat(MessageLimits.parse("2097152").maxMessageBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(MessageLimits.parse("2MB").maxMessageBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(MessageLimits.parse("512kb").maxMessageBytes()).isEqualTo(512 * 1024);
        assertThat(MessageLimits.parse("300000B").maxMessageBytes()).isEqualTo(300_000);
    }

    @Test
    void refusesALimitOutsideItsRangeOrNotASizeNamingTheVariable() {
        assertThatThrownBy(() -> MessageLimits.parse("1KB")).hasMessageContaining(
                "TOLLGATE_KAFKA_MAX_MESSAGE_BYTES").hasMessageContaining("must be between");
        assertThatThrownBy(() -> MessageLimits.parse("1GB")).hasMessageContaining(
                "TOLLGATE_KAFKA_MAX_MESSAGE_BYTES");
        assertThatThrownBy(() -> MessageLimits.parse("999999999999MB")).hasMessageContaining(
                "must be between");
        assertThatThrownBy(() -> MessageLimits.parse("-5")).hasMessageContaining(
                "not a size");
    }

    @Test
    void refusesAProducerWhoseMaxRequestSizeDiffersAndSaysWhichSettingToChange() {
        MessageLimits limits = MessageLimits.parse("2MB");

        assertThatThrownBy(() -> limits.checkProducer(Map.of())).isInstanceOf(
                IllegalStateException.class).hasMessageContaining("max.request.size is 1048576")
                .hasMessageContaining("TOLLGATE_KAFKA_MAX_MESSAGE_BYTES to 1048576");
        assertThatThrownBy(() -> limits.checkProducer(Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "4194304"))).hasMessageContaining(
                        "remove spring.kafka.producer.properties.max.request.size");
        limits.checkProducer(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024));
        MessageLimits.defaults().checkProducer(Map.of());
    }

    @Test
    void aTopicThatTakesSmallerRecordsIsAProblemWithItsFixAndALargerOneIsNot() {
        MessageLimits limits = MessageLimits.parse("2MB");

        assertThat(limits.topicProblem("gateway.results", 1048588)).hasValueSatisfying(
                problem -> assertThat(problem).contains("gateway.results", "1048588",
                        "--entity-name gateway.results --add-config max.message.bytes=2097152"));
        assertThat(limits.topicProblem("gateway.results", 2 * 1024 * 1024)).isEmpty();
        assertThat(limits.topicProblem("gateway.results", 8 * 1024 * 1024)).isEmpty();
    }
}
