package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.launcher.EmbeddedKafkaServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka floor under a call: three hops relayed on a real broker, and whose CPU is whose. */
class KafkaRelayTest {

    @TempDir
    Path dir;

    @Test
    void everyCallCrossesThreeHopsOnTheBrokerAndTheTopicsAreGoneAfterwards() throws Exception {
        try (EmbeddedKafkaServer broker = EmbeddedKafkaServer.start(dir.resolve("kafka"), 0, true,
                "relay-test-broker-password-0123456789abcdef")) {
            long self = ProcessHandle.current().pid();
            Map<String, Object> client = broker.superUserClientProperties();

            KafkaRelay.Result result = KafkaRelay.measure(client, 100, 400, 4, false, List.of(
                    new ProcessStats.Measured("bench", self)), self, null);

            assertThat(result.stats().calls()).isEqualTo(400);
            assertThat(result.stats().errors()).isZero();
            assertThat(result.stats().name()).isEqualTo("kafka relay, 4 in flight");
            assertThat(result.stats().p50Millis()).isPositive();
            // the broker's own counters: one record appended on each hop's topic per call
            assertThat(result.broker().notMeasured()).as("the broker's counters").isNull();
            Map<String, Double> relayed = result.broker().appended().entrySet().stream().filter(
                    e -> e.getKey().startsWith("bench.relay.")).collect(
                            Collectors.toMap(
                                    Map.Entry::getKey, Map.Entry::getValue));
            assertThat(relayed).hasSize(KafkaRelay.HOPS);
            assertThat(relayed.values()).allSatisfy(perCall -> assertThat(perCall).isEqualTo(
                    1.0));
            assertThat(result.broker().requests()).containsKeys("Produce", "Fetch");
            if (java.nio.file.Files.isReadable(Path.of("/proc/self/task"))) {
                // the broker's threads are in this JVM here: counted as the broker's, not the
                // clients'
                assertThat(result.brokerMillis()).as("the broker's CPU per call").isPositive();
                assertThat(result.clientMillis()).as("the clients' CPU per call").isPositive();
                assertThat(result.otherMillis()).isZero();
            }
            assertThat(result.line()).startsWith("3 Kafka hops relayed, kafka relay, 4 in flight:"
                    + " CPU ms per call: the clients ").contains("broker requests per call");

            try (Admin admin = Admin.create(client)) {
                Set<String> left = Set.of();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                do {
                    left = admin.listTopics().names().get().stream().filter(t -> t.startsWith(
                            "bench.relay.")).collect(Collectors.toSet());
                } while (!left.isEmpty() && System.nanoTime() < deadline && sleep());
                assertThat(left).as("relay topics still listed 20 s after the relay").isEmpty();
            }
        }
    }

    @Test
    void inATransactionTheSecondHopCommitsItsOffsetsWithWhatItPublishes() throws Exception {
        try (EmbeddedKafkaServer broker = EmbeddedKafkaServer.start(dir.resolve("kafka"), 0, true,
                "relay-test-broker-password-0123456789abcdef")) {
            long self = ProcessHandle.current().pid();

            KafkaRelay.Result result = KafkaRelay.measure(broker.superUserClientProperties(), 50,
                    300, 4, true, List.of(new ProcessStats.Measured("bench", self)), self, null);

            assertThat(result.stats().calls()).isEqualTo(300);
            assertThat(result.stats().errors()).isZero();
            assertThat(result.stats().name()).isEqualTo("kafka relay, 4 in flight, txn");
            // at most the calls in flight fit one poll, at least one call per transaction
            assertThat(result.recordsPerTransaction()).isBetween(1.0, 4.0);
            assertThat(result.broker().requests()).containsKeys("EndTxn", "TxnOffsetCommit");
            assertThat(result.broker().appended()).containsKey("__transaction_state");
            assertThat(result.line()).contains("calls per transaction");
        }
    }

    @Test
    void theClientsAreThisProcessLessItsBrokerThreadsAndTheRestIsTheOthers() {
        LatencyStats stats = new LatencyStats("kafka relay, 8 in flight", 1000, 0, 2, 3, 5, 9,
                900);
        ProcessStats.Usage bench = new ProcessStats.Usage("bench", 10, 0, 0, 0, 500, Map.of(
                ThreadComponents.LOAD, 400.0, ThreadComponents.JIT, 100.0), 0);
        ProcessStats.Usage system = new ProcessStats.Usage("system", 11, 0, 0, 0, 900, Map.of(
                ThreadComponents.BROKER, 700.0, ThreadComponents.AUDIT, 200.0), 0);

        KafkaRelay.Result result = KafkaRelay.result(stats, List.of(bench, system), 10, null,
                Double.NaN);

        assertThat(result.clientMillis()).isEqualTo(0.5);
        assertThat(result.clientJitMillis()).isEqualTo(0.1);
        assertThat(result.brokerMillis()).isEqualTo(0.7);
        assertThat(result.otherMillis()).isEqualTo(0.2);
        assertThat(result.floorMillis()).as("the clients less their JIT, and the broker")
                .isCloseTo(1.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result.line()).isEqualTo("3 Kafka hops relayed, kafka relay, 8 in flight: CPU"
                + " ms per call: the clients 0.500 less their JIT 0.100 + the broker 0.700 = 1.100"
                + " (the rest of the measured processes — their JIT, GC, idle roles — 0.200)\n");
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }
}
