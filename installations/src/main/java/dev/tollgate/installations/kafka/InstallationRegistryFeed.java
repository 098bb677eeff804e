package dev.tollgate.installations.kafka;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.TopicTail;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an {@link InstallationRegistry} in step with the compacted installations topic: reads every
 * partition from the beginning (no consumer group: every replica needs the whole registry), then
 * follows new records, with the {@link TopicTail} every reader shares. {@link #awaitCaughtUp}
 * tells when the registry holds everything that was on the topic at start; {@link #isCaughtUp}
 * is false while a record cannot be applied (it is read again, never skipped: skipping could lose
 * an uninstall) and while the broker has not answered the reader within its contact bound.
 */
public final class InstallationRegistryFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InstallationRegistryFeed.class);
    /** How long the feed waits before reading again a record it could not apply. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final InstallationRegistry registry;
    private final String topic;
    private final Deserializer<InstallationChanged> values;
    private final TopicTail<byte[]> tail;

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
        this(kafkaConfig, topic, registry, values, TopicTail.Settings.defaults().withBackoff(
                retryAfter, retryAfter));
    }

    /** A feed whose reader backs off and trusts itself as {@code settings} say. */
    public InstallationRegistryFeed(Map<String, Object> kafkaConfig, String topic,
            InstallationRegistry registry, Deserializer<InstallationChanged> values,
            TopicTail.Settings settings) {
        this.registry = registry;
        this.values = values;
        this.topic = topic;
        this.tail = new TopicTail<>("installation-registry-feed", null, kafkaConfig,
                new ByteArrayDeserializer(), this::apply, settings);
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
        tail.start(topic, new TopicTail.Beginning());
        return this;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return tail.awaitCaughtUp(timeout);
    }

    /**
     * Whether the registry holds everything that was on the topic at start and still follows it:
     * false while a record cannot be applied (the feed retries it), while the broker has not
     * answered within the reader's contact bound, and after the feed stopped.
     */
    public boolean isCaughtUp() {
        return tail.isRunning();
    }

    /**
     * Waits up to {@code timeout} until the registry holds every record that was on the topic when
     * called: a writer that must not overwrite a newer state (the installation sync) reads the
     * registry after this.
     */
    public boolean awaitCurrent(Duration timeout) throws InterruptedException {
        return tail.awaitCurrent(timeout);
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
        tail.close();
    }
}
