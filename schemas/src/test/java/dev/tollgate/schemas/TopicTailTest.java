package dev.tollgate.ingress.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A reader that fails keeps reading once it can, and says it is not running meanwhile. */
class TopicTailTest {

    private static final TopicPartition PARTITION = new TopicPartition("t", 0);

    @Test
    void aFailedPollIsRetriedWithBackoffAndTheReaderIsNotRunningMeanwhile() throws Exception {
        PacedConsumer consumer = new PacedConsumer();
        consumer.updateBeginningOffsets(Map.of(PARTITION, 0L));
        consumer.updateEndOffsets(Map.of(PARTITION, 0L));
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        try (TopicTail<String> reader = new TopicTail<>("t", consumer, r -> seen.add(r.value()),
                Duration.ofSeconds(1))) {
            reader.start(List.of(PARTITION), null, Duration.ofSeconds(5));
            boolean runningAtStart = reader.isRunning();

            consumer.setPollException(new KafkaException("Not authorized to access topics: [t]"));
            boolean stoppedWhileFailing = await(() -> !reader.isRunning());
            consumer.addRecord(new ConsumerRecord<>("t", 0, 0L, "k", "revoked"));
            boolean readsAgain = await(() -> reader.isRunning() && seen.contains("revoked"));

            assertThat(runningAtStart).isTrue();
            assertThat(stoppedWhileFailing).as("not running while the poll fails").isTrue();
            assertThat(readsAgain).as("reads again after the backoff").isTrue();
            assertThat(seen).containsExactly("revoked");
        }
    }

    @Test
    void onARealBrokerAnErrorWhileHandlingARecordDoesNotEndTheReaderAndTheRecordIsReadAgain()
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        String topic = KafkaTestBroker.uniqueName("topic-tail-error");
        broker.createTopics(1, topic);
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        AtomicInteger attemptsOnR1 = new AtomicInteger();
        try (TopicTail<String> reader = new TopicTail<>(KafkaTestBroker.uniqueName("tail"),
                broker.consumerProps("unused"), new StringDeserializer(), r -> {
                    if (r.value().equals("r1") && attemptsOnR1.incrementAndGet() == 1) {
                        throw new OutOfMemoryError("Java heap space (a test's)");
                    }
                    seen.add(r.value());
                });
                KafkaProducer<String, String> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(), new StringSerializer())) {
            reader.start(reader.partitionsOf(topic, Duration.ofSeconds(30)), null, Duration
                    .ofSeconds(30));

            for (String value : List.of("r0", "r1", "r2")) {
                producer.send(new ProducerRecord<>(topic, "k", value)).get();
            }
            boolean all = await(() -> seen.size() >= 3 && reader.isRunning());

            assertThat(all).as("seen %s", seen).isTrue();
            assertThat(seen).containsExactly("r0", "r1", "r2");
            assertThat(attemptsOnR1).hasValue(2);
        }
    }

    /** Polls {@code condition} for at most 15 s. */
    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** A mock consumer whose empty polls take a moment, as a real one's do. */
    private static final class PacedConsumer extends MockConsumer<String, String> {

        PacedConsumer() {
            super("earliest");
        }

        @Override
        public ConsumerRecords<String, String> poll(Duration timeout) {
            ConsumerRecords<String, String> records = super.poll(timeout);
            if (records.isEmpty()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }
    }
}
