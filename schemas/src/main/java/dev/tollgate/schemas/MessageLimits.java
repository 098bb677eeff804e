package dev.tollgate.schemas;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How large one Kafka record may be, and every size setting derived from it, in one place: the
 * producers' {@code max.request.size}, the topics' {@code max.message.bytes}, the standalone
 * broker's {@code message.max.bytes}, and the largest event a role may build (the serialized
 * value: an executor's answer is cut to fit it by design, so no answer is ever refused by Kafka).
 * Configured by {@value #KEY} (environment {@code TOLLGATE_KAFKA_MAX_MESSAGE_BYTES}); the default
 * is Kafka's own producer default, so a cluster with Kafka's defaults agrees with it.
 *
 * @param maxMessageBytes the largest record, key, headers and framing included
 */
public record MessageLimits(int maxMessageBytes) {

    /** The one setting the others follow. */
    public static final String KEY = "tollgate.kafka.max-message-bytes";
    /** Kafka's default {@code max.request.size}: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
    /** Below this an answer could not even say why it was cut. */
    public static final int MIN_MAX_MESSAGE_BYTES = 128 * 1024;
    /** Well below the broker's {@code socket.request.max.bytes} (100 MiB). */
    public static final int MAX_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    /**
     * What a record needs beside its value: the key (a request ID), the headers Tollgate carries
     * (request ID, reply route, {@code traceparent}, event type) and Kafka's record and batch
     * framing. Generous: a record whose envelope is larger is refused by the producer and set aside
     * as a dead letter rather than jamming its partition.
     */
    public static final int ENVELOPE_BYTES = 16 * 1024;

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(B|KB|MB)?");

    public MessageLimits {
        if (maxMessageBytes < MIN_MAX_MESSAGE_BYTES || maxMessageBytes > MAX_MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException(KEY + " must be between " + MIN_MAX_MESSAGE_BYTES
                    + " and " + MAX_MAX_MESSAGE_BYTES + " bytes, not " + maxMessageBytes
                    + ": set TOLLGATE_KAFKA_MAX_MESSAGE_BYTES (e.g. 1MB) within that range");
        }
    }

    public static MessageLimits defaults() {
        return new MessageLimits(DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * The limits a setting names: bytes ({@code 1048576}) or binary units ({@code 1024KB},
     * {@code 1MB}, as Spring's {@code DataSize} reads them); null or blank for the default.
     */
    public static MessageLimits parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return defaults();
        }
        Matcher size = SIZE.matcher(setting.trim().toUpperCase(Locale.ROOT));
        if (!size.matches()) {
            throw new IllegalArgumentException(KEY + " is '" + setting + "', which is not a size:"
                    + " set TOLLGATE_KAFKA_MAX_MESSAGE_BYTES to bytes (1048576), KB or MB (1MB)");
        }
        long unit = switch (size.group(2) == null ? "B" : size.group(2)) {
            case "KB" -> 1024L;
            case "MB" -> 1024L * 1024;
            default -> 1L;
        };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(size.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        return new MessageLimits((int) Math.min(Integer.MAX_VALUE, bytes));
    }

    /**
     * The largest serialized event value a role may publish: the record limit less the envelope.
     * The executor cuts every answer ({@code ToolCallCompleted}, UTF-8 and JSON escaping included)
     * to fit it.
     */
    public int maxEventBytes() {
        return maxMessageBytes - ENVELOPE_BYTES;
    }

    /** Every producer's {@code max.request.size}. */
    public int producerMaxRequestSize() {
        return maxMessageBytes;
    }

    /** Every topic's {@code max.message.bytes} when Tollgate creates it. */
    public int topicMaxMessageBytes() {
        return maxMessageBytes;
    }

    /** The standalone broker's {@code message.max.bytes}. */
    public int brokerMessageMaxBytes() {
        return maxMessageBytes;
    }

    /**
     * Refuses a producer configuration whose {@code max.request.size} is not the one derived
     * here: a smaller one would refuse answers cut to fit, a larger one would send records the
     * topics refuse.
     *
     * @param producerConfig the producer's configuration as Kafka reads it
     * @throws IllegalStateException naming both settings and the fix
     */
    public void checkProducer(Map<String, ?> producerConfig) {
        Object value = producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        long effective = value == null
                ? ((Number) ProducerConfig.configDef().defaultValues().get(
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).longValue()
                : Long.parseLong(value.toString().trim());
        if (effective != producerMaxRequestSize()) {
            throw new IllegalStateException("the Kafka producers' max.request.size is "
                    + effective + " bytes but " + KEY + " is " + maxMessageBytes + ": remove"
                    + " spring.kafka.producer.properties.max.request.size (it follows " + KEY
                    + ") or set TOLLGATE_KAFKA_MAX_MESSAGE_BYTES to " + effective);
        }
    }

    /**
     * What is wrong with a topic that takes records of at most {@code topicMaxMessageBytes}
     * (its effective {@code max.message.bytes}), with the fix; empty when it takes every record a
     * producer sends.
     */
    public Optional<String> topicProblem(String topic, long topicMaxMessageBytes) {
        if (topicMaxMessageBytes >= maxMessageBytes) {
            return Optional.empty();
        }
        return Optional.of("topic " + topic + " takes records of at most " + topicMaxMessageBytes
                + " bytes (" + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + ") but " + KEY + " is "
                + maxMessageBytes + ": raise it (kafka-configs.sh --bootstrap-server HOST:PORT"
                + " --alter --entity-type topics --entity-name " + topic + " --add-config "
                + TopicConfig.MAX_MESSAGE_BYTES_CONFIG + "=" + maxMessageBytes + ") or set "
                + "TOLLGATE_KAFKA_MAX_MESSAGE_BYTES to " + topicMaxMessageBytes);
    }
}
