package dev.tollgate.ingress.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads assigned partitions (no consumer group, no commits) on its own thread: either from the
 * beginning or from a point in time, catching up to the end before {@link #start} returns. Bad
 * records are logged once each and skipped.
 *
 * <p>A failed poll (an authorization error during an ACL change, a broker answer the client cannot
 * use) or an {@link Error} (an {@link OutOfMemoryError} while handling a record) does not end the
 * reader: it is logged once per streak of failures, the records not yet handled are read again,
 * and the reader polls again after a backoff (doubling from {@link #FIRST_BACKOFF} to
 * {@link #MAX_BACKOFF}). While failing it is not {@link #isRunning() running}, so what depends on
 * it can refuse rather than act on what it no longer learns.
 */
public final class TopicTail<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicTail.class);

    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final org.apache.kafka.clients.consumer.Consumer<String, V> consumer;
    private final String name;
    private final Consumer<ConsumerRecord<String, V>> handler;
    private final Duration firstBackoff;
    private Thread thread;
    private volatile boolean running;
    /** The last poll or handling failed; cleared by the next poll that succeeds. */
    private volatile boolean failing;
    private volatile Set<TopicPartition> assigned = Set.of();
    /** Where the reader is on each assigned partition (the next offset), after its last poll. */
    private volatile Map<TopicPartition, Long> positions = Map.of();

    public TopicTail(String name, Map<String, Object> baseProperties, Deserializer<V> values,
            Consumer<ConsumerRecord<String, V>> handler) {
        this(name, new KafkaConsumer<>(properties(baseProperties, name),
                new StringDeserializer(), values), handler, FIRST_BACKOFF);
    }

    /** A reader of {@code consumer} (a test's), backing off from {@code firstBackoff}. */
    TopicTail(String name, org.apache.kafka.clients.consumer.Consumer<String, V> consumer,
            Consumer<ConsumerRecord<String, V>> handler, Duration firstBackoff) {
        this.consumer = consumer;
        this.name = name;
        this.handler = handler;
        this.firstBackoff = firstBackoff;
    }

    /** A consumer that reads nothing: it asks for end offsets as the readers see them. */
    public static KafkaConsumer<byte[], byte[]> offsetsConsumer(Map<String, Object> baseProperties,
            String name) {
        return new KafkaConsumer<>(properties(baseProperties, name),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Map<String, Object> properties(Map<String, Object> baseProperties,
            String name) {
        Map<String, Object> props = new HashMap<>(baseProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // committed records only: the end offsets asked for are then the last stable ones
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "tollgate-ingress-" + name);
        return props;
    }

    public List<TopicPartition> partitionsOf(String topic, Duration timeout) {
        return consumer.partitionsFor(topic, timeout).stream().map(info -> new TopicPartition(
                topic, info.partition())).toList();
    }

    /**
     * Assigns {@code partitions}, positions them ({@code from} null: the beginning; else the
     * first record at or after that epoch millisecond, or the end), reads up to the current end
     * and then keeps reading on a daemon thread.
     */
    public void start(Collection<TopicPartition> partitions, Long fromEpochMillis,
            Duration catchUpTimeout) {
        consumer.assign(partitions);
        assigned = Set.copyOf(partitions);
        if (fromEpochMillis == null) {
            consumer.seekToBeginning(partitions);
        } else {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, fromEpochMillis));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp offset = offsets.get(partition);
                if (offset == null) {
                    consumer.seekToEnd(List.of(partition));
                } else {
                    consumer.seek(partition, offset.offset());
                }
            }
        }
        catchUp(partitions, catchUpTimeout);
    }

    /**
     * Assigns {@code partitions}, positions each at its last {@code records} records (or its
     * beginning), reads up to the current end and then keeps reading on a daemon thread: for a
     * topic whose newest records say what is in force.
     */
    public void startAtLast(Collection<TopicPartition> partitions, int records,
            Duration catchUpTimeout) {
        consumer.assign(partitions);
        assigned = Set.copyOf(partitions);
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition partition : partitions) {
            consumer.seek(partition, Math.max(beginning.get(partition), end.get(partition)
                    - records));
        }
        catchUp(partitions, catchUpTimeout);
    }

    private void catchUp(Collection<TopicPartition> partitions, Duration catchUpTimeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + catchUpTimeout.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + name + " up to its end within "
                        + catchUpTimeout.toSeconds() + " s: is Kafka reachable?");
            }
            pollOnce();
        }
        recordPositions();
        running = true;
        thread = Thread.ofPlatform().daemon().name("tollgate-" + name).start(this::loop);
    }

    private void loop() {
        int failures = 0;
        while (running) {
            try {
                pollOnce();
                if (failures > 0) {
                    log.info("{} reader reads again after {} failed attempt(s)", name, failures);
                    failures = 0;
                    failing = false;
                }
            } catch (WakeupException e) {
                // stopping (or a stray wakeup: the loop decides)
            } catch (Throwable e) {
                if (!running) {
                    return; // stopping: close() woke or interrupted the poll
                }
                failing = true;
                if (failures == 0) {
                    log.error("{} reader failed: {}; it retries with backoff (up to {} s apart)"
                            + " and reports itself not running until it reads again", name,
                            e
                                    .toString(),
                            MAX_BACKOFF.toSeconds());
                }
                failures++;
                if (!backOff(failures)) {
                    return;
                }
            }
        }
    }

    /** Sleeps before the next attempt; false when stopping. */
    private boolean backOff(int failures) {
        long millis = Math.min(MAX_BACKOFF.toMillis(), firstBackoff.toMillis() << Math.min(
                failures - 1, 20));
        try {
            Thread.sleep(millis);
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void pollOnce() {
        List<ConsumerRecord<String, V>> batch = new java.util.ArrayList<>();
        consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<String, V> record = batch.get(i);
            try {
                handler.accept(record);
            } catch (RuntimeException e) {
                log.warn("{}: skipped record {}-{}@{}: {}", name, record.topic(), record
                        .partition(), record.offset(), e.getMessage());
            } catch (Error e) {
                rewind(batch.subList(i, batch.size()));
                throw e;
            }
        }
        recordPositions();
    }

    /** Positions each partition at the first of {@code unhandled} on it: they are read again. */
    private void rewind(List<ConsumerRecord<String, V>> unhandled) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<String, V> record : unhandled) {
            first.merge(new TopicPartition(record.topic(), record.partition()), record.offset(),
                    Math::min);
        }
        first.forEach(consumer::seek);
    }

    private void recordPositions() {
        Map<TopicPartition, Long> now = new HashMap<>();
        for (TopicPartition partition : assigned) {
            now.put(partition, consumer.position(partition));
        }
        positions = Map.copyOf(now);
    }

    /**
     * Whether every record before {@code ends} (offsets per partition, e.g. the end offsets at
     * some moment) on this reader's partitions has been handled; other partitions are ignored.
     */
    public boolean reached(Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> at = positions;
        for (TopicPartition partition : assigned) {
            Long end = ends.get(partition);
            if (end != null && at.getOrDefault(partition, -1L) < end) {
                return false;
            }
        }
        return true;
    }

    /** The partitions this reader reads. */
    public Set<TopicPartition> partitions() {
        return assigned;
    }

    /** Started, not stopped, and its last attempt to read succeeded. */
    public boolean isRunning() {
        return running && !failing && thread != null && thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            thread.interrupt(); // it may be backing off
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }

    /** A deserializer that turns undecodable bytes into null rather than a stuck partition. */
    public static <V> Deserializer<V> lenient(Deserializer<V> delegate,
            Function<Exception, V> onError) {
        return (topic, data) -> {
            try {
                return delegate.deserialize(topic, data);
            } catch (RuntimeException e) {
                return onError.apply(e);
            }
        };
    }
}
