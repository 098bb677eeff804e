package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AccessRefused;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The environment of AccessRefused (v2): old records read without one, new ones read old. */
class AccessRefusedEvolutionTest {

    @Test
    void aRecordWrittenBeforeEnvironmentsReadsWithNoEnvironment() throws IOException {
        Schema v1 = EventTypes.of(AccessRefused.class).released().get(0);
        GenericRecord old = new GenericData.Record(v1);
        GenericRecord meta = new GenericData.Record(v1.getField("meta").schema());
        meta.put("eventId", "e-1");
        meta.put("occurredAt", 1_700_000_000_000L);
        meta.put("producer", Roles.INGRESS);
        old.put("meta", meta);
        old.put("endpoint", "mcp");
        old.put("reason", "rate_limited");
        old.put("clientAddress", "203.0.113.7");
        old.put("agentId", "deployer");
        old.put("count", 3L);
        old.put("firstAt", 1_700_000_000_000L);
        old.put("lastAt", 1_700_000_001_000L);
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(
                old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        AccessRefused read = AvroSingleObjectCodec.shared().decode(bytes, AccessRefused.class);

        assertThat(read.getAgentId()).isEqualTo("deployer");
        assertThat(read.getCount()).isEqualTo(3L);
        assertThat(read.getEnvironment()).isNull();
    }

    @Test
    void aRecordWithAnEnvironmentReadsOnTheSchemaBeforeIt() throws IOException {
        Schema v1 = EventTypes.of(AccessRefused.class).released().get(0);
        AccessRefused current = AccessRefused.newBuilder(SampleEvents.accessRefused()).setReason(
                "rate_limited").setAgentId("deployer").setEnvironment("prod").setLastAt(Instant
                        .parse("2026-12-04T12:00:10Z"))
                .build();
        byte[] bytes = AvroSingleObjectCodec.shared().encode(current);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData
                .get(), v1);
        oldReader.addSchema(AccessRefused.getClassSchema());

        GenericRecord asOld = oldReader.decode(bytes);

        assertThat(asOld.get("agentId").toString()).isEqualTo("deployer");
        assertThat(asOld.get("reason").toString()).isEqualTo("rate_limited");
        assertThat(asOld.getSchema().getField("environment")).isNull();
    }
}
