package dev.tollgate.audit.core;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which records a prune erases, chain by chain, as of {@code now}: a chain's records are offered
 * in stored order, and the records whose class's retention has passed are erased from the chain's
 * start up to the first record that is kept (a {@link SourceResets source reset}, never erased, is
 * passed over). A record past its retention behind a kept one is held back until that one goes: a
 * tombstone always stands in the chain's erased prefix, where {@code verify} can rule out that it
 * hides an edit ({@link ChainVerifier}). Counts what it decided per {@link RecordClass}.
 */
public final class Pruning {

    /**
     * What a prune did (or, dry, would do) to one class.
     *
     * @param erased records erased now
     * @param alreadyErased tombstones found
     * @param kept records left intact
     * @param heldBack of those, records past their retention kept because an older record of
     *            their chain is kept
     * @param oldestKept where the age of the oldest record kept counts from, if any is kept
     */
    public record Tally(long erased, long alreadyErased, long kept, long heldBack,
            Instant oldestKept) {

        static final Tally NONE = new Tally(0, 0, 0, 0, null);

        Tally plusErased() {
            return new Tally(erased + 1, alreadyErased, kept, heldBack, oldestKept);
        }

        Tally plusAlreadyErased() {
            return new Tally(erased, alreadyErased + 1, kept, heldBack, oldestKept);
        }

        Tally plusKept(Instant ageStart, boolean pastRetention) {
            return new Tally(erased, alreadyErased, kept + 1, heldBack + (pastRetention ? 1 : 0),
                    oldestKept == null || ageStart.isBefore(oldestKept) ? ageStart : oldestKept);
        }
    }

    private final RetentionPolicy policy;
    private final Instant now;
    private final Map<RecordClass, Tally> tallies = new EnumMap<>(RecordClass.class);

    public Pruning(RetentionPolicy policy, Instant now) {
        this.policy = policy;
        this.now = now;
    }

    public Instant now() {
        return now;
    }

    public RetentionPolicy policy() {
        return policy;
    }

    /** Starts deciding one chain; offer its records in stored order. */
    public Chain chain(String chainId) {
        return new Chain(chainId);
    }

    /** One chain being decided. */
    public final class Chain {

        private final String chainId;
        private boolean prefix = true;

        private Chain(String chainId) {
            this.chainId = chainId;
        }

        public String chainId() {
            return chainId;
        }

        /** The erasure of {@code record}, the chain's next record, if it is to be erased now. */
        public Optional<Erasure> next(AuditRecord record) {
            AuditEntry e = record.entry();
            return next(e.eventType(), e.occurredAt(), e.source().timestamp(), record.erased());
        }

        /** As {@link #next(AuditRecord)}, from the columns that decide it. */
        public Optional<Erasure> next(String eventType, Instant occurredAt,
                Instant sourceTimestamp, boolean erased) {
            Optional<RecordClass> recordClass = RecordClass.ofEventType(eventType);
            if (recordClass.isEmpty()) {
                if (!SourceResets.EVENT_TYPE.equals(eventType)) {
                    prefix = false;
                }
                return Optional.empty();
            }
            if (erased) {
                tallies.merge(recordClass.get(), Tally.NONE.plusAlreadyErased(), (a,
                        b) -> a.plusAlreadyErased());
                return Optional.empty();
            }
            Optional<Erasure> due = policy.due(eventType, occurredAt, sourceTimestamp, now);
            if (due.isPresent() && prefix) {
                tallies.merge(recordClass.get(), Tally.NONE.plusErased(), (a, b) -> a
                        .plusErased());
                return due;
            }
            prefix = false;
            Instant ageStart = RetentionPolicy.ageStart(occurredAt, sourceTimestamp);
            tallies.merge(recordClass.get(), Tally.NONE.plusKept(ageStart, due.isPresent()), (a,
                    b) -> a.plusKept(ageStart, due.isPresent()));
            return Optional.empty();
        }
    }

    /** What was decided per class, for the classes that had records. */
    public Map<RecordClass, Tally> tallies() {
        return Collections.unmodifiableMap(tallies);
    }

    public long erased() {
        return tallies.values().stream().mapToLong(Tally::erased).sum();
    }
}
