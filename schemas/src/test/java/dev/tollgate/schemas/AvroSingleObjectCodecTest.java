package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class AvroSingleObjectCodecTest {

    private final EventCodec codec = AvroSingleObjectCodec.shared();

    @Test
    void roundTripsEveryCatalogedEventTypeByItsType() {
        for (SpecificRecord event : SampleEvents.everyType()) {
            byte[] bytes = codec.encode(event);

            SpecificRecord decoded = codec.decode(bytes, event.getClass());

            assertThat(decoded).as(event.getSchema().getName()).isEqualTo(event);
        }
    }

    @Test
    void tellsTheTypeFromTheMessageItself() {
        for (SpecificRecord event : SampleEvents.everyType()) {
            SpecificRecord decoded = codec.decodeAny(codec.encode(event));

            assertThat(decoded).isInstanceOf(event.getClass()).isEqualTo(event);
        }
    }

    @Test
    void writesTheSingleObjectHeaderWithTheSchemaFingerprint() {
        byte[] bytes = codec.encode(SampleEvents.request("r"));

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(AvroSingleObjectCodec.fingerprint(bytes)).isEqualTo(
                org.apache.avro.SchemaNormalization.parsingFingerprint64(
                        ToolCallRequested.getClassSchema()));
    }

    @Test
    void refusesToDecodeOneTypeAsAnother() {
        byte[] request = codec.encode(SampleEvents.request("r"));

        assertThatThrownBy(() -> codec.decode(request, ToolCallCompleted.class))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("not a ToolCallCompleted");
    }

    @Test
    void refusesBytesWithoutTheSingleObjectHeader() {
        assertThatThrownBy(() -> codec.decodeAny("{\"json\":true}".getBytes()))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("bad header");
    }

    @Test
    void refusesAnUnknownFingerprint() {
        byte[] bytes = codec.encode(SampleEvents.request("r"));
        bytes[5] ^= 0x55;

        assertThatThrownBy(() -> codec.decodeAny(bytes))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("unknown schema fingerprint");
    }

    @Test
    void refusesATruncatedMessageWithAClearError() {
        byte[] bytes = codec.encode(SampleEvents.decision("r"));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> codec.decode(truncated, PolicyDecided.class))
                .isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("PolicyDecided");
    }

    @Test
    void refusesToEncodeAnEventMissingARequiredField() {
        ToolCallRequested incomplete = new ToolCallRequested();

        assertThatThrownBy(() -> codec.encode(incomplete))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ToolCallRequested");
    }

    @Test
    void everyAuditedTopicCarriesADistinctCatalogedTypeAndTheAgentsCopiesTheirTwins() {
        List<Class<?>> types = Topics.audited().stream().<Class<?>>map(Topic::valueType)
                .collect(Collectors.toList());
        assertThat(Topics.REPLIES.valueType()).isEqualTo(Topics.RESULTS.valueType());
        List<Class<?>> cataloged = EventTypes.all().stream().<Class<?>>map(
                EventTypes.EventType::javaType).toList();

        assertThat(types).doesNotHaveDuplicates();
        // the one type of its own on a topic that forgets: what agents write, on its way
        assertThat(Topics.CONTENTS.audited()).isFalse();
        types.add(Topics.CONTENTS.valueType());
        assertThat(types).containsExactlyInAnyOrderElementsOf(cataloged);
    }

    @Test
    void choosesTheCodecFromConfiguration() {
        assertThat(EventCodecs.fromConfig(java.util.Map.of())).isSameAs(codec);
        assertThatThrownBy(() -> EventCodecs.fromConfig(java.util.Map.of(EventCodecs.CODEC_CONFIG,
                "com.example.Missing")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no such class");
        assertThatThrownBy(() -> EventCodecs.fromConfig(java.util.Map.of(EventCodecs.CODEC_CONFIG,
                "java.lang.Object")))
                .hasMessageContaining("does not implement");
    }
}
