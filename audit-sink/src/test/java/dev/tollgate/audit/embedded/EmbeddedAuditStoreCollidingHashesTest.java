package dev.tollgate.audit.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStore.AppendResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole embedded store suite again, with an index in which every event ID has the same hash:
 * exactness must come from reading the stored event IDs back, never from the hash.
 */
class EmbeddedAuditStoreCollidingHashesTest extends EmbeddedAuditStoreTest {

    private static final long SAME_HASH = 42L;

    @Override
    protected EmbeddedAuditStore openStore(Path dir) {
        return EmbeddedAuditStore.open(dir, new EventIdIndex(eventId -> SAME_HASH, 2));
    }

    @Test
    void twoEventIdsWithTheSameHashAreBothStoredFoundAndRefusedWhenRepeated() {
        List<AuditEntry> two = TestEvents.entries(TOPIC, 0, 2);
        AuditEntry a = two.get(0);
        AuditEntry b = two.get(1);

        List<AppendResult> batch = store().appendAll(List.of(a, b, a, b));
        AppendResult againA = store().append(a);
        AppendResult againB = store().append(b);

        assertThat(a.eventId()).isNotEqualTo(b.eventId());
        assertThat(batch).extracting(r -> r.getClass().getSimpleName()).containsExactly(
                "Appended", "Appended", "Duplicate", "Duplicate");
        assertThat(batch.get(2).record()).isEqualTo(batch.get(0).record());
        assertThat(batch.get(3).record()).isEqualTo(batch.get(1).record());
        assertThat(againA).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(againA.record()).isEqualTo(batch.get(0).record());
        assertThat(againB).isInstanceOf(AppendResult.Duplicate.class);
        assertThat(againB.record()).isEqualTo(batch.get(1).record());
        assertThat(store().findByEventId(a.eventId())).contains(batch.get(0).record());
        assertThat(store().findByEventId(b.eventId())).contains(batch.get(1).record());
        assertThat(store().findByEventId("no-such-event")).isEmpty();
        assertThat(store().count()).isEqualTo(2);
    }

    @Test
    void eventIdsWithTheSameHashAreRecoveredOnReopen() {
        List<AuditEntry> entries = TestEvents.entries(TOPIC, 0, 5);
        List<AuditEntry> other = TestEvents.entries(TOPIC, 1, 3);
        List<AppendResult> stored = store().appendAll(entries);
        store().appendAll(other);

        AuditStore reopened = reopen();
        List<AppendResult> again = reopened.appendAll(entries);

        assertThat(again).allMatch(r -> r instanceof AppendResult.Duplicate);
        assertThat(again).extracting(AppendResult::record).containsExactlyElementsOf(stored
                .stream().map(AppendResult::record).toList());
        for (AuditEntry entry : other) {
            assertThat(reopened.findByEventId(entry.eventId()).map(AuditRecord::eventId))
                    .contains(entry.eventId());
        }
        assertThat(reopened.count()).isEqualTo(8);
    }
}
