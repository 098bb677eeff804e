package dev.tollgate.audit.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Where an event was read: its Kafka cluster, topic, partition and offset, and the record's
 * timestamp.
 *
 * @param topic the source topic, e.g. {@code gateway.requests}
 * @param partition the partition of that topic
 * @param offset the record's offset within the partition
 * @param timestamp the Kafka record timestamp (null if the broker gave none)
 * @param cluster the Kafka cluster ID the record was read from (null if unknown: records stored
 *            before the cluster was recorded, or a caller that does not know it)
 */
public record SourcePosition(String topic, int partition, long offset, Instant timestamp,
        String cluster) {

    public SourcePosition {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0 || offset < 0) {
            throw new IllegalArgumentException("partition and offset must be >= 0, got "
                    + partition + "/" + offset);
        }
        timestamp = timestamp == null ? null : Timestamps.toMillis(timestamp);
        cluster = cluster == null || cluster.isBlank() ? null : cluster;
    }

    /** A position in an unknown cluster. */
    public SourcePosition(String topic, int partition, long offset, Instant timestamp) {
        this(topic, partition, offset, timestamp, null);
    }

    /** The chain this position belongs to: one chain per source topic-partition. */
    public String chainId() {
        return chainIdOf(topic, partition);
    }

    /** {@code topic-partition}, as Kafka prints a {@code TopicPartition}. */
    public static String chainIdOf(String topic, int partition) {
        return topic + "-" + partition;
    }
}
