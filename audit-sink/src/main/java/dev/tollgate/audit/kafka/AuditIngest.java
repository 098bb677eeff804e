package dev.tollgate.audit.kafka;

import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStore.AppendResult;
import dev.tollgate.runtime.logging.RequestMdc;
import java.util.ArrayList;
import java.util.List;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live sink's one step: a polled batch becomes audit entries, appended (durably) to the
 * store. The caller commits the batch's offsets only after this returns; if it throws, nothing is
 * committed and the batch is delivered again, which the store's idempotence absorbs.
 */
public final class AuditIngest {

    /**
     * How a batch went.
     *
     * @param appended entries now stored (conflicts included)
     * @param duplicates entries already stored
     * @param conflicts entries stored under an ID of their own because a different record held
     *            their event ID
     */
    public record Outcome(int appended, int duplicates, int conflicts) {
    }

    /** Counts event ID conflicts, tagged by the topic of the record kept under its own ID. */
    public static final String CONFLICTS_METRIC = "tollgate.audit.event.id.conflicts";

    private static final Logger LOG = LoggerFactory.getLogger(AuditIngest.class);

    private final KafkaAuditMapper mapper;
    private final AuditStore store;
    private final ClusterIds clusterIds = new ClusterIds();

    private final MeterRegistry meters;

    public AuditIngest(KafkaAuditMapper mapper, AuditStore store) {
        this(mapper, store, Metrics.globalRegistry);
    }

    public AuditIngest(KafkaAuditMapper mapper, AuditStore store, MeterRegistry meters) {
        this.mapper = mapper;
        this.store = store;
        this.meters = meters;
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
        int appended = 0;
        int conflicts = 0;
        for (AppendResult result : results) {
            if (result instanceof AppendResult.Conflicting conflict) {
                conflicts++;
                warn(conflict);
            }
            if (!(result instanceof AppendResult.Duplicate)) {
                appended++;
            }
        }
        return new Outcome(appended, results.size() - appended, conflicts);
    }

    private void warn(AppendResult.Conflicting conflict) {
        AuditRecord kept = conflict.record();
        AuditRecord held = conflict.held();
        LOG.warn("audit: EVENT ID CONFLICT: event ID {} is held by a {} from {} ({} #{}), and a"
                + " different {} from {} claims it too; kept both, the second as {} ({} #{}): one"
                + " of them is not what its producer claims (a role wrote another's event ID?)",
                held.eventId(), held.entry().eventType(), held.entry().source().topic(), held
                        .chainId(),
                held.sequence(), kept.entry().eventType(), kept.entry()
                        .source().topic(),
                kept.eventId(), kept.chainId(), kept
                        .sequence());
        meters.counter(CONFLICTS_METRIC, "topic", kept.entry().source().topic()).increment();
    }
}
