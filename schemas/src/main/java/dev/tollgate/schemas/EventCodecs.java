package dev.tollgate.schemas;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;

/**
 * Chooses the codec from configuration: {@value #CODEC_CONFIG} names an {@link EventCodec} class
 * with a public no-argument constructor. Unset means Avro single-object encoding.
 */
public final class EventCodecs {

    /** Kafka client property (and Spring {@code spring.kafka.properties.*} key) naming the codec. */
    public static final String CODEC_CONFIG = "tollgate.serde.codec";

    private EventCodecs() {
    }

    public static EventCodec fromConfig(Map<String, ?> configs) {
        Object configured = configs.get(CODEC_CONFIG);
        if (configured == null || configured.toString().isBlank()) {
            return AvroSingleObjectCodec.shared();
        }
        if (configured instanceof EventCodec codec) {
            return codec;
        }
        String className = configured.toString().trim();
        if (className.equals(AvroSingleObjectCodec.class.getName())) {
            return AvroSingleObjectCodec.shared();
        }
        try {
            Object codec = Class.forName(className).getDeclaredConstructor().newInstance();
            if (codec instanceof EventCodec eventCodec) {
                return eventCodec;
            }
            throw new IllegalArgumentException(CODEC_CONFIG + "=" + className
                    + " does not implement " + EventCodec.class.getName());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(CODEC_CONFIG + "=" + className
                    + ": no such class on the classpath", e);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new IllegalArgumentException(CODEC_CONFIG + "=" + className
                    + ": cannot construct it: " + cause, e);
        }
    }
}
