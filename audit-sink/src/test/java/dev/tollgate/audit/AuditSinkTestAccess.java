package dev.tollgate.audit;

import dev.tollgate.audit.kafka.AuditIngest;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** Lets tests build the sink's real listener container around a store of their choosing. */
public final class AuditSinkTestAccess {

    private AuditSinkTestAccess() {
    }

    public static ConcurrentMessageListenerContainer<String, byte[]> listener(
            KafkaProperties kafka, AuditSinkProperties properties, AuditIngest ingest) {
        return new AuditSinkConfiguration().auditListenerContainer(kafka, properties, ingest);
    }
}
