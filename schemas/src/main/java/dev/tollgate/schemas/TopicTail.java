package dev.tollgate.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Tollgate follows a topic it must not act on stale: reads assigned partitions (no
 * consumer group, no commits) on its own thread from a starting point ({@link From}), tells when it
 * has read what was there at start ({@link #awaitCaughtUp}) and whether it still reads
 * ({@link #isRunning}). The ingress's readers (token records, policy, requests, answers) and every
 * role's installation registry use it.
 *
 * <p><b>Failures.</b> A failed poll or positioning (an authorization error during an ACL change, a
 * broker answer the client cannot use) or anything the handler throws (an {@link OutOfMemoryError}
 * while decoding a poison record, a listener's failure) does not end the reader: it is logged once
 * per streak of failures, the records not yet handled are read again, and the reader tries again
 * after a backoff (doubling from {@link Settings#firstBackoff} to {@link Settings#maxBackoff}). A
 * handler that wants a bad record skipped catches its own exception. While failing the reader is
 * not running, so what depends on it can refuse rather than act on what it no longer learns.
 *
 * <p><b>Contact.</b> A consumer cut off from its broker polls empty without an error. So the reader
 * confirms its position against the broker's end offsets (a ListOffsets round trip to each
 * partition's leader, on its own thread) at least every third of {@link Settings#contactBound},
 * and is not running once no answer came for longer than that bound. {@link #awaitCurrent} uses
 * the same answers to tell that everything on the topic when it was called has been handled.
 */
public final class TopicTail<V> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicTail.class);

    public static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long a reader counts as running without an answer from its broker. */
    public static final Duration CONTACT_BOUND = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);

    /**
     * How a reader waits and how long it trusts itself.
     *
     * @param firstBackoff the wait after a first failure, doubled after each further one
     * @param maxBackoff the longest wait between attempts
     * @param contactBound how long the reader counts as running without an answer from the broker
     */
    public record Settings(Duration firstBackoff, Duration maxBackoff, Duration contactBound) {

        public Settings {
            if (firstBackoff.isNegative() || firstBackoff.isZero() || maxBackoff.compareTo(
                    firstBackoff) < 0) {
                throw new IllegalArgumentException("a reader's backoff must be positive and its"
                        + " longest wait at least its first, got " + firstBackoff + " and "
                        + maxBackoff);
            }
            if (contactBound.toMillis() < 300) {
                throw new IllegalArgumentException("a reader's contact bound must be at least"
                        + " 300 ms, got " + contactBound.toMillis() + " ms");
            }
        }

        public static Settings defaults() {
            return new Settings(FIRST_BACKOFF, MAX_BACKOFF, CONTACT_BOUND);
        }

        public Settings withBackoff(Duration first, Duration max) {
            return new Settings(first, max, contactBound);
        }

        public Settings withContactBound(Duration bound) {
            return new Settings(firstBackoff, maxBackoff, bound);
        }

        /** How often the reader asks the broker for end offsets, and how long it waits. */
        Duration checkEvery() {
            return contactBound.dividedBy(3);
        }
    }

    /** Where reading starts on each partition. */
    public sealed interface From permits Beginning, Since, LastRecords {
    }

    /** The beginning of each partition. */
    public record Beginning() implements From {
    }

    /** The first record at or after {@code epochMillis}, or the end. */
    public record Since(long epochMillis) implements From {
    }

    /** Each partition's last {@code records} records (or its beginning). */
    public record LastRecords(int records) implements From {
    }

    private final org.apache.kafka.clients.consumer.Consumer<String, V> consumer;
    private final String name;
    private final Consumer<ConsumerRecord<String, V>> handler;
    private final Settings settings;
    private final CountDownLatch caughtUpLatch = new CountDownLatch(1);
    private volatile Thread thread;
    /** Started and not closed. */
    private volatile boolean running;
    /**
     * Attempts (a positioning, a poll, the handling of a record) that failed in a row; 0 again
     * once a poll succeeds past the record that failed, if one did. Only the reader's thread
     * writes it.
     */
    private volatile int failures;
    private volatile Set<TopicPartition> assigned = Set.of();
    /** Where the reader is on each assigned partition (the next offset), after its last poll. */
    private volatile Map<TopicPartition, Long> positions = Map.of();
    /** System.nanoTime() when the last end-offsets request that was answered was sent. */
    private volatile long contactNanos;
    /**
     * System.nanoTime() when the newest end-offsets request whose offsets the reader has reached
     * was sent: everything on the partitions then has been handled.
     */
    private volatile long currentSinceNanos;
    private volatile boolean checkWanted;
    // the reader thread's own
    private Collection<TopicPartition> wanted;
    private String wantedTopic;
    private From from;
    private boolean positioned;
    private Map<TopicPartition, Long> pendingEnds;
    private long pendingAskedNanos;
    private long lastCheckNanos;
    private boolean outOfContact;
    /** The record whose handling failed last, until it has been handled. */
    private ConsumerRecordPosition failedAt;

    private record ConsumerRecordPosition(TopicPartition partition, long offset) {
    }

    /**
     * A reader of its own consumer ({@code clientId} null: Kafka names it), built from
     * {@code baseProperties} with no group, no commits and committed records only.
     */
    public TopicTail(String name, String clientId, Map<String, Object> baseProperties,
            Deserializer<V> values, Consumer<ConsumerRecord<String, V>> handler,
            Settings settings) {
        this(name, new KafkaConsumer<>(properties(baseProperties, clientId),
                new StringDeserializer(), values), handler, settings);
    }

    /** A reader of {@code consumer}, which it owns from now on (closes it). */
    public TopicTail(String name, org.apache.kafka.clients.consumer.Consumer<String, V> consumer,
            Consumer<ConsumerRecord<String, V>> handler, Settings settings) {
        this.consumer = consumer;
        this.name = name;
        this.handler = handler;
        this.settings = settings;
    }

    /** A consumer that reads nothing: it asks for end offsets as the readers see them. */
    public static KafkaConsumer<byte[], byte[]> offsetsConsumer(Map<String, Object> baseProperties,
            String clientId) {
        return new KafkaConsumer<>(properties(baseProperties, clientId),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Map<String, Object> properties(Map<String, Object> baseProperties,
            String clientId) {
        Map<String, Object> props = new HashMap<>(baseProperties);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // committed records only: the end offsets asked for are then the last stable ones
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (clientId != null) {
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        }
        return props;
    }

    /** The partitions of {@code topic}; before {@link #start} only (the caller's thread). */
    public List<TopicPartition> partitionsOf(String topic, Duration timeout) {
        if (thread != null) {
            throw new IllegalStateException("the " + name + " reader has started");
        }
        return consumer.partitionsFor(topic, timeout).stream().map(info -> new TopicPartition(
                topic, info.partition())).toList();
    }

    /** Starts reading {@code partitions} from {@code from} on a daemon thread; returns at once. */
    public TopicTail<V> start(Collection<TopicPartition> partitions, From from) {
        this.wanted = List.copyOf(partitions);
        this.assigned = Set.copyOf(partitions);
        return begin(from);
    }

    /** Starts reading every partition of {@code topic} (found on the reader's thread). */
    public TopicTail<V> start(String topic, From from) {
        this.wantedTopic = topic;
        return begin(from);
    }

    /**
     * Starts reading {@code partitions} and waits until everything on them at start has been
     * handled.
     *
     * @throws IllegalStateException (the reader closed) when that takes longer than
     *         {@code timeout}
     */
    public void startCaughtUp(Collection<TopicPartition> partitions, From from,
            Duration timeout) {
        start(partitions, from);
        boolean done;
        try {
            done = awaitCaughtUp(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            close();
            throw new IllegalStateException("could not read " + name + " up to its end within "
                    + timeout.toSeconds() + " s: is Kafka reachable?");
        }
    }

    private synchronized TopicTail<V> begin(From start) {
        if (thread != null) {
            throw new IllegalStateException("the " + name + " reader has started");
        }
        this.from = start;
        running = true;
        thread = Thread.ofPlatform().daemon().name("tollgate-" + name).start(this::loop);
        return this;
    }

    /**
     * Waits up to {@code timeout} for the reader to have handled everything that was on its
     * partitions when it started; false also when it is not running then.
     */
    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUpLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && isRunning();
    }

    /**
     * Waits up to {@code timeout} until the reader has handled every record that was on its
     * partitions when called (it asks the broker for the end offsets at once).
     *
     * @return whether it got there in time
     */
    public boolean awaitCurrent(Duration timeout) throws InterruptedException {
        long asked = System.nanoTime();
        long deadline = asked + timeout.toNanos();
        checkWanted = true;
        while (currentSinceNanos - asked < 0 || !isRunning()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            checkWanted = true;
            Thread.sleep(10);
        }
        return true;
    }

    private void loop() {
        try {
            while (running) {
                try {
                    if (!positioned) {
                        position();
                    }
                    pollOnce();
                    if (failures > 0 && passedFailedRecord()) {
                        log.info("{} reader reads again after {} failed attempt(s)", name,
                                failures);
                        failedAt = null;
                        failures = 0;
                    }
                    noteProgress();
                    confirmContactIfDue();
                } catch (WakeupException e) {
                    // stopping (or a stray wakeup: the loop decides)
                } catch (Throwable e) {
                    if (!running) {
                        return; // stopping: close() woke or interrupted the call
                    }
                    failures++; // the reader's thread is its only writer
                    if (failures == 1) {
                        log.error("{} reader failed: {}; it retries with backoff (up to {} s apart)"
                                + " and reports itself not running until it reads again", name,
                                e
                                        .getMessage(),
                                settings.maxBackoff().toSeconds(), e instanceof RecordFailed
                                        ? e.getCause()
                                        : e);
                    }
                    if (!backOff(failures)) {
                        return;
                    }
                }
            }
        } finally {
            running = false;
            Thread.interrupted(); // close() may have interrupted a backoff: close quietly
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            } catch (RuntimeException e) {
                log.debug("{} reader: closing its consumer: {}", name, e.toString());
            }
        }
    }

    /** Assigns the partitions, puts each at its starting point and asks where their ends are. */
    private void position() {
        List<TopicPartition> partitions;
        if (wanted != null) {
            partitions = List.copyOf(wanted);
        } else {
            partitions = consumer.partitionsFor(wantedTopic, settings.checkEvery()).stream().map(
                    info -> new TopicPartition(wantedTopic, info.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException("the broker lists no partition of " + wantedTopic
                        + " (does the topic exist?)");
            }
        }
        consumer.assign(partitions);
        assigned = Set.copyOf(partitions);
        switch (from) {
            case Beginning b -> consumer.seekToBeginning(partitions);
            case Since since -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(p -> query.put(p, since.epochMillis()));
                Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query,
                        settings.checkEvery());
                for (TopicPartition partition : partitions) {
                    OffsetAndTimestamp offset = offsets.get(partition);
                    if (offset == null) {
                        consumer.seekToEnd(List.of(partition));
                    } else {
                        consumer.seek(partition, offset.offset());
                    }
                }
            }
            case LastRecords last -> {
                Map<TopicPartition, Long> beginning = consumer.beginningOffsets(partitions,
                        settings.checkEvery());
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, settings
                        .checkEvery());
                for (TopicPartition partition : partitions) {
                    consumer.seek(partition, Math.max(beginning.get(partition), end.get(partition)
                            - last.records()));
                }
            }
        }
        recordPositions();
        askEnds();
        noteProgress();
        positioned = true;
    }

    private void pollOnce() {
        List<ConsumerRecord<String, V>> batch = new ArrayList<>();
        consumer.poll(POLL).forEach(batch::add);
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<String, V> record = batch.get(i);
            try {
                handler.accept(record);
            } catch (Throwable e) {
                rewind(batch.subList(i, batch.size()));
                failedAt = new ConsumerRecordPosition(new TopicPartition(record.topic(), record
                        .partition()), record.offset());
                throw new RecordFailed(record, e);
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
            now.put(partition, consumer.position(partition, settings.checkEvery()));
        }
        positions = Map.copyOf(now);
    }

    /**
     * Whether the record that failed last (if one did) has been handled since: an empty poll
     * after the rewind does not count, so the reader is not running until it has.
     */
    private boolean passedFailedRecord() {
        ConsumerRecordPosition failed = failedAt;
        return failed == null || positions.getOrDefault(failed.partition(), -1L) > failed
                .offset();
    }

    /** Once not failing and past the end offsets asked for: caught up, and current as of then. */
    private void noteProgress() {
        if (failures == 0 && pendingEnds != null && covers(positions, pendingEnds)) {
            currentSinceNanos = pendingAskedNanos;
            pendingEnds = null;
            if (caughtUpLatch.getCount() > 0) {
                caughtUpLatch.countDown();
                log.info("{} reader has read {} up to its end", name, assigned.isEmpty()
                        ? "its partitions"
                        : assigned.iterator().next().topic());
            }
        }
    }

    private void confirmContactIfDue() {
        if (!checkWanted && System.nanoTime() - lastCheckNanos < settings.checkEvery()
                .toNanos()) {
            return;
        }
        try {
            askEnds();
        } catch (TimeoutException e) {
            if (!outOfContact) {
                outOfContact = true;
                log.warn("{} reader: the broker did not answer for end offsets within {} ms; the"
                        + " reader counts as not running once it has not heard from it for {} s",
                        name, settings.checkEvery().toMillis(), settings.contactBound()
                                .toSeconds());
            }
            return;
        }
        noteProgress();
    }

    /**
     * Asks the broker for the partitions' end offsets, the reader's proof of contact, and keeps
     * them to reach.
     */
    private void askEnds() {
        long asked = System.nanoTime();
        lastCheckNanos = asked;
        checkWanted = false;
        Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, settings.checkEvery());
        contactNanos = asked;
        if (outOfContact) {
            outOfContact = false;
            log.info("{} reader hears from the broker again", name);
        }
        pendingEnds = ends;
        pendingAskedNanos = asked;
    }

    /** Sleeps before the next attempt; false when stopping. */
    private boolean backOff(int failures) {
        long millis = Math.min(settings.maxBackoff().toMillis(), settings.firstBackoff()
                .toMillis() << Math.min(failures - 1, 20));
        try {
            Thread.sleep(millis);
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether every record before {@code ends} (offsets per partition, e.g. the end offsets at
     * some moment) on this reader's partitions has been handled; other partitions are ignored.
     */
    public boolean reached(Map<TopicPartition, Long> ends) {
        return covers(positions, ends);
    }

    /** Whether {@code at} is at or past {@code ends} on each of this reader's partitions. */
    private boolean covers(Map<TopicPartition, Long> at, Map<TopicPartition, Long> ends) {
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

    /**
     * Started, not stopped, caught up once, its last attempt to read succeeded, and the broker
     * answered it within the contact bound.
     */
    public boolean isRunning() {
        Thread reader = thread;
        return running && caughtUpLatch.getCount() == 0 && failures == 0 && reader != null
                && reader.isAlive()
                && System.nanoTime() - contactNanos <= settings.contactBound().toNanos();
    }

    @Override
    public void close() {
        Thread reader;
        synchronized (this) {
            reader = thread;
            if (reader == null) {
                thread = Thread.currentThread(); // never starts now
            }
        }
        running = false;
        if (reader == null) {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            return;
        }
        consumer.wakeup();
        reader.interrupt(); // it may be backing off
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** The handler threw on a record: it is read again after the backoff. */
    private static final class RecordFailed extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RecordFailed(ConsumerRecord<?, ?> record, Throwable cause) {
            super("cannot handle record " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + ": " + cause, cause);
        }
    }
}
