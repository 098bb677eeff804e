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

    private final InstallationRegistry registry;
    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final EventDeserializer<InstallationChanged> values = new EventDeserializer<>(
            AvroSingleObjectCodec.shared(), InstallationChanged.class);
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean running = true;

    public InstallationRegistryFeed(Map<String, Object> kafkaConfig, String topic,
            InstallationRegistry registry) {
        this.registry = registry;
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
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isCaughtUp() {
        return caughtUp.getCount() == 0;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60))
                    .stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(
                        200))) {
                    apply(record);
                }
                if (!isCaughtUp() && end.entrySet().stream().allMatch(e -> consumer.position(e
                        .getKey()) >= e.getValue())) {
                    log.info("installation registry caught up: {} installation(s)", registry
                            .size());
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            log.error("installation registry feed stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return; // a tombstone: nothing to fold
        }
        try {
            registry.apply(values.deserialize(record.topic(), record.value()));
        } catch (SerializationException e) {
            log.warn("skipping unreadable installation record at {}-{}@{}: {}", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
        }
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
