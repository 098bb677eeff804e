package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
                TopicTail.Settings.defaults().withBackoff(Duration.ofSeconds(1), Duration
                        .ofSeconds(30)))) {
            reader.startCaughtUp(List.of(PARTITION), new TopicTail.Beginning(), Duration
                    .ofSeconds(5));
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
        try (TopicTail<String> reader = new TopicTail<>(KafkaTestBroker.uniqueName("tail"), null,
                broker.consumerProps("unused"), new StringDeserializer(), r -> {
                    if (r.value().equals("r1") && attemptsOnR1.incrementAndGet() == 1) {
                        throw new OutOfMemoryError("Java heap space (a test's)");
                    }
                    seen.add(r.value());
                }, TopicTail.Settings.defaults());
                KafkaProducer<String, String> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(), new StringSerializer())) {
            reader.startCaughtUp(reader.partitionsOf(topic, Duration.ofSeconds(30)),
                    new TopicTail.Beginning(), Duration.ofSeconds(30));

            for (String value : List.of("r0", "r1", "r2")) {
                producer.send(new ProducerRecord<>(topic, "k", value)).get();
            }
            boolean all = await(() -> seen.size() >= 3 && reader.isRunning());

            assertThat(all).as("seen %s", seen).isTrue();
            assertThat(seen).containsExactly("r0", "r1", "r2");
            assertThat(attemptsOnR1).hasValue(2);
        }
    }

    @Test
    void onARealBrokerARecordThatKeepsFailingKeepsTheReaderNotRunningBetweenItsRetries()
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        String topic = KafkaTestBroker.uniqueName("topic-tail-poison");
        broker.createTopics(1, topic);
        AtomicInteger attempts = new AtomicInteger();
        try (TopicTail<String> reader = new TopicTail<>(KafkaTestBroker.uniqueName("poison"),
                null, broker.consumerProps("unused"), new StringDeserializer(), r -> {
                    attempts.incrementAndGet();
                    throw new OutOfMemoryError("Java heap space (a test's)");
                }, TopicTail.Settings.defaults().withBackoff(Duration.ofMillis(100), Duration
                        .ofMillis(100)));
                KafkaProducer<String, String> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(), new StringSerializer())) {
            reader.startCaughtUp(reader.partitionsOf(topic, Duration.ofSeconds(30)),
                    new TopicTail.Beginning(), Duration.ofSeconds(30));

            producer.send(new ProducerRecord<>(topic, "k", "poison")).get(30, TimeUnit.SECONDS);
            // the handler counts its attempt before it throws: the reader knows it failed only
            // once the throw reached its loop
            boolean failed = await(() -> attempts.get() >= 1 && !reader.isRunning(), Duration
                    .ofSeconds(30));
            int before = attempts.get();
            // the empty poll after each rewind is no recovery: the record is still not handled
            boolean neverRunning = holds(() -> !reader.isRunning(), Duration.ofSeconds(3));
            int retried = attempts.get() - before;

            assertThat(failed).as("the record was handled at all").isTrue();
            assertThat(neverRunning).as("running again while the record still fails (%d more"
                    + " attempts)", retried).isTrue();
            assertThat(retried).as("attempts in 3 s at 100 ms apart").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void onARealBrokerAReaderCutOffFromItsBrokerStopsCountingAsRunningWithinItsBoundAndRecovers()
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.startSeparate();
        try {
            String topic = KafkaTestBroker.uniqueName("topic-tail-contact");
            broker.createTopics(1, topic);
            Duration bound = Duration.ofSeconds(3);
            Map<String, Object> props = new HashMap<>(broker.consumerProps("unused"));
            props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
            Queue<String> seen = new ConcurrentLinkedQueue<>();
            try (TopicTail<String> reader = new TopicTail<>(KafkaTestBroker.uniqueName("contact"),
                    null, props, new StringDeserializer(), r -> seen.add(r.value()),
                    TopicTail.Settings.defaults().withContactBound(bound));
                    KafkaProducer<String, String> producer = new KafkaProducer<>(broker
                            .producerProps(), new StringSerializer(), new StringSerializer())) {
                reader.startCaughtUp(reader.partitionsOf(topic, Duration.ofSeconds(30)),
                        new TopicTail.Beginning(), Duration.ofSeconds(30));
                producer.send(new ProducerRecord<>(topic, "k", "before")).get(30,
                        TimeUnit.SECONDS);
                boolean readBefore = await(() -> seen.contains("before"), Duration.ofSeconds(
                        30));
                // in contact, it keeps running past its bound: each answer renews it
                boolean runningThroughout = holds(reader::isRunning, bound.multipliedBy(2));

                broker.stopBroker();
                long stopped = System.nanoTime();
                boolean stoppedRunning = await(() -> !reader.isRunning(), Duration.ofSeconds(60));
                Duration tookToNotice = Duration.ofNanos(System.nanoTime() - stopped);
                broker.restartBroker();
                long restarted = System.nanoTime();
                boolean runsAgain = await(reader::isRunning, Duration.ofSeconds(90));
                Duration tookToRecover = Duration.ofNanos(System.nanoTime() - restarted);
                producer.send(new ProducerRecord<>(topic, "k", "after")).get(60,
                        TimeUnit.SECONDS);
                boolean readAfter = await(() -> seen.contains("after"), Duration.ofSeconds(60));

                assertThat(readBefore).as("read before the outage: %s", seen).isTrue();
                assertThat(runningThroughout).as("running while the broker answers").isTrue();
                assertThat(stoppedRunning).as("still running 60 s after the broker stopped")
                        .isTrue();
                // the last answer came at most a third of the bound (plus its own wait) before
                // the stop; a generous margin for a busy machine
                assertThat(tookToNotice).as("time from the stop until not running (bound %s)",
                        bound).isLessThan(bound.multipliedBy(4));
                assertThat(runsAgain).as("not running again within 90 s of the restart")
                        .isTrue();
                assertThat(readAfter).as("reads what is written after the restart: %s (took %s"
                        + " to run again)", seen, tookToRecover).isTrue();
                assertThat(seen).containsExactly("before", "after");
            }
        } finally {
            broker.close();
        }
    }

    @Test
    void onARealBrokerARecordThatFailsIsReadAgainFromItsPartitionAloneAndEveryRecordIsHandledOnce()
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.get();
        String topic = KafkaTestBroker.uniqueName("topic-tail-rewind");
        broker.createTopics(2, topic);
        Map<Integer, Queue<String>> seen = new ConcurrentHashMap<>();
        AtomicInteger attempts = new AtomicInteger();
        try (TopicTail<String> reader = new TopicTail<>(KafkaTestBroker.uniqueName("rewind"),
                null, broker.consumerProps("unused"), new StringDeserializer(), r -> {
                    // the fourth: whichever partition comes first has been handled whole
                    if (attempts.incrementAndGet() == 4) {
                        throw new IllegalStateException("a listener's failure (a test's)");
                    }
                    seen.computeIfAbsent(r.partition(), p -> new ConcurrentLinkedQueue<>()).add(r
                            .value());
                }, TopicTail.Settings.defaults().withBackoff(Duration.ofMillis(100), Duration
                        .ofMillis(100)));
                KafkaProducer<String, String> producer = new KafkaProducer<>(broker
                        .producerProps(), new StringSerializer(), new StringSerializer())) {
            for (String value : List.of("a0", "a1", "a2")) {
                producer.send(new ProducerRecord<>(topic, 0, "k", value)).get(30,
                        TimeUnit.SECONDS);
            }
            for (String value : List.of("b0", "b1")) {
                producer.send(new ProducerRecord<>(topic, 1, "k", value)).get(30,
                        TimeUnit.SECONDS);
            }

            // caught up: past the failed record and at the ends of both partitions
            reader.startCaughtUp(reader.partitionsOf(topic, Duration.ofSeconds(30)),
                    new TopicTail.Beginning(), Duration.ofSeconds(30));

            assertThat(seen.get(0)).as("partition 0").containsExactly("a0", "a1", "a2");
            assertThat(seen.get(1)).as("partition 1").containsExactly("b0", "b1");
            assertThat(attempts).as("five records and one failed attempt").hasValue(6);
            assertThat(reader.isRunning()).isTrue();
        }
    }

    /** Whether {@code condition} holds at every check for {@code period}. */
    private static boolean holds(BooleanSupplier condition, Duration period)
            throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            if (!condition.getAsBoolean()) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static boolean await(BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
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
