package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 5: nothing is lost under faults. Two agents call at once while GitHub is down for them:
 * reads answered with 502 pages and dropped connections, writes whose connection GitHub drops
 * after receiving them or that it answers 502. Every accepted request still gets exactly one
 * final answer (one record on {@code gateway.replies} for its agent and one on
 * {@code gateway.results} for the audit, never two, never none), and every write
 * reached GitHub exactly once: a write whose outcome is unknown is reported so, never sent again.
 */
@ExtendWith(Standalone.Extension.class)
class NothingIsLostUnderFaultsTest {

    private static final Duration SETTLE = Duration.ofSeconds(120);
    private static final int READS = 12;
    private static final String ISSUES = "/repos/acme/app/issues";

    private final Standalone tollgate;

    NothingIsLostUnderFaultsTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void everyAcceptedRequestGetsExactlyOneFinalAnswerAndEveryWriteReachesGitHubOnce()
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String dir = "outage-" + run + "/";
        for (int i = 0; i < READS; i++) {
            tollgate.github().repo("acme", "app").files.put(dir + i + ".md", "file " + i);
        }
        // 502 pages and dropped connections, more than retries absorb.
        for (int i = 0; i < 3 * READS; i++) {
            tollgate.github().script("GET", "/repos/acme/app/contents/" + dir, i % 2 == 0
                    ? GitHubStandIn.serverError(502)
                    : GitHubStandIn.dropConnection());
        }
        List<String> titles = List.of("dropped-" + run, "unicorn-" + run, "fine-" + run);
        tollgate.github().script("POST", ISSUES, GitHubStandIn.dropConnection(), GitHubStandIn
                .serverError(502));

        List<Map<String, Object>> finals = new ArrayList<>();
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("outage-reader"));
                Standalone.Agent writer = tollgate.agent(tollgate.mint("outage-writer"))) {
            List<Callable<Map<String, Object>>> calls = new ArrayList<>();
            for (int i = 0; i < READS; i++) {
                String path = dir + i + ".md";
                calls.add(() -> reader.settle("get_file", Map.of("owner", "acme", "repo", "app",
                        "path", path), SETTLE));
            }
            // The writes one after another: the script's faults go to the first two, in order.
            calls.add(() -> {
                List<Map<String, Object>> answers = new ArrayList<>();
                for (String title : titles) {
                    answers.add(writer.settle("create_issue", Map.of("owner", "acme", "repo",
                            "app", "title", title), SETTLE));
                }
                return Map.of("writes", answers);
            });
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                for (Future<Map<String, Object>> future : pool.invokeAll(calls)) {
                    finals.add(future.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> writes = (List<Map<String, Object>>) finals.removeLast().get(
                "writes");
        finals.addAll(writes);

        for (Map<String, Object> answer : finals) {
            assertThat(answer.get("status")).as("a final answer: %s", answer).isIn("succeeded",
                    "failed");
            assertThat(answer).as("%s", answer).containsKey("request_id");
        }
        assertThat(finals).as("some reads met the outage and were answered with a class")
                .anySatisfy(answer -> assertThat(answer.get("error_code")).isIn("transient",
                        "upstream_unavailable"));
        assertThat(writes.getFirst()).as("the write whose connection dropped after sending")
                .containsEntry("error_code", "outcome_unknown").containsEntry("retryable",
                        false);
        assertThat(writes.getLast()).as("the write after the outage").containsEntry("status",
                "succeeded");
        for (String title : titles) {
            assertThat(tollgate.github().requests("POST", ISSUES).stream().filter(
                    received -> received.body().contains(title))).as(
                            "POSTs of the issue %s that reached GitHub", title)
                    .hasSize(1);
        }

        Set<String> requestIds = finals.stream().map(answer -> (String) answer.get("request_id"))
                .collect(Collectors.toSet());
        assertThat(requestIds).hasSize(READS + titles.size());
        for (String topic : List.of(Topics.REPLIES.name(), Topics.RESULTS.name())) {
            assertThat(answersOn(topic, requestIds)).as("records on %s per request", topic)
                    .containsOnlyKeys(requestIds).allSatisfy((id, count) -> assertThat(count)
                            .as(id).isEqualTo(1));
        }
        tollgate.assertTheCanaryIsStillAnswered();
    }

    /**
     * How many records {@code topic} holds for each of {@code requestIds}, read to its end as of
     * now (every request already has its final answer, so nothing is still coming).
     */
    private Map<String, Integer> answersOn(String topic, Set<String> requestIds) {
        Map<String, Object> props = new HashMap<>(tollgate.kafkaClientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "adversarial-" + UUID.randomUUID());
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props,
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic)
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic
                            + " to its end within 60 s: at " + partitions.stream().collect(
                                    Collectors.toMap(p -> p.partition(), consumer::position))
                            + " of " + ends);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(
                        500))) {
                    if (requestIds.contains(record.key())) {
                        counts.merge(record.key(), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }
}
