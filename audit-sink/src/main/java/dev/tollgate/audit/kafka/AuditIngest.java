package dev.tollgate.audit.kafka;

import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStore.AppendResult;
import dev.tollgate.runtime.logging.RequestMdc;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The live sink's one step: a polled batch becomes audit entries, appended (durably) to the
 * store. The caller commits the batch's offsets only after this returns; if it throws, nothing is
 * committed and the batch is delivered again, which the store's idempotence absorbs.
 */
public final class AuditIngest {

    /** How a batch went. */
    public record Outcome(int appended, int duplicates) {
    }

    private final KafkaAuditMapper mapper;
    private final AuditStore store;
    private final ClusterIds clusterIds = new ClusterIds();

    public AuditIngest(KafkaAuditMapper mapper, AuditStore store) {
        this.mapper = mapper;
        this.store = store;
    }

    /**
     * The value deserializer the sink's consumers must use: it learns which cluster they read
     * from, which every entry records (and which tells the store when its source was reset).
     */
    public ClusterIds valueDeserializer() {
        return clusterIds;
    }

    public Outcome ingest(List<? extends ConsumerRecord<?, byte[]>> records) {
        List<AuditEntry> entries = new ArrayList<>(records.size());
        String clusterId = clusterIds.clusterId();
        for (ConsumerRecord<?, byte[]> record : records) {
            // Anything logged while a record is turned into an entry names its request.
            try (RequestMdc mdc = RequestMdc.open(record.headers())) {
                entries.add(mapper.toEntry(record, clusterId));
            }
        }
        List<AppendResult> results = store.appendAll(entries);
        int appended = (int) results.stream().filter(r -> r instanceof AppendResult.Appended)
                .count();
        return new Outcome(appended, results.size() - appended);
    }
}
