package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

/** PolicyDecided's signature (v3): old decisions read unsigned, signed ones read on v2. */
class PolicyDecidedEvolutionTest {

    @Test
    void aDecisionWrittenBeforeSignaturesReadsUnsigned() throws IOException {
        Schema v2 = EventTypes.of(PolicyDecided.class).released().get(1);
        byte[] bytes = SampleEvents.writtenWith(v2, SampleEvents.decision("req-1"));

        PolicyDecided read = AvroSingleObjectCodec.shared().decode(bytes, PolicyDecided.class);

        assertThat(v2.getField("signature")).isNull();
        assertThat(read.getSignature()).isNull();
        assertThat(read.getRoutingKey()).isEqualTo("octo-org");
    }

    @Test
    void aSignedDecisionReadsOnTheSchemaBeforeSignatures() throws IOException {
        Schema v2 = EventTypes.of(PolicyDecided.class).released().get(1);
        PolicyDecided signed = new DecisionSigner(DecisionKey.of(new byte[32])).sign(SampleEvents
                .decision("req-1"));
        byte[] bytes = AvroSingleObjectCodec.shared().encode(signed);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData
                .get(), v2);
        oldReader.addSchema(PolicyDecided.getClassSchema());

        GenericRecord asOld = oldReader.decode(bytes);

        assertThat(asOld.get("routingKey").toString()).isEqualTo("octo-org");
        assertThat(asOld.getSchema().getField("signature")).isNull();
    }
}
