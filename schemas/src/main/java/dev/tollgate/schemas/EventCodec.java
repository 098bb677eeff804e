package dev.tollgate.schemas;

import org.apache.avro.specific.SpecificRecord;

/**
 * Turns events into bytes and back. The default is Avro single-object encoding
 * ({@link AvroSingleObjectCodec}); a schema-registry codec can be swapped in by configuration
 * ({@link EventCodecs#fromConfig}) without touching producers or consumers.
 */
public interface EventCodec {

    /** Encodes one event of a catalogued type. */
    byte[] encode(SpecificRecord event);

    /** Decodes bytes written with any known version of {@code type}'s schema into the current one. */
    <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type);

    /** Decodes bytes of any catalogued event type, telling the type from the message itself. */
    SpecificRecord decodeAny(byte[] bytes);
}
