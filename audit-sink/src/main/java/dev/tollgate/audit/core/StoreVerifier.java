package dev.tollgate.audit.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** Verifies every chain of a store, end to end, reporting progress on long runs. */
public final class StoreVerifier {

    /** Told how many records have been checked so far, every {@code progressEvery} records. */
    @FunctionalInterface
    public interface Progress {
        void checked(long records, String chainId);

        Progress NONE = (records, chainId) -> {
        };
    }

    /**
     * A record the store kept under {@code conflict:<ID>~<digest>} because a different record held
     * its event ID ({@link SourceResets#sameOccurrence}): one of the two is not what its producer
     * claims.
     *
     * @param eventId the event ID both claim
     * @param kept the record stored under its own ID
     * @param held the record that holds the event ID (empty if it cannot be found)
     */
    public record Conflict(String eventId, AuditRecord kept, Optional<AuditRecord> held) {

        /** {@code event ID X: a AccessRefused on gateway.refusals (chain #3) and a ...} */
        public String describe() {
            return "event ID " + eventId + ": " + held.map(Conflict::of).orElse("(not found)")
                    + " and " + of(kept) + " as " + kept.eventId();
        }

        private static String of(AuditRecord record) {
            return "a " + record.entry().eventType() + " on " + record.entry().source().topic()
                    + " (" + record.chainId() + " #" + record.sequence() + ")";
        }
    }

    /** The verdict on a whole store. */
    public record Result(List<ChainReport> chains, long records, Duration took,
            List<Conflict> conflicts) {

        public Result {
            chains = List.copyOf(chains);
            conflicts = List.copyOf(conflicts);
        }

        public Result(List<ChainReport> chains, long records, Duration took) {
            this(chains, records, took, List.of());
        }

        public boolean intact() {
            return chains.stream().allMatch(ChainReport::intact);
        }

        public List<ChainBreak> breaks() {
            return chains.stream().flatMap(c -> c.firstBreak().stream()).toList();
        }

        public List<ChainHead> heads() {
            return chains.stream().flatMap(c -> c.head().stream()).toList();
        }

        /** How many records are tombstones (erased under the retention policy). */
        public long tombstones() {
            return chains.stream().mapToLong(ChainReport::tombstones).sum();
        }

        /** How many source resets the chains record. */
        public long resets() {
            return chains.stream().mapToLong(c -> c.resets().size()).sum();
        }
    }

    private final Clock clock;
    private final long progressEvery;
    private final RetentionPolicy policy;

    /** A verifier that accepts no tombstone (every class kept forever). */
    public StoreVerifier(Clock clock, long progressEvery) {
        this(clock, progressEvery, RetentionPolicy.keepForever());
    }

    /** A verifier that accepts tombstones erased as {@code policy} allows, as of its clock. */
    public StoreVerifier(Clock clock, long progressEvery, RetentionPolicy policy) {
        this.clock = clock;
        this.progressEvery = Math.max(1, progressEvery);
        this.policy = policy;
    }

    public Result verify(AuditStore store, Progress progress) {
        return verify(store, progress, record -> {
        });
    }

    /** As {@link #verify(AuditStore, Progress)}, showing {@code tap} every record read. */
    public Result verify(AuditStore store, Progress progress, Consumer<AuditRecord> tap) {
        Instant started = clock.instant();
        ChainVerifier verifier = new ChainVerifier(policy, started);
        List<ChainReport> reports = new ArrayList<>();
        long[] total = {0};
        List<AuditRecord> kept = new ArrayList<>();
        for (String chainId : store.chainIds()) {
            ChainVerifier.Session session = verifier.start(chainId);
            try {
                store.readChain(chainId, record -> {
                    session.accept(record);
                    tap.accept(record);
                    if (SourceResets.isConflict(record.eventId())) {
                        kept.add(record);
                    }
                    if (++total[0] % progressEvery == 0) {
                        progress.checked(total[0], chainId);
                    }
                });
                reports.add(session.finish());
            } catch (AuditStoreException e) {
                ChainReport partial = session.finish();
                long next = partial.records() + 1;
                reports.add(new ChainReport(chainId, partial.records(), partial.head(), Optional.of(
                        partial.firstBreak().orElse(new ChainBreak(ChainBreak.Kind.UNREADABLE,
                                chainId, next, "?", -1, e.getMessage()))),
                        partial.resets(), partial.tombstones()));
            }
        }
        List<Conflict> conflicts = new ArrayList<>();
        for (AuditRecord record : kept) {
            String eventId = SourceResets.conflictedId(record.eventId());
            conflicts.add(new Conflict(eventId, record, store.findByEventId(eventId)));
        }
        return new Result(reports, total[0], Duration.between(started, clock.instant()),
                conflicts);
    }
}
