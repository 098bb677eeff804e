package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tollgate.launcher.StandaloneKafkaSecurity;
import dev.tollgate.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class BrokerRequestsTest {

    @Test
    void perCallIsEachCountsIncreaseOverTheCallsLargestFirstWithoutPartsOfAnotherCount() {
        var before = new BrokerRequests.Sample(Map.of("Produce", 100L, "Fetch", 50L,
                "FetchConsumer", 50L, "EndTxn", 7L, "Metadata", 3L),
                Map.of("gateway.requests",
                        10L),
                Map.of("ingress-producer", 5L, "closed-consumer", 9L));
        var after = new BrokerRequests.Sample(Map.of("Produce", 500L, "Fetch", 850L,
                "FetchConsumer", 850L, "EndTxn", 207L, "WriteTxnMarkers", 200L, "Metadata", 3L),
                Map.of("gateway.requests", 210L, "__transaction_state", 800L), Map.of(
                        "ingress-producer", 205L, "new-consumer", 100L));

        BrokerRequests.Delta delta = BrokerRequests.between(before, after, 200);

        assertThat(delta.requests()).containsExactly(Map.entry("Fetch", 4.0), Map.entry(
                "Produce", 2.0), Map.entry("EndTxn", 1.0), Map.entry("WriteTxnMarkers", 1.0));
        assertThat(delta.requestsPerCall()).isEqualTo(8.0);
        assertThat(delta.transactionRequestsPerCall()).as("EndTxn and WriteTxnMarkers")
                .isEqualTo(2.0);
        assertThat(delta.appended()).containsExactly(Map.entry("__transaction_state", 4.0), Map
                .entry("gateway.requests", 1.0));
        assertThat(delta.lines()).isEqualTo("broker requests per call: 8.00 (Fetch 4.00, Produce"
                + " 2.00, EndTxn 1.00, WriteTxnMarkers 1.00); the transactions' own"
                + " (AddOffsetsToTxn, AddPartitionsToTxn, EndTxn, TxnOffsetCommit,"
                + " WriteTxnMarkers): 2.00\nbroker records appended per call: 5.00"
                + " (__transaction_state 4.00, gateway.requests 1.00)\nclient requests per"
                + " call, by client: ingress-producer 1.00, new-consumer 0.50\n");
        assertThat(delta.clients()).as("a client closed in between is not counted, one created"
                + " counts from zero").containsExactly(Map.entry("ingress-producer", 1.0), Map
                        .entry("new-consumer", 0.5));
        var json = delta.json(JsonMapper.builder().build());
        assertThat(json.get("requests_per_call_by_type").get("Fetch").asDouble()).isEqualTo(4.0);
        assertThat(json.get("records_appended_per_call").asDouble()).isEqualTo(5.0);
        assertThat(json.get("client_requests_per_call_by_client").get("new-consumer").asDouble())
                .isEqualTo(0.5);
        assertThat(BrokerRequests.between(after, after, 1).lines()).as("no client grew: no line")
                .doesNotContain("client requests");
    }

    @Test
    void aSampleThatFailedMakesTheFigureNotMeasuredWithTheReason() {
        var good = new BrokerRequests.Sampled(new BrokerRequests.Sample(Map.of("Produce", 1L), Map
                .of()), null);
        var failed = BrokerRequests.sample(-1);

        assertThat(failed.failure()).isNotBlank();
        assertThat(BrokerRequests.Sampled.between(good, failed, 10).lines()).startsWith(
                "broker per call: not measured (").contains(failed.failure());
        assertThat(BrokerRequests.Sampled.between(failed, good, 10).notMeasured()).isEqualTo(
                failed.failure());
        assertThatThrownBy(() -> BrokerRequests.between(good.sample(), good.sample(), 0))
                .hasMessageContaining("calls must be positive");
    }

    @Test
    void thisJvmWithoutABrokerIsSaidSo() {
        assertThat(BrokerRequests.sample(ProcessHandle.current().pid()).failure()).contains(
                "no Kafka broker in that JVM");
    }

    /**
     * The real thing: the broker of {@code --system roles} in its own JVM, records produced to it
     * one at a time, and its counters read through the Attach API before and after.
     */
    @Test
    void readsARealBrokersRequestsAndAppendsInAChildJvm(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        try (ChildJvm broker = ChildJvm.start("broker", List.of("-Xmx512m"), BrokerMain.class
                .getName(), List.of(data.resolve("kafka").toString()), Map.of(),
                dir.resolve(
                        "broker.log"),
                new PrintStream(progress, true, StandardCharsets.UTF_8))) {
            String bootstrap = broker.await(RoleSystem.BROKER_READY, RoleSystem.BROKER_FAILED,
                    Duration.ofMinutes(3)).group(1);
            Map<String, Object> client = StandaloneKafkaSecurity.load(data).clientProperties(
                    bootstrap, StandaloneKafkaSecurity.BROKER);
            Map<String, Object> producerConfig = new HashMap<>(client);
            producerConfig.put("client.id", "broker-requests-test");
            var here = ManagementFactory.getPlatformMBeanServer();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig,
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), "k", "first"))
                        .get(); // connected, metadata known: the rest is only produce requests
                Map<String, Long> clientBefore = BrokerRequests.clientRequests(here);
                BrokerRequests.Sample before = BrokerRequests.read(broker.pid());
                for (int i = 0; i < 40; i++) {
                    producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS.name(), "k", "r" + i))
                            .get();
                }
                BrokerRequests.Sample after = BrokerRequests.read(broker.pid());
                Map<String, Long> clientAfter = BrokerRequests.clientRequests(here);

                BrokerRequests.Delta delta = BrokerRequests.between(before, after, 40);

                assertThat(delta.appended()).as("records appended per record sent; the broker"
                        + " said: %s", progress).containsEntry(Topics.DEAD_LETTERS.name(), 1.0);
                // a request is counted when its answer has gone out, so the last one may land
                // after the client has it: 39 to 41 of 40
                assertThat(delta.requests().get("Produce")).as("produce requests per record"
                        + " (one at a time: one each); all: %s", delta.requests()).isCloseTo(1.0,
                                within(0.03));
                assertThat(delta.transactionRequestsPerCall()).isZero();
                assertThat(before.clients()).as("no client runs in the broker's JVM").isEmpty();
                assertThat(clientAfter.get("broker-requests-test") - clientBefore.get(
                        "broker-requests-test")).as("the producer's own count of its requests,"
                                + " read from this JVM; all: %s", clientAfter)
                        .isBetween(40L, 41L);
            }
        }
    }
}
