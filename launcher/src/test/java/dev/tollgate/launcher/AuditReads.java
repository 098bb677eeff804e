package dev.tollgate.launcher;

import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What the launcher's tests read back from the standalone's embedded audit store. */
final class AuditReads {

    private AuditReads() {
    }

    /** Every record the store holds now (read-only; the sink keeps writing). */
    static List<AuditRecord> readAll(Path auditDir) {
        List<AuditRecord> records = new ArrayList<>();
        try (var store = EmbeddedAuditStore.openReadOnly(auditDir)) {
            store.readRange(Instant.EPOCH, Instant.now().plusSeconds(60), records::add);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return records;
    }

    /** The event types recorded for one request, in store order. */
    static List<String> typesOf(List<AuditRecord> records, String requestId) {
        return records.stream().filter(r -> requestId.equals(r.entry().requestId())).map(r -> r
                .entry().eventType()).toList();
    }
}
