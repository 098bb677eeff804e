package dev.tollgate.audit.core;

import java.util.Objects;

/**
 * One stored audit record: an {@link AuditEntry} linked into its chain. {@code hash} is the
 * SHA-256 of the {@link CanonicalEncoding canonical encoding} of every other field, which includes
 * {@code previousHash}; a chain's first record has {@link AuditChain#GENESIS} as its previous
 * hash.
 *
 * @param entry the content
 * @param sequence position in the chain, starting at 1, without gaps
 * @param previousHash the hash of the record before it in the chain
 * @param hash this record's hash (64 lower-case hex digits)
 */
public record AuditRecord(AuditEntry entry, long sequence, String previousHash, String hash) {

    public AuditRecord {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(previousHash, "previousHash");
        Objects.requireNonNull(hash, "hash");
    }

    public String chainId() {
        return entry.chainId();
    }

    public String eventId() {
        return entry.eventId();
    }

    public long sourceOffset() {
        return entry.source().offset();
    }

    /** {@code gateway.requests-0#12 (event 6f1c…, offset 40)}: how reports name a record. */
    public String describe() {
        return chainId() + "#" + sequence + " (event " + eventId() + ", offset "
                + sourceOffset() + ")";
    }
}
