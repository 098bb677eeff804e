package dev.tollgate.schemas;

import java.util.Map;

/**
 * How topics are created: partitions and replication factor, with per-topic partition overrides.
 * Partition counts bound how many replicas of a role can share the work.
 */
public record TopicSettings(int partitions, short replicationFactor,
        Map<String, Integer> partitionOverrides) {

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
    }

    /** One broker, default partitions: the standalone run and tests. */
    public static TopicSettings singleBroker() {
        return new TopicSettings(DEFAULT_PARTITIONS, (short) 1, Map.of());
    }

    public int partitionsFor(Topic<?> topic) {
        return partitionOverrides.getOrDefault(topic.name(), partitions);
    }
}
