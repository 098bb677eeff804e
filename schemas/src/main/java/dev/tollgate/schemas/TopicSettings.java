package dev.tollgate.schemas;

import java.util.Map;

/**
 * How topics are created: partitions and replication factor, with per-topic partition overrides,
 * and the largest record they take ({@link MessageLimits}). Partition counts bound how many
 * replicas of a role can share the work.
 */
public record TopicSettings(int partitions, short replicationFactor,
        Map<String, Integer> partitionOverrides, MessageLimits messageLimits) {

    public static final int DEFAULT_PARTITIONS = 6;

    public TopicSettings {
        if (partitions < 1) {
            throw new IllegalArgumentException("tollgate.kafka.partitions must be at least 1, was "
                    + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(
                    "tollgate.kafka.replication-factor must be at least 1, was "
                            + replicationFactor);
        }
        partitionOverrides = Map.copyOf(partitionOverrides);
        messageLimits = messageLimits == null ? MessageLimits.defaults() : messageLimits;
    }

    /** With the default record size limit. */
    public TopicSettings(int partitions, short replicationFactor,
            Map<String, Integer> partitionOverrides) {
        this(partitions, replicationFactor, partitionOverrides, MessageLimits.defaults());
    }

    /** One broker, default partitions: the standalone run and tests. */
    public static TopicSettings singleBroker() {
        return singleBroker(MessageLimits.defaults());
    }

    /** One broker, default partitions, records up to {@code limits}. */
    public static TopicSettings singleBroker(MessageLimits limits) {
        return new TopicSettings(DEFAULT_PARTITIONS, (short) 1, Map.of(), limits);
    }

    public int partitionsFor(Topic<?> topic) {
        return partitionOverrides.getOrDefault(topic.name(), partitions);
    }
}
