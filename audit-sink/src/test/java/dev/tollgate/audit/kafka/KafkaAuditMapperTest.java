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
        return record("gateway.requests", value);
    }

    private static ConsumerRecord<String, byte[]> record(String topic, byte[] value) {
        return new ConsumerRecord<>(topic, 4, 77, AT, TimestampType.CREATE_TIME, -1,
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

    @Test
    void anEventOfAnotherTypeThanItsTopicCarriesIsKeptAsMisplacedNotAsTheEventItClaims() {
        // a compromised ingress writes a decision-worker's allowing decision to a topic it owns
        dev.tollgate.events.PolicyDecided forged = TestEvents.decision("ev-genuine-id", TestEvents
                .request("ev-1", "req-1", "agent-a", "{}"), true);
        byte[] bytes = dev.tollgate.schemas.AvroSingleObjectCodec.shared().encode(forged);

        AuditEntry entry = mapper.toEntry(record("gateway.dead-letters", bytes));

        assertThat(entry.eventType()).isEqualTo(AuditEntries.MISPLACED_TYPE);
        assertThat(entry.eventId()).isEqualTo("undecodable:gateway.dead-letters-4@77");
        assertThat(entry.decision()).isNull();
        assertThat(entry.producer()).isNull();
        assertThat(entry.policyVersion()).isNull();
        assertThat(entry.reason()).contains("refused: a PolicyDecided on gateway.dead-letters")
                .contains("carries only DeadLetter");
        assertThat(entry.contextJson()).contains("\"sha256\":\"").contains(
                "\"claimed\":{\"eventType\":\"PolicyDecided\",\"eventId\":\"ev-genuine-id\","
                        + "\"producer\":\"decision-worker\"}");
    }

    @Test
    void anEventNamingAProducerThatMayNotWriteItsTopicIsKeptAsMisplaced() {
        dev.tollgate.events.ToolCallCompleted forged = TestEvents.result("ev-r", "req-1",
                dev.tollgate.events.CallStatus.SUCCEEDED, null);
        forged.getMeta().setProducer("ingress");
        byte[] bytes = dev.tollgate.schemas.AvroSingleObjectCodec.shared().encode(forged);
        byte[] genuine = dev.tollgate.schemas.AvroSingleObjectCodec.shared().encode(TestEvents
                .result("ev-r", "req-1", dev.tollgate.events.CallStatus.SUCCEEDED, null));

        AuditEntry entry = mapper.toEntry(record("gateway.results", bytes));
        AuditEntry kept = mapper.toEntry(record("gateway.results", genuine));

        assertThat(entry.eventType()).isEqualTo(AuditEntries.MISPLACED_TYPE);
        assertThat(entry.outcome()).isNull();
        assertThat(entry.reason()).contains("naming producer 'ingress'").contains(
                "[decision-worker, executor-worker]");
        assertThat(kept.eventType()).isEqualTo("ToolCallCompleted");
        assertThat(kept.outcome()).isEqualTo("SUCCEEDED");
        assertThat(kept.producer()).isEqualTo("executor-worker");
    }
}
