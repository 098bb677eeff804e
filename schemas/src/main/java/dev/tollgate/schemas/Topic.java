package dev.tollgate.schemas;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A typed Kafka topic: its name, key and value types and serdes, how long it keeps data, and the
 * roles allowed to write it. Immutable; all are declared in {@link Topics}.
 *
 * @param name the topic name
 * @param valueType the one event type the topic carries
 * @param keyDescription what the key is (request ID, installation ID, ...)
 * @param compacted whether the latest record per key is the truth (cleanup.policy=compact)
 * @param keepForever whether records are never deleted by time (retention.ms=-1); exactly these
 *        topics are audited, since only they can be replayed into the same audit store later
 * @param retention how long a topic not kept forever keeps its records (null: the broker's
 *        default)
 * @param writers the roles that produce to it
 * @param description one line for operators
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueType,
        String keyDescription, boolean compacted, boolean keepForever, Duration retention,
        Set<String> writers, String description) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueType, "valueType");
        if (keepForever && retention != null) {
            throw new IllegalArgumentException(name + " is kept forever: it has no retention");
        }
        writers = Set.copyOf(writers);
    }

    /** A topic with the broker's default retention unless {@code keepForever}. */
    public Topic(String name, Class<V> valueType, String keyDescription, boolean compacted,
            boolean keepForever, Set<String> writers, String description) {
        this(name, valueType, keyDescription, compacted, keepForever, null, writers,
                description);
    }

    /**
     * Whether the audit sink keeps this topic's events: those of every topic kept forever, the
     * ones a replay can read again and reproduce the store from. A topic that forgets (the
     * agents' copies of answers, file contents included) is never audited: its events are
     * audited from their kept-forever twins.
     */
    public boolean audited() {
        return keepForever;
    }

    /** Keys are UTF-8 strings on every topic. */
    public Serde<String> keySerde() {
        return Serdes.String();
    }

    /** The value serde with the default codec (Avro single-object encoding). */
    public Serde<V> valueSerde() {
        return valueSerde(AvroSingleObjectCodec.shared());
    }

    public Serde<V> valueSerde(EventCodec codec) {
        return Serdes.serdeFrom(new EventSerializer<>(codec), new EventDeserializer<>(codec,
                valueType));
    }

    /** The topic's cleanup.policy. */
    public String cleanupPolicy() {
        return compacted ? "compact" : "delete";
    }

    /** True if {@code role} may produce to this topic. */
    public boolean writableBy(String role) {
        return writers.contains(role);
    }
}
