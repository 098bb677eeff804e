package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.ToolCallRequested;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroLimitsTest {

    /**
     * A valid single-object header for {@code TokenMinted}, then {@code meta.eventId} declared as
     * a string of {@code length} bytes that are not there: about 40 bytes in all.
     */
    static byte[] declaringAString(long length) throws IOException {
        long fingerprint = SchemaNormalization.parsingFingerprint64(dev.tollgate.events.TokenMinted
                .getClassSchema());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        for (int i = 0; i < 8; i++) {
            out.write((int) (fingerprint >>> (8 * i)) & 0xff);
        }
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeLong(length);
        encoder.writeIndex(0);
        encoder.writeLong(0);
        encoder.writeString("executor-worker");
        encoder.writeIndex(0);
        encoder.writeString("app");
        encoder.writeLong(1);
        encoder.writeLong(0);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void aFortyByteRecordDeclaringAHugeStringIsAnOrdinaryUndecodableRecord() throws Exception {
        byte[] poison = declaringAString(2_000_000_000L);
        EventDeserializer<SpecificRecord> deserializer = new EventDeserializer<>();
        long started = System.nanoTime();

        assertThatThrownBy(() -> deserializer.deserialize("gateway.refusals", poison))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("corrupt TokenMinted message")
                .hasRootCauseInstanceOf(SystemLimitException.class);

        assertThat(poison.length).isLessThanOrEqualTo(40);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused before allocating")
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void theLimitsAreInForceOnceTheCodecIsLoadedAndFitEveryRecordAProducerMaySend() {
        AvroSingleObjectCodec.shared();

        assertThat(AvroLimits.inForce()).isTrue();
        assertThat(System.getProperty(AvroLimits.STRING)).isEqualTo(Integer.toString(
                MessageLimits.MAX_MAX_MESSAGE_BYTES));
        assertThat(AvroLimits.MAX_LENGTH)
                .isGreaterThanOrEqualTo(MessageLimits.MAX_MAX_MESSAGE_BYTES);
        assertThatThrownBy(() -> SystemLimitException.checkMaxBytesLength(AvroLimits.MAX_LENGTH
                + 1L)).isInstanceOf(SystemLimitException.class);
        assertThatThrownBy(() -> SystemLimitException.checkMaxCollectionLength(
                AvroLimits.MAX_COLLECTION_ITEMS + 1L)).isInstanceOf(SystemLimitException.class);
    }

    /**
     * Avro sizes an array or map by the count it declares before reading an item: a few bytes
     * declaring 64 Mi items would have it allocate 256 MiB or more. The decoder refuses the count.
     */
    @Test
    void aCollectionDeclaringMoreItemsThanAnyEventHoldsIsRefusedBeforeItIsAllocated()
            throws Exception {
        AvroSingleObjectCodec.shared();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        encoder.writeLong(64L * 1024 * 1024);
        encoder.flush();
        ByteArrayOutputStream fits = new ByteArrayOutputStream();
        BinaryEncoder fitting = EncoderFactory.get().directBinaryEncoder(fits, null);
        fitting.writeLong(AvroLimits.MAX_COLLECTION_ITEMS);
        fitting.flush();

        assertThatThrownBy(() -> DecoderFactory.get().binaryDecoder(out.toByteArray(), null)
                .readArrayStart()).isInstanceOf(SystemLimitException.class);
        assertThatThrownBy(() -> DecoderFactory.get().binaryDecoder(out.toByteArray(), null)
                .readMapStart()).isInstanceOf(SystemLimitException.class);
        assertThat(DecoderFactory.get().binaryDecoder(fits.toByteArray(), null).readArrayStart())
                .isEqualTo(AvroLimits.MAX_COLLECTION_ITEMS);
    }

    @Test
    void anEventAsLargeAsTheLargestRecordStillDecodes() {
        EventCodec codec = AvroSingleObjectCodec.shared();
        ToolCallRequested large = SampleEvents.request("r");
        large.setArgumentsJson("{\"body\":\"" + "x".repeat(MessageLimits.defaults()
                .maxEventBytes() - 1024) + "\"}");

        ToolCallRequested decoded = codec.decode(codec.encode(large), ToolCallRequested.class);

        assertThat(decoded).isEqualTo(large);
    }
}
