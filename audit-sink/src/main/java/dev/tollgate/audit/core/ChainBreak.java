package dev.tollgate.audit.core;

/**
 * The first broken link of a chain: which record, and why.
 *
 * @param kind why the chain is broken
 * @param chainId the chain
 * @param sequence the sequence number the named record carries
 * @param eventId the named record's event ID
 * @param sourceOffset the named record's source offset
 * @param detail one sentence for the operator
 */
public record ChainBreak(Kind kind, String chainId, long sequence, String eventId,
        long sourceOffset, String detail) {

    /** Why a chain is broken. */
    public enum Kind {
        /** The record's content does not hash to its stored hash: it was edited. */
        HASH_MISMATCH,
        /** Sequence numbers are missing before this record: records were deleted. */
        GAP,
        /** The record is genuine but out of place: records were swapped or moved. */
        REORDER,
        /** The record is not part of the chain: something links around it, or it repeats a sequence. */
        FORGED_INSERTION,
        /**
         * The record's previous hash matches no record: its predecessor was edited and re-hashed, or
         * records were deleted and the rest renumbered.
         */
        BROKEN_LINK,
        /**
         * The record comes from another Kafka cluster than the record before it, and no source
         * reset is recorded between them.
         */
        UNRECORDED_RESET,
        /**
         * A source reset record that does not match the records around it (or starts a chain):
         * what it states about the clusters and offsets before and after it is not what they show.
         */
        INVALID_RESET,
        /**
         * A tombstone that no retention policy allows: of a class kept forever, erased before its
         * class's retention, dated in the future, still carrying content, or of a type that is
         * never erased.
         */
        INVALID_TOMBSTONE,
        /** The record claims another chain than the one it was read from. */
        WRONG_CHAIN,
        /** The stored record cannot be read at all (malformed line or row). */
        UNREADABLE
    }

    public String describe() {
        return kind + " at " + chainId + "#" + sequence + " (event " + eventId + ", offset "
                + sourceOffset + "): " + detail;
    }
}
