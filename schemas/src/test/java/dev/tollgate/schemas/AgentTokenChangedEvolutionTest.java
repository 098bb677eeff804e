package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AgentTokenChanged;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The rotation-family fields of AgentTokenChanged (v2): old records read, new ones read old. */
class AgentTokenChangedEvolutionTest {

    @Test
    void aRecordWrittenBeforeFamiliesReadsWithNoFamily() throws IOException {
        Schema v1 = EventTypes.of(AgentTokenChanged.class).released().get(0);
        GenericRecord old = new GenericData.Record(v1);
        GenericRecord meta = new GenericData.Record(v1.getField("meta").schema());
        meta.put("eventId", "e-1");
        meta.put("occurredAt", 1_700_000_000_000L);
        meta.put("producer", Roles.INGRESS);
        old.put("meta", meta);
        old.put("action", new GenericData.EnumSymbol(v1.getField("action").schema(), "ROTATED"));
        old.put("agentId", "agent-7");
        old.put("tokenId", "jti-1");
        old.put("expiresAt", 1_700_000_060_000L);
        old.put("actor", "agent-7");
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(
                old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        AgentTokenChanged read = AvroSingleObjectCodec.shared().decode(bytes,
                AgentTokenChanged.class);

        assertThat(read.getAction()).isEqualTo(AgentTokenAction.ROTATED);
        assertThat(read.getTokenId()).isEqualTo("jti-1");
        assertThat(read.getFamilyId()).isNull();
        assertThat(read.getGeneration()).isNull();
        assertThat(read.getFamilyExpiresAt()).isNull();
        assertThat(read.getReplacementTokenId()).isNull();
        assertThat(read.getReplacementExpiresAt()).isNull();
    }

    @Test
    void aRecordWithAFamilyReadsOnTheSchemaBeforeFamilies() throws IOException {
        Schema v1 = EventTypes.of(AgentTokenChanged.class).released().get(0);
        AgentTokenChanged current = AgentTokenChanged.newBuilder(SampleEvents.agentToken())
                .setAction(AgentTokenAction.ROTATED).setFamilyId("f-1").setGeneration(3)
                .setFamilyExpiresAt(Instant.parse("2026-12-31T00:00:00Z"))
                .setReplacementTokenId("f-1.3").setReplacementExpiresAt(Instant.parse(
                        "2026-12-03T13:00:00Z"))
                .build();
        byte[] bytes = AvroSingleObjectCodec.shared().encode(current);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData
                .get(), v1);
        oldReader.addSchema(AgentTokenChanged.getClassSchema());

        GenericRecord asOld = oldReader.decode(bytes);

        assertThat(asOld.get("agentId").toString()).isEqualTo("agent-7");
        assertThat(asOld.get("tokenId").toString()).isEqualTo("jti-123");
        assertThat(asOld.getSchema().getField("familyId")).isNull();
    }
}
