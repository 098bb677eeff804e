package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** The ordering fields of InstallationChanged (v2): old states read, new ones read old. */
class InstallationChangedEvolutionTest {

    @Test
    void aStateRecordedBeforeOrderingWasKeptReadsWithNone() throws IOException {
        Schema v1 = EventTypes.of(InstallationChanged.class).released().get(0);
        GenericRecord old = new GenericData.Record(v1);
        GenericRecord meta = new GenericData.Record(v1.getField("meta").schema());
        meta.put("eventId", "e-1");
        meta.put("occurredAt", 1_700_000_000_000L);
        meta.put("producer", Roles.INGRESS);
        old.put("meta", meta);
        old.put("environment", "default");
        old.put("appId", "1");
        old.put("installationId", 7L);
        old.put("account", "octo");
        old.put("status", new GenericData.EnumSymbol(v1.getField("status").schema(), "ACTIVE"));
        old.put("repositorySelection", new GenericData.EnumSymbol(v1.getField(
                "repositorySelection").schema(), "ALL"));
        old.put("repositories", List.of());
        old.put("permissions", Map.of());
        old.put("trigger", "sync");
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(
                old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        InstallationChanged read = AvroSingleObjectCodec.shared().decode(bytes,
                InstallationChanged.class);

        assertThat(read.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(read.getUpdatedAt()).isNull();
        assertThat(read.getDeliveryDigests()).isEmpty();
    }

    @Test
    void aStateWithItsOrderReadsOnTheSchemaBefore() throws IOException {
        Schema v1 = EventTypes.of(InstallationChanged.class).released().get(0);
        InstallationChanged current = InstallationChanged.newBuilder(SampleEvents.installation())
                .setUpdatedAt(Instant.parse("2026-11-20T10:00:00Z")).setDeliveryDigests(List.of(
                        "sha256:00"))
                .build();
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData
                .get(), v1);
        oldReader.addSchema(InstallationChanged.getClassSchema());

        GenericRecord asOld = oldReader.decode(AvroSingleObjectCodec.shared().encode(current));

        assertThat(asOld.get("installationId")).isEqualTo(42L);
        assertThat(asOld.get("status").toString()).isEqualTo("SUSPENDED");
        assertThat(asOld.getSchema().getField("updatedAt")).isNull();
    }
}
