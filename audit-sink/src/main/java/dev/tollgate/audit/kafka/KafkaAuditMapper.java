package dev.tollgate.audit.kafka;

import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.events.EventMeta;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.Topics;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Turns a raw Kafka record of any gateway topic into its audit entry: the live sink and replay
 * share it, which is why a replay reproduces the live store. Values are decoded here (not by the
 * consumer) so that an undecodable record is audited too instead of stopping the partition.
 *
 * <p>Every catalogued topic is bound to what its owners may write ({@link Topic#valueType()},
 * {@link Topic#writers()}): a readable event of another type, or naming a producer that is not
 * one of the topic's writers, is not stored as the event it claims to be but as a
 * {@link AuditEntries#misplaced Misplaced} record (the real consumers decode each topic with its
 * one type, so such an event reaches only the audit, where it would otherwise pass for another
 * role's). A topic outside the catalogue (only by {@code tollgate.audit.topics}) has no owner to
 * bind to and is kept as read.
 */
public final class KafkaAuditMapper {

    private final EventDeserializer<SpecificRecord> deserializer = new EventDeserializer<>();
    private final AuditEntries entries;
    private final Function<String, Optional<Topic<?>>> catalogue;

    public KafkaAuditMapper(AuditEntries entries) {
        this(entries, Topics::byName);
    }

    /** A mapper binding topics by {@code catalogue} (tests name their topics apart). */
    public KafkaAuditMapper(AuditEntries entries, Function<String, Optional<Topic<?>>> catalogue) {
        this.entries = entries;
        this.catalogue = catalogue;
    }

    public KafkaAuditMapper() {
        this(new AuditEntries());
    }

    /** The entry of {@code record}, read from an unknown cluster. */
    public AuditEntry toEntry(ConsumerRecord<?, byte[]> record) {
        return toEntry(record, null);
    }

    /** The entry of {@code record}, read from Kafka cluster {@code clusterId} (null if unknown). */
    public AuditEntry toEntry(ConsumerRecord<?, byte[]> record, String clusterId) {
        Instant timestamp = record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE
                || record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp());
        SourcePosition source = new SourcePosition(record.topic(), record.partition(), record
                .offset(), timestamp, clusterId);
        if (record.value() == null) {
            return entries.undecodable(source, null, "record without a value");
        }
        SpecificRecord event;
        try {
            event = deserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            // SerializationException mostly; anything else about the bytes is audited the same way.
            return entries.undecodable(source, record.value(), "not a readable event: " + e
                    .getMessage());
        }
        Optional<String> misplaced = catalogue.apply(record.topic()).flatMap(topic -> misplaced(
                topic, event));
        if (misplaced.isPresent()) {
            return entries.misplaced(source, record.value(), event, misplaced.get());
        }
        try {
            return entries.from(event, source);
        } catch (RuntimeException e) {
            return entries.undecodable(source, record.value(), "not a readable event: " + e
                    .getMessage());
        }
    }

    /**
     * Why {@code event} does not belong on {@code topic}, if it does not: another type than the
     * topic carries, or a producer that may not write it.
     */
    static Optional<String> misplaced(Topic<?> topic, SpecificRecord event) {
        String type = event.getSchema().getName();
        if (!topic.valueType().isInstance(event)) {
            return Optional.of("refused: a " + type + " on " + topic.name()
                    + ", which carries only "
                    + topic.valueType().getSimpleName() + " (written by " + new TreeSet<>(topic
                            .writers())
                    + "); not stored as the event it claims to be");
        }
        Object meta = event.getSchema().getField("meta") == null
                ? null
                : event.get(event.getSchema().getField("meta").pos());
        String producer = meta instanceof EventMeta m && m.getProducer() != null
                ? m.getProducer()
                : null;
        if (producer == null || !topic.writers().contains(producer)) {
            return Optional.of("refused: a " + type + " on " + topic.name() + " naming producer '"
                    + producer + "', which is not one of its writers " + new TreeSet<>(topic
                            .writers())
                    + "; not stored as the event it claims to be");
        }
        return Optional.empty();
    }
}
