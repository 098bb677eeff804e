package dev.tollgate.audit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.SourcePosition;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventSerializer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaAuditMapperTest {

    private final KafkaAuditMapper mapper = new KafkaAuditMapper();
    private static final long AT = Instant.parse("2026-11-21T10:00:05Z").toEpochMilli();

    private static ConsumerRecord<String, byte[]> record(byte[] value) {
        return new ConsumerRecord<>("gateway.requests", 4, 77, AT, TimestampType.CREATE_TIME, -1,
                value == null ? -1 : value.length, "key", value, new RecordHeaders(), Optional
                        .empty());
    }

    @Test
    void decodesAnyCataloguedEventWithTheGenericDeserializer() {
        ToolCallRequested event = TestEvents.request("ev-1", "req-1", "agent-a", "{}");
        byte[] bytes = new EventSerializer<ToolCallRequested>().serialize("gateway.requests",
                event);

        AuditEntry entry = mapper.toEntry(record(bytes));

        assertThat(entry).isEqualTo(new AuditEntries().from(event, new SourcePosition(
                "gateway.requests", 4, 77, Instant.ofEpochMilli(AT))));
    }

    @Test
    void keepsUndecodableBytesAsADigestWithAPositionalEventId() {
        String secret = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

        AuditEntry entry = mapper.toEntry(record(("garbage " + secret).getBytes(
                StandardCharsets.UTF_8)));

        assertThat(entry.eventType()).isEqualTo("Undecodable");
        assertThat(entry.eventId()).isEqualTo("undecodable:gateway.requests-4@77");
        assertThat(entry.occurredAt()).isEqualTo(Instant.ofEpochMilli(AT));
        assertThat(entry.contextJson()).contains("\"sha256\":\"").doesNotContain("garbage")
                .doesNotContain(secret);
    }

    @Test
    void keepsAFortyByteRecordDeclaringAHugeStringAsUndecodableInsteadOfRunningOutOfMemory() {
        byte[] poison = dev.tollgate.audit.TestEvents.declaringAHugeString();

        AuditEntry entry = mapper.toEntry(record(poison));

        assertThat(poison.length).isLessThanOrEqualTo(40);
        assertThat(entry.eventType()).isEqualTo("Undecodable");
        assertThat(entry.eventId()).isEqualTo("undecodable:gateway.requests-4@77");
        assertThat(entry.reason()).contains("corrupt TokenMinted message").contains(
                "exceeds maximum allowed");
    }

    @Test
    void keepsARecordWithoutValueToo() {
        AuditEntry entry = mapper.toEntry(record(null));

        assertThat(entry.eventType()).isEqualTo("Undecodable");
        assertThat(entry.reason()).isEqualTo("record without a value");
    }
}
