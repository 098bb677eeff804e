package dev.tollgate.audit.kafka;

import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.schemas.EventDeserializer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Turns a raw Kafka record of any gateway topic into its audit entry: the live sink and replay
 * share it, which is why a replay reproduces the live store. Values are decoded here (not by the
 * consumer) so that an undecodable record is audited too instead of stopping the partition.
 */
public final class KafkaAuditMapper {

    private final EventDeserializer<SpecificRecord> deserializer = new EventDeserializer<>();
    private final AuditEntries entries;

    public KafkaAuditMapper(AuditEntries entries) {
        this.entries = entries;
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
        try {
            SpecificRecord event = deserializer.deserialize(record.topic(), record.value());
            return entries.from(event, source);
        } catch (RuntimeException e) {
            // SerializationException mostly; anything else about the bytes is audited the same way.
            return entries.undecodable(source, record.value(), "not a readable event: " + e
                    .getMessage());
        }
    }
}
