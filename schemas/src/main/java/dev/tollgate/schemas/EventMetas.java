package dev.tollgate.schemas;

import dev.tollgate.events.EventMeta;
import java.time.Clock;
import java.util.UUID;

/** Builds the {@link EventMeta} every event carries. */
public final class EventMetas {

    static {
        AvroTrust.ensure();
    }

    private EventMetas() {
    }

    public static EventMeta create(String producer, String requestId, Clock clock) {
        return EventMeta.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setRequestId(requestId)
                .setOccurredAt(clock.instant())
                .setProducer(producer)
                .setProducerInstance(Instances.id())
                .build();
    }

    /** This process's instance name: {@code TOLLGATE_INSTANCE_ID}, else the host name. */
    public static final class Instances {

        private static final String ID = resolve();

        private Instances() {
        }

        public static String id() {
            return ID;
        }

        private static String resolve() {
            String configured = System.getenv("TOLLGATE_INSTANCE_ID");
            if (configured != null && !configured.isBlank()) {
                return configured;
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "unknown-host";
            }
        }
    }
}
