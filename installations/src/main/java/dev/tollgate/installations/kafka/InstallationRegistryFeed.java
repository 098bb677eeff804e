package dev.tollgate.installations.kafka;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an {@link InstallationRegistry} in step with the compacted installations topic: reads every
 * partition from the beginning (no consumer group: every replica needs the whole registry), then
 * follows new records. {@link #awaitCaughtUp} tells when the registry holds everything that was on
 * the topic at start.
 */
public final class InstallationRegistryFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstallationRegistryFeed.class);
    /** How long the feed waits before reading again a record it could not apply. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final InstallationRegistry registry;
    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<InstallationChanged> values;
    private final CountDownLatch caughtUpLatch = new CountDownLatch(1);
    private final Thread thread;
    private final Duration retryAfter;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile boolean stopped;
    private volatile String failing;

    public InstallationRegistryFeed(Map<String, Object> kafkaConfig, String topic,
            InstallationRegistry registry) {
        this(kafkaConfig, topic, registry, new EventDeserializer<>(AvroSingleObjectCodec.shared(),
                InstallationChanged.class), RETRY_AFTER);
    }

    /**
     * A feed decoding with {@code values} that waits {@code retryAfter} before reading again a
     * record it could not apply (tests shorten it).
     */
    public InstallationRegistryFeed(Map<String, Object> kafkaConfig, String topic,
            InstallationRegistry registry, Deserializer<InstallationChanged> values,
            Duration retryAfter) {
        this.registry = registry;
        this.values = values;
        this.retryAfter = retryAfter;
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "installation-registry-feed");
        this.thread.setDaemon(true);
    }

    /**
     * Starts a feed of the catalogue's installations topic and waits up to {@code timeout} for it
     * to catch up; a slow start is logged (the caller's readiness check tells the rest), not
     * fatal.
     */
    public static InstallationRegistryFeed startCaughtUp(Map<String, Object> kafkaConfig,
            InstallationRegistry registry, Duration timeout, String role)
            throws InterruptedException {
        InstallationRegistryFeed feed = new InstallationRegistryFeed(kafkaConfig,
                dev.tollgate.schemas.Topics.INSTALLATIONS.name(), registry).start();
        if (!feed.awaitCaughtUp(timeout)) {
            log.warn("the installation registry has not read gateway.installations to its end"
                    + " within {}; the {} works meanwhile (see /readyz)", timeout, role);
        }
        return feed;
    }

    public InstallationRegistryFeed start() {
        thread.start();
        return this;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUpLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && isCaughtUp();
    }

    /**
     * Whether the registry holds everything that was on the topic at start and still follows it:
     * false while a record cannot be applied (the feed retries it) and after the feed stopped.
     */
    public boolean isCaughtUp() {
        return caughtUp && failing == null && !stopped;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60))
                    .stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                if (!applyAll(consumer.poll(Duration.ofMillis(200)))) {
                    continue;
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e
                        .getKey()) >= e.getValue())) {
                    log.info("installation registry caught up: {} installation(s)", registry
                            .size());
                    caughtUp = true;
                    caughtUpLatch.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                stopped = true;
                log.error("installation registry feed stopped: {}; the registry no longer"
                        + " follows {} and readiness fails", e.toString(), topic);
            }
        } catch (RuntimeException | Error e) {
            stopped = true;
            log.error("installation registry feed stopped: {}; the registry no longer follows {}"
                    + " and readiness fails", e.toString(), topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Applies a poll's records in order. When applying one throws (an {@link Error} such as
     * {@link OutOfMemoryError} while decoding, or a listener's failure), the feed is not ready,
     * says so once, waits and reads again from that record: skipping it could lose an uninstall,
     * and ending the thread would freeze the registry silently.
     *
     * @return whether every record was applied
     */
    private boolean applyAll(Iterable<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                apply(record);
            } catch (RuntimeException | Error e) {
                if (e instanceof WakeupException wakeup) {
                    throw wakeup;
                }
                if (failing == null) {
                    log.error("cannot apply installation record {}-{}@{}: {}; the registry is not"
                            + " ready and retries it every {}", record.topic(), record.partition(),
                            record.offset(), e.toString(), RETRY_AFTER, e);
                }
                failing = record.topic() + "-" + record.partition() + "@" + record.offset();
                consumer.seek(new TopicPartition(record.topic(), record.partition()), record
                        .offset());
                pause();
                return false;
            }
        }
        if (failing != null) {
            log.info("installation registry feed recovered after {}", failing);
            failing = null;
        }
        return true;
    }

    private void pause() {
        try {
            Thread.sleep(retryAfter.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: nothing to fold
        }
        InstallationChanged change;
        try {
            change = values.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.warn("skipping unreadable installation record at {}-{}@{}: {}", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        registry.apply(change);
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close(Duration.ofSeconds(2));
            return;
        }
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
