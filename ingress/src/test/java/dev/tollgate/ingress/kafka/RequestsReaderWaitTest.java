package dev.tollgate.ingress.kafka;

import dev.tollgate.schemas.TopicTail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.testsupport.KafkaTestBroker;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code tollgate.ingress.requests-reader-wait}: the reader of every replica's requests lets them
 * gather on the broker instead of fetching each as it comes (it is on no call's path).
 */
class RequestsReaderWaitTest {

    @Test
    void aWaitSetsTheFetchWaitAndAMinimumNoWaitLeavesTheBaseSettings() {
        Map<String, Object> base = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092",
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);

        Map<String, Object> lazy = KafkaListeners.requestsReaderProperties(base, Duration
                .ofMillis(100));

        assertThat(lazy).containsEntry(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100)
                .containsEntry(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1024 * 1024).containsEntry(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092");
        assertThat(base).as("the base is not changed: the other readers use it").containsEntry(
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1).hasSize(2);
        assertThat(KafkaListeners.requestsReaderProperties(base, Duration.ZERO)).isEqualTo(base);
    }

    @Test
    void aWaitBelowZeroOrAboveOneSecondStopsStartUpNamingTheSetting() {
        for (Duration wrong : List.of(Duration.ofMillis(-1), Duration.ofMillis(1001))) {
            assertThatThrownBy(() -> new KafkaListeners(Map.of(), null, null, null, Clock
                    .systemUTC(), "auto", "i", Duration.ofHours(1), wrong, Duration.ofSeconds(30)))
                    .isInstanceOf(
                            IllegalArgumentException.class)
                    .hasMessage(
                            "tollgate.ingress.requests-reader-wait must be between 0 and"
                                    + " 1000 ms, got " + wrong.toMillis() + " ms");
        }
    }

    /**
     * A real broker: records written one every 40 ms for about 1.6 s reach a reader with a 300 ms
     * wait in a handful of fetches, not one each, and every one of them arrives.
     */
    @Test
    void onARealBrokerTheReaderFetchesOncePerWaitAndMissesNothing() throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        String topic = KafkaTestBroker.uniqueName("requests-reader-wait");
        broker.createTopics(2, topic);
        String name = KafkaTestBroker.uniqueName("requests-wait");
        Duration wait = Duration.ofMillis(300);
        Map<String, Object> base = new HashMap<>(broker.consumerProps("unused"));
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        int records = 40;
        try (TopicTail<String> reader = new TopicTail<>(name, KafkaListeners.CLIENT_ID_PREFIX
                + name, KafkaListeners.requestsReaderProperties(base, wait),
                new StringDeserializer(), r -> seen.add(r.value()), TopicTail.Settings
                        .defaults());
                KafkaProducer<String, String> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(), new StringSerializer())) {
            reader.startCaughtUp(reader.partitionsOf(topic, Duration.ofSeconds(30)),
                    new TopicTail.Beginning(), Duration.ofSeconds(30));
            ObjectName fetches = new ObjectName(
                    "kafka.consumer:type=consumer-fetch-manager-metrics,client-id=tollgate-ingress-"
                            + name);
            var server = ManagementFactory.getPlatformMBeanServer();
            double before = ((Number) server.getAttribute(fetches, "fetch-total")).doubleValue();
            long started = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + (i % 2), "r" + i)).get();
                Thread.sleep(40);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < records && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double elapsedWaits = (System.nanoTime() - started) / (double) wait.toNanos();
            double made = ((Number) server.getAttribute(fetches, "fetch-total")).doubleValue()
                    - before;

            assertThat(seen).as("every record arrives (seen %d of %d)", seen.size(), records)
                    .hasSize(records);
            assertThat(made).as("fetches over %.1f waits of %d ms for %d records written one at"
                    + " a time (each fetched at once would be about %d)", elapsedWaits,
                    wait
                            .toMillis(),
                    records, records).isLessThanOrEqualTo(elapsedWaits + 3);
        }
    }
}
