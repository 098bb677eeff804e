package dev.tollgate.bench;

import dev.tollgate.schemas.TollgateHeaders;
import dev.tollgate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a gateway call's time goes between the hops, read back from the topics after a run: the
 * producer timestamps of each request's {@code ToolCallRequested}, {@code PolicyDecided} and
 * {@code ToolCallCompleted} (matched by the request-ID header). "request to decision" is the
 * decision worker (its consume, decide, transactional produce); "decision to result" the executor
 * (waiting for the decision's transaction to commit, its fetch, the GitHub call, its produce).
 * Timestamps are milliseconds, so these are coarse; the remainder of the end-to-end latency is the
 * ingress and MCP (HTTP, JSON, publishing, waiting for and reading the reply).
 */
final class Stages {

    /** Percentiles (ms) of the two measured stages. */
    record Breakdown(int matched, LatencyStats requestToDecision, LatencyStats decisionToResult) {

        String table() {
            return String.format(Locale.ROOT, "stages of %d calls, from the records' producer"
                    + " timestamps (ms resolution):%n%s%n%s%n%s%n", matched,
                    LatencyStats
                            .header(),
                    requestToDecision.row(), decisionToResult.row());
        }
    }

    private Stages() {
    }

    /** @param client the bootstrap address and a principal that may read the three topics */
    static Breakdown read(Map<String, Object> client, long sinceEpochMillis) {
        Map<String, long[]> byRequest = new HashMap<>();
        Map<String, Object> config = new HashMap<>(client);
        config.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<String> topics = List.of(Topics.REQUESTS.name(), Topics.DECISIONS.name(),
                    Topics.REPLIES.name());
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer
                    .position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(
                        200))) {
                    if (record.timestamp() < sinceEpochMillis) {
                        continue;
                    }
                    String id = TollgateHeaders.get(record.headers(), TollgateHeaders.REQUEST_ID)
                            .orElse(null);
                    if (id == null) {
                        continue;
                    }
                    int stage = topics.indexOf(record.topic());
                    long[] times = byRequest.computeIfAbsent(id, k -> new long[]{-1, -1, -1});
                    if (times[stage] < 0) {
                        times[stage] = record.timestamp();
                    }
                }
            }
        }
        List<Long> decide = new ArrayList<>();
        List<Long> execute = new ArrayList<>();
        for (long[] t : byRequest.values()) {
            if (t[0] >= 0 && t[1] >= 0 && t[2] >= 0) {
                decide.add((t[1] - t[0]) * 1_000_000L);
                execute.add((t[2] - t[1]) * 1_000_000L);
            }
        }
        return new Breakdown(decide.size(), LatencyStats.of("  request -> decision (decider)",
                decide.stream().mapToLong(Long::longValue).toArray(), 0, 0),
                LatencyStats.of(
                        "  decision -> result (executor)", execute.stream().mapToLong(
                                Long::longValue).toArray(),
                        0, 0));
    }
}
