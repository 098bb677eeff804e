package dev.tollgate.schemas;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RequestContent;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every top-level event type on the wire, with the schema versions released before the current
 * one. Released versions live in {@code schema-history/<Name>/v<N>.avsc} on the classpath (one
 * self-contained file per version) so that old messages stay readable and the build can check
 * every change for compatibility.
 */
public final class EventTypes {

    static {
        AvroTrust.ensure();
    }

    /** One event type: its generated class, current schema and every released schema. */
    public record EventType(Class<? extends SpecificRecord> javaType, Schema current,
            List<Schema> released) {

        public EventType {
            released = List.copyOf(released);
        }

        public String simpleName() {
            return current.getName();
        }
    }

    private static final String HISTORY = "schema-history/";

    private static final List<EventType> ALL = List.of(type(ToolCallRequested.class),
            type(PolicyDecided.class), type(ToolCallCompleted.class), type(TokenMinted.class),
            type(AgentTokenChanged.class), type(PolicyChanged.class),
            type(InstallationChanged.class), type(DeadLetter.class), type(AccessRefused.class),
            type(RequestContent.class));

    private EventTypes() {
    }

    /** All top-level event types, in flow order. */
    public static List<EventType> all() {
        return ALL;
    }

    public static EventType of(Class<? extends SpecificRecord> javaType) {
        for (EventType type : ALL) {
            if (type.javaType().equals(javaType)) {
                return type;
            }
        }
        throw new IllegalArgumentException(javaType.getName()
                + " is not a catalogued event type; add it to EventTypes");
    }

    private static EventType type(Class<? extends SpecificRecord> javaType) {
        Schema current = SpecificData.get().getSchema(javaType);
        return new EventType(javaType, current, releasedVersions(current.getName()));
    }

    /** Loads v1, v2, ... until the first missing version. */
    static List<Schema> releasedVersions(String name) {
        List<Schema> versions = new ArrayList<>();
        ClassLoader loader = EventTypes.class.getClassLoader();
        for (int version = 1;; version++) {
            String resource = HISTORY + name + "/v" + version + ".avsc";
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
        }
    }
}
