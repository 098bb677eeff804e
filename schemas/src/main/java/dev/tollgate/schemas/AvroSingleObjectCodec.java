package dev.tollgate.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding: {@code C3 01}, the 8-byte CRC-64-AVRO fingerprint of the writer
 * schema, then the binary datum. Any released version of a type's schema is resolved to the
 * current one on read, so producers and consumers can be upgraded in any order.
 *
 * <p>Thread-safe; encoders and decoders are built once.
 */
public final class AvroSingleObjectCodec implements EventCodec {

    static {
        AvroTrust.ensure();
    }

    private static final AvroSingleObjectCodec SHARED = new AvroSingleObjectCodec();

    private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new HashMap<>();
    private final Map<Class<?>, BinaryMessageDecoder<SpecificRecord>> decoders = new HashMap<>();
    private final Map<Long, Class<?>> typeByFingerprint = new HashMap<>();

    /** The codec every producer and consumer in this JVM shares. */
    public static AvroSingleObjectCodec shared() {
        return SHARED;
    }

    public AvroSingleObjectCodec() {
        this(Map.of());
    }

    /**
     * A codec that also reads messages written with {@code additionalWriterSchemas} (for example
     * the schemas of a newer release, rolled out to readers before its writers).
     */
    public AvroSingleObjectCodec(
            Map<Class<? extends SpecificRecord>, List<Schema>> additionalWriterSchemas) {
        SpecificData model = SpecificData.getForClass(dev.tollgate.events.EventMeta.class);
        for (EventTypes.EventType type : EventTypes.all()) {
            SchemaStore.Cache store = new SchemaStore.Cache();
            store.addSchema(type.current());
            register(type.current(), type.javaType());
            List<Schema> readable = new ArrayList<>(type.released());
            readable.addAll(additionalWriterSchemas.getOrDefault(type.javaType(), List.of()));
            for (Schema released : readable) {
                store.addSchema(released);
                register(released, type.javaType());
            }
            encoders.put(type.javaType(), new BinaryMessageEncoder<>(model, type.current()));
            decoders.put(type.javaType(), new BinaryMessageDecoder<>(model, type.current(), store));
        }
    }

    private void register(Schema schema, Class<?> javaType) {
        Class<?> previous = typeByFingerprint.put(SchemaNormalization.parsingFingerprint64(schema),
                javaType);
        if (previous != null && !previous.equals(javaType)) {
            throw new IllegalStateException("two event types share the schema fingerprint of "
                    + schema.getFullName());
        }
    }

    @Override
    public byte[] encode(SpecificRecord event) {
        BinaryMessageEncoder<SpecificRecord> encoder = encoders.get(event.getClass());
        if (encoder == null) {
            throw new IllegalArgumentException(event.getClass().getName()
                    + " is not a catalogued event type");
        }
        try {
            ByteBuffer buffer = encoder.encode(event);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException | NullPointerException e) {
            throw new IllegalArgumentException("cannot encode " + event.getSchema().getName()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        BinaryMessageDecoder<SpecificRecord> decoder = decoders.get(type);
        if (decoder == null) {
            throw new IllegalArgumentException(type.getName() + " is not a catalogued event type");
        }
        return type.cast(decodeWith(decoder, bytes, type.getSimpleName()));
    }

    @Override
    public SpecificRecord decodeAny(byte[] bytes) {
        Class<?> type = typeByFingerprint.get(fingerprint(bytes));
        if (type == null) {
            throw new EventDecodingException("unknown schema fingerprint "
                    + Long.toHexString(fingerprint(bytes))
                    + ": not a Tollgate event, or written by a newer release");
        }
        return decodeWith(decoders.get(type), bytes, type.getSimpleName());
    }

    private static SpecificRecord decodeWith(BinaryMessageDecoder<SpecificRecord> decoder,
            byte[] bytes, String typeName) {
        if (bytes == null) {
            throw new EventDecodingException("no bytes to decode as " + typeName);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new EventDecodingException("not a " + typeName + ": " + e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new EventDecodingException("not an Avro single-object message: " + e.getMessage(),
                    e);
        } catch (IOException | AvroRuntimeException | ArrayIndexOutOfBoundsException
                | IllegalArgumentException e) {
            throw new EventDecodingException("corrupt " + typeName + " message: " + e, e);
        }
    }

    /** The writer-schema fingerprint from a single-object header (little-endian after C3 01). */
    static long fingerprint(byte[] bytes) {
        if (bytes == null || bytes.length < 10 || bytes[0] != (byte) 0xC3 || bytes[1] != 0x01) {
            throw new EventDecodingException("not an Avro single-object message (bad header)");
        }
        return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
