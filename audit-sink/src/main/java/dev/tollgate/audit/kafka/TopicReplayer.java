package dev.tollgate.audit.kafka;

import dev.tollgate.audit.core.AuditEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads gateway topics again, from a point in time or an offset up to their end as of the start of
 * the replay, and hands every matching record's audit entry to a sink. Topic-partitions are read
 * one after another in a fixed order (topics as given, partitions ascending), each in offset
 * order, so the same range always yields the same entries in the same order. Uses no consumer
 * group and commits nothing.
 */
public final class TopicReplayer {

    /** Where to start in each partition. */
    public sealed interface Start {
        /** The first offset whose timestamp is at or after {@code time} ({@code offsetsForTimes}). */
        record AtTime(Instant time) implements Start {
        }

        /** This offset in every partition (or the earliest kept, if later). */
        record AtOffset(long offset) implements Start {
        }

        /** The earliest kept offset. */
        record Beginning() implements Start {
        }
    }

    /** Told how far the replay got, every so many records read. */
    @FunctionalInterface
    public interface Progress {
        void read(long records, TopicPartition partition);
    }

    /** What the replay read and passed on. */
    public record Summary(long read, long matched, List<TopicPartition> partitions) {
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private final Map<String, Object> consumerConfig;
    private final KafkaAuditMapper mapper;

    public TopicReplayer(String bootstrapServers, Map<String, Object> extraConfig,
            KafkaAuditMapper mapper) {
        Map<String, Object> config = new HashMap<>(extraConfig);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumerConfig = config;
        this.mapper = mapper;
    }

    public Summary replay(List<String> topics, Start start, Predicate<AuditEntry> filter,
            Consumer<AuditEntry> sink, long progressEvery, Progress progress) {
        Properties props = new Properties();
        props.putAll(consumerConfig);
        long read = 0;
        long matched = 0;
        List<TopicPartition> done = new ArrayList<>();
        ClusterIds clusterIds = new ClusterIds();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
                new StringDeserializer(), clusterIds)) {
            for (String topic : topics) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalArgumentException("topic " + topic
                            + " does not exist on the broker (check --bootstrap-servers and"
                            + " --topics)");
                }
                List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i
                        .topic(), i.partition())).sorted(Comparator.comparingInt(
                                TopicPartition::partition))
                        .toList();
                for (TopicPartition partition : partitions) {
                    consumer.assign(List.of(partition));
                    long end = consumer.endOffsets(List.of(partition)).get(partition);
                    long first = startOffset(consumer, partition, start, end);
                    consumer.seek(partition, first);
                    while (consumer.position(partition) < end) {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                            if (record.offset() >= end) {
                                continue;
                            }
                            read++;
                            AuditEntry entry = mapper.toEntry(record, clusterIds
                                    .clusterId());
                            if (filter.test(entry)) {
                                matched++;
                                sink.accept(entry);
                            }
                            if (read % progressEvery == 0) {
                                progress.read(read, partition);
                            }
                        }
                    }
                    done.add(partition);
                }
            }
        }
        return new Summary(read, matched, done);
    }

    private static long startOffset(KafkaConsumer<?, ?> consumer, TopicPartition partition,
            Start start, long end) {
        long beginning = consumer.beginningOffsets(List.of(partition)).get(partition);
        return switch (start) {
            case Start.Beginning b -> beginning;
            case Start.AtOffset at -> Math.min(end, Math.max(beginning, at.offset()));
            case Start.AtTime at -> {
                OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(partition, at.time()
                        .toEpochMilli())).get(partition);
                yield found == null ? end : Math.max(beginning, found.offset());
            }
        };
    }
}
