package dev.tollgate.runtime;

import dev.tollgate.schemas.MessageLimits;
import dev.tollgate.schemas.TopicSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code tollgate.kafka.*}: how topics are created. Connection settings are Spring's own
 * {@code spring.kafka.*} keys.
 */
@ConfigurationProperties("tollgate.kafka")
public class TollgateKafkaProperties {

    /** Create missing topics at start-up. */
    private boolean provisionTopics = true;
    /** Partitions of each topic when it is created; bounds how many replicas of a role share work. */
    private int partitions = TopicSettings.DEFAULT_PARTITIONS;
    /** Replication factor of each topic when it is created (3 on a production cluster). */
    private short replicationFactor = 1;
    /** Per-topic partition counts, e.g. {@code tollgate.kafka.topic-partitions[gateway.results]=12}. */
    private Map<String, Integer> topicPartitions = new HashMap<>();
    /** How long to wait for the cluster at start-up and in readiness checks. */
    private Duration adminTimeout = Duration.ofSeconds(30);
    /**
     * The largest Kafka record (key, headers and framing included): producers'
     * {@code max.request.size}, topics' {@code max.message.bytes}, and the largest answer (less
     * 16 KiB) all follow it.
     */
    private DataSize maxMessageBytes = DataSize.ofBytes(MessageLimits.DEFAULT_MAX_MESSAGE_BYTES);

    public TopicSettings topicSettings() {
        return new TopicSettings(partitions, replicationFactor, topicPartitions, messageLimits());
    }

    public MessageLimits messageLimits() {
        return MessageLimits.parse(Long.toString(maxMessageBytes.toBytes()));
    }

    public DataSize getMaxMessageBytes() {
        return maxMessageBytes;
    }

    public void setMaxMessageBytes(DataSize maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    public boolean isProvisionTopics() {
        return provisionTopics;
    }

    public void setProvisionTopics(boolean provisionTopics) {
        this.provisionTopics = provisionTopics;
    }

    public int getPartitions() {
        return partitions;
    }

    public void setPartitions(int partitions) {
        this.partitions = partitions;
    }

    public short getReplicationFactor() {
        return replicationFactor;
    }

    public void setReplicationFactor(short replicationFactor) {
        this.replicationFactor = replicationFactor;
    }

    public Map<String, Integer> getTopicPartitions() {
        return topicPartitions;
    }

    public void setTopicPartitions(Map<String, Integer> topicPartitions) {
        this.topicPartitions = topicPartitions;
    }

    public Duration getAdminTimeout() {
        return adminTimeout;
    }

    public void setAdminTimeout(Duration adminTimeout) {
        this.adminTimeout = adminTimeout;
    }
}
