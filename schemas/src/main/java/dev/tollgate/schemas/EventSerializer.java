package dev.tollgate.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer for any catalogued event. Stamps the {@value TollgateHeaders#EVENT_TYPE}
 * header so that generic consumers (the audit sink, operators with a console consumer) can tell
 * the type without decoding.
 */
public final class EventSerializer<T extends SpecificRecord> implements Serializer<T> {

    private EventCodec codec;

    /** For Kafka's reflective construction; the codec comes from {@link #configure}. */
    public EventSerializer() {
        this(AvroSingleObjectCodec.shared());
    }

    public EventSerializer(EventCodec codec) {
        this.codec = codec;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        codec = EventCodecs.fromConfig(configs);
    }

    @Override
    public byte[] serialize(String topic, T event) {
        return event == null ? null : codec.encode(event);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T event) {
        if (event != null && headers != null) {
            TollgateHeaders.put(headers, TollgateHeaders.EVENT_TYPE, event.getSchema().getName());
        }
        return serialize(topic, event);
    }
}
