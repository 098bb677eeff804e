package dev.tollgate.schemas;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for one event type, or for any catalogued type when constructed without one
 * (or configured with {@value #VALUE_TYPE_CONFIG} unset). Undecodable bytes raise
 * {@link SerializationException}, which Spring Kafka's error-handling deserializer turns into a
 * dead letter instead of a stuck partition.
 */
public final class EventDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    /** Optional Kafka client property: the fully qualified event class to decode as. */
    public static final String VALUE_TYPE_CONFIG = "tollgate.value.type";

    private EventCodec codec;
    private Class<T> type;

    /** Decodes any catalogued type; the codec and type come from {@link #configure}. */
    public EventDeserializer() {
        this(AvroSingleObjectCodec.shared(), null);
    }

    public EventDeserializer(EventCodec codec, Class<T> type) {
        this.codec = codec;
        this.type = type;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure(Map<String, ?> configs, boolean isKey) {
        codec = EventCodecs.fromConfig(configs);
        Object configured = configs.get(VALUE_TYPE_CONFIG);
        if (configured instanceof Class<?> klass) {
            type = (Class<T>) klass;
        } else if (configured != null && !configured.toString().isBlank()) {
            try {
                type = (Class<T>) Class.forName(configured.toString().trim());
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException(VALUE_TYPE_CONFIG + "=" + configured
                        + ": no such event class", e);
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return type == null ? (T) codec.decodeAny(data) : codec.decode(data, type);
        } catch (EventDecodingException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
