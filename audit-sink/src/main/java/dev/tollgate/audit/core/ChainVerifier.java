package dev.tollgate.audit.core;

import dev.tollgate.audit.core.ChainBreak.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Checks one chain, read in stored order, from its first record to its head: every record's hash
 * is recomputed, every link to the predecessor checked, sequence numbers must run 1, 2, 3... and
 * source offsets must increase within one source cluster. Records are pushed one at a time
 * ({@link #start}); memory stays constant until the first break, after which the rest of the chain
 * is kept (hashes only) to say why it broke.
 *
 * <p>A {@link SourceResets source reset record} lets the record after it start again at a lower
 * offset or in another cluster, and nothing else: it must follow a record, be hashed and linked
 * like any record, and state exactly what the records around it show (their clusters and
 * offsets, and a reason that is true of them). Every reset passed is listed in the report.
 *
 * <p>A {@link Tombstones tombstone} (a record whose content was erased under a retention policy)
 * keeps its original hash, which cannot be recomputed: the links around it are checked as always,
 * and it must be a legitimate erasure under this verifier's {@link RetentionPolicy} as of
 * {@code now} ({@link Tombstones#problems}) and stand in the chain's erased prefix: before every
 * kept record but source resets (a tombstone's own previous hash cannot be checked, so one after a
 * kept record could hide an edit of that record). Otherwise the chain is broken there
 * ({@link ChainBreak.Kind#INVALID_TOMBSTONE}). Tombstones passed are counted in the report.
 *
 * <p>What a hash chain cannot show by itself: records removed from the end, or a whole suffix
 * rewritten with recomputed hashes. Compare {@link ChainReport#head() heads} with an independent
 * copy (a replay of the topics, or heads published elsewhere) to catch those.
 */
public final class ChainVerifier {

    private final RetentionPolicy policy;
    private final Instant now;

    /** A verifier that accepts no tombstone: every class is kept forever. */
    public ChainVerifier() {
        this(RetentionPolicy.keepForever(), Instant.now());
    }

    /** A verifier that accepts tombstones erased as {@code policy} allows, judged at {@code now}. */
    public ChainVerifier(RetentionPolicy policy, Instant now) {
        this.policy = policy;
        this.now = now;
    }

    /** Verifies {@code records} (one chain, in stored order), expected to be chain {@code chainId}. */
    public ChainReport verify(String chainId, Iterator<AuditRecord> records) {
        Session session = start(chainId);
        records.forEachRemaining(session);
        return session.finish();
    }

    public ChainReport verify(String chainId, Iterable<AuditRecord> records) {
        return verify(chainId, records.iterator());
    }

    /** Starts verifying chain {@code chainId}: push its records in stored order, then finish. */
    public Session start(String chainId) {
        return new Session(chainId, policy, now);
    }

    /** One chain being verified. Not thread-safe. */
    public static final class Session implements Consumer<AuditRecord> {

        private final RetentionPolicy policy;
        private final Instant now;
        private long tombstones;
        /** The last intact record that is not a source reset, once one was passed. */
        private AuditRecord lastKept;

        /** Hashes of a record after a break, kept to explain it. */
        private record Link(AuditRecord record) {
            String hash() {
                return record.hash();
            }

            String previousHash() {
                return record.previousHash();
            }
        }

        private final String chainId;
        private long count;
        private AuditRecord prev;
        private String prevPrevHash;
        private AuditRecord last;
        private ChainBreak decided;
        private AuditRecord suspect;
        private final List<Link> later = new ArrayList<>();
        private final List<SourceResets.Noted> resets = new ArrayList<>();

        private Session(String chainId, RetentionPolicy policy, Instant now) {
            this.chainId = chainId;
            this.policy = policy;
            this.now = now;
        }

        @Override
        public void accept(AuditRecord record) {
            count++;
            last = record;
            if (decided != null) {
                return;
            }
            if (suspect != null) {
                later.add(new Link(record));
                return;
            }
            decided = checkSimple(record);
            if (decided == null && !isIntactStep(record)) {
                suspect = record;
                return;
            }
            if (decided == null) {
                SourceResets.details(record).ifPresent(d -> resets.add(new SourceResets.Noted(
                        record.sequence(), record.entry().source().timestamp(), d)));
                if (record.erased()) {
                    tombstones++;
                } else if (!SourceResets.isReset(record)) {
                    lastKept = record;
                }
                prevPrevHash = prev == null ? AuditChain.GENESIS : prev.hash();
                prev = record;
            }
        }

        public ChainReport finish() {
            ChainBreak broken = decided;
            if (broken == null && suspect != null) {
                broken = explain(suspect);
            }
            return new ChainReport(chainId, count, Optional.ofNullable(last).map(
                    AuditChain::headOf), Optional.ofNullable(broken), resets, tombstones);
        }

        private long expectedSequence() {
            return prev == null ? 1 : prev.sequence() + 1;
        }

        private String expectedPrevious() {
            return prev == null ? AuditChain.GENESIS : prev.hash();
        }

        private boolean isIntactStep(AuditRecord record) {
            return record.previousHash().equals(expectedPrevious())
                    && record.sequence() == expectedSequence();
        }

        /**
         * Breaks that need no look ahead: wrong chain, an edited record, offsets going back or the
         * cluster changing without a reset, a reset that does not match its neighbours.
         */
        private ChainBreak checkSimple(AuditRecord record) {
            if (!record.chainId().equals(chainId)) {
                return broken(Kind.WRONG_CHAIN, record, "it belongs to chain " + record.chainId()
                        + ", not " + chainId);
            }
            if (!isIntactStep(record)) {
                return null;
            }
            if (record.erased()) {
                // Its hash cannot be recomputed; it must be an erasure the policy allows.
                List<String> problems = new ArrayList<>(Tombstones.problems(record, policy,
                        now));
                if (lastKept != null) {
                    // Its previous hash cannot be checked: after a kept record it could hide an
                    // edit of that record (edited, re-hashed, and the tombstone's link changed).
                    problems.add("it follows #" + lastKept.sequence() + ", which is kept intact,"
                            + " but erasure takes a chain's oldest records first (source resets"
                            + " aside), so no tombstone follows a kept record");
                }
                if (!problems.isEmpty()) {
                    return broken(Kind.INVALID_TOMBSTONE, record, "it is a tombstone (erased "
                            + Timestamps.format(record.erasure().at()) + " as class " + record
                                    .erasure().recordClass()
                            + ", retention " + record.erasure().retention() + ") that no"
                            + " retention policy allows: " + String.join("; ", problems));
                }
                return SourceResets.isReset(record) ? checkReset(record) : checkSource(record);
            }
            String recomputed = CanonicalEncoding.recomputeHash(record);
            if (!recomputed.equals(record.hash())) {
                // An edited record is an edit, whatever its offsets or clusters now claim.
                return broken(Kind.HASH_MISMATCH, record, "its content was altered: stored hash "
                        + record.hash() + ", content hashes to " + recomputed);
            }
            return SourceResets.isReset(record) ? checkReset(record) : checkSource(record);
        }

        /** A record that is not a reset continues its predecessor's source. */
        private ChainBreak checkSource(AuditRecord record) {
            if (prev == null) {
                return null;
            }
            String cluster = record.entry().source().cluster();
            String previousCluster = prev.entry().source().cluster();
            if (SourceResets.clustersDiffer(previousCluster, cluster)) {
                return broken(Kind.UNRECORDED_RESET, record, "it was read from Kafka cluster "
                        + cluster + " but #" + prev.sequence() + " before it from cluster "
                        + previousCluster + ", and no source reset is recorded between them");
            }
            if (!SourceResets.follows(prev.sourceOffset(), SourceResets.isReset(prev), record
                    .sourceOffset())) {
                return broken(Kind.REORDER, record, "source offset " + record.sourceOffset()
                        + " does not follow offset " + prev.sourceOffset() + " of #" + prev
                                .sequence()
                        + " (records were moved, or the source was reset and no reset is"
                        + " recorded)");
            }
            return null;
        }

        /** A reset must follow a record and state exactly what the records around it show. */
        private ChainBreak checkReset(AuditRecord reset) {
            if (prev == null) {
                return broken(Kind.INVALID_RESET, reset, "a source reset cannot start a chain:"
                        + " it stands between the last record of one source and the first of"
                        + " the next");
            }
            Optional<SourceResets.Details> stated = SourceResets.details(reset);
            if (stated.isEmpty()) {
                return broken(Kind.INVALID_RESET, reset, "its context is not a source reset's"
                        + " (reason, previousCluster, cluster, previousOffset, offset)");
            }
            SourceResets.Details d = stated.get();
            SourcePosition source = reset.entry().source();
            String previousCluster = prev.entry().source().cluster();
            List<String> wrong = new ArrayList<>();
            if (!java.util.Objects.equals(d.previousCluster(), previousCluster)) {
                wrong.add("it names cluster " + d.previousCluster() + " before it, #" + prev
                        .sequence() + " is from " + previousCluster);
            }
            if (d.previousOffset() != prev.sourceOffset()) {
                wrong.add("it names offset " + d.previousOffset() + " before it, #" + prev
                        .sequence() + " is at offset " + prev.sourceOffset());
            }
            if (!java.util.Objects.equals(d.cluster(), source.cluster())
                    || d.offset() != source.offset()) {
                wrong.add("it names cluster " + d.cluster() + " offset " + d.offset()
                        + " after it, but is itself at cluster " + source.cluster() + " offset "
                        + source.offset());
            }
            boolean clusterChanged = SourceResets.clustersDiffer(previousCluster, source
                    .cluster());
            boolean reasonTrue = switch (d.reason()) {
                case CLUSTER_CHANGED -> clusterChanged;
                case OFFSETS_WENT_BACK -> !clusterChanged && !SourceResets.follows(prev
                        .sourceOffset(), SourceResets.isReset(prev), source.offset());
            };
            if (!reasonTrue) {
                wrong.add("its reason " + d.reason() + " is not true of the records around it");
            }
            return wrong.isEmpty()
                    ? null
                    : broken(Kind.INVALID_RESET, reset, String.join("; ", wrong));
        }

        /** The chain broke at {@code record}; {@code later} holds the rest of it. */
        private ChainBreak explain(AuditRecord record) {
            long expectedSequence = expectedSequence();
            String expectedPrevious = expectedPrevious();
            boolean linked = record.previousHash().equals(expectedPrevious);
            boolean recordLinkedFromLater = later.stream().anyMatch(l -> l.previousHash().equals(
                    record.hash()));
            boolean prevLinkedFromLater = prev != null && (record.previousHash().equals(prev
                    .hash()) || later.stream().anyMatch(
                            l -> l.previousHash().equals(prev
                                    .hash())));
            boolean somethingSkipsPrev = prev != null && (record.previousHash().equals(
                    prevPrevHash)
                    || later.stream().anyMatch(l -> l.previousHash().equals(
                            prevPrevHash)));

            if (somethingSkipsPrev && !prevLinkedFromLater) {
                return broken(Kind.FORGED_INSERTION, prev, "no record links to it: the chain"
                        + " goes from " + name(prevPrevHash) + " to the record after it");
            }
            if (prev != null && record.sequence() == prev.sequence()) {
                return broken(Kind.FORGED_INSERTION, record, "a second record claims sequence "
                        + record.sequence());
            }
            Optional<Link> trueSuccessor = later.stream().filter(l -> l.previousHash().equals(
                    expectedPrevious)).findFirst();
            if (!linked && trueSuccessor.isPresent()) {
                if (recordLinkedFromLater) {
                    return broken(Kind.REORDER, record, "it is genuine but out of place: the"
                            + " record that follows " + predecessorName() + " is "
                            + trueSuccessor.get().record().describe());
                }
                return broken(Kind.FORGED_INSERTION, record, "it is not part of the chain: "
                        + trueSuccessor.get().record().describe() + " links to "
                        + predecessorName() + " around it");
            }
            if (record.sequence() > expectedSequence) {
                return broken(Kind.GAP, record, (record.sequence() - expectedSequence == 1
                        ? "sequence " + expectedSequence + " is"
                        : "sequences " + expectedSequence + ".." + (record.sequence() - 1)
                                + " are")
                        + " missing before it: records were deleted");
            }
            if (record.sequence() < expectedSequence) {
                return broken(Kind.REORDER, record, "sequence " + record.sequence()
                        + " comes after " + predecessorName());
            }
            if (prev != null && prev.erased()) {
                return broken(Kind.BROKEN_LINK, record, "its previous hash " + record
                        .previousHash() + " is not the hash " + expectedPrevious + " that "
                        + predecessorName() + ", a tombstone, keeps: a tombstone must keep the"
                        + " erased record's original hash, this one's was changed (or "
                        + predecessorName() + " was altered and re-hashed before it was erased)");
            }
            boolean selfConsistent = !record.erased() && CanonicalEncoding.recomputeHash(record)
                    .equals(record.hash());
            return broken(Kind.BROKEN_LINK, record, "its previous hash " + record.previousHash()
                    + " is not the hash of " + predecessorName() + " (" + expectedPrevious + "): "
                    + (selfConsistent
                            ? predecessorName()
                                    + " was altered and re-hashed, or records before it were deleted"
                                    + " and the rest renumbered"
                            : "and its own content does not match its hash either"));
        }

        private String name(String hash) {
            return AuditChain.GENESIS.equals(hash)
                    ? "the chain's start"
                    : "#" + (prev.sequence() - 1);
        }

        private String predecessorName() {
            return prev == null ? "the chain's start" : "#" + prev.sequence();
        }

        private static ChainBreak broken(Kind kind, AuditRecord record, String detail) {
            return new ChainBreak(kind, record.chainId(), record.sequence(), record.eventId(),
                    record.sourceOffset(), detail);
        }
    }
}
