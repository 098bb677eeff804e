package dev.tollgate.audit.core;

import java.util.Objects;
import java.util.Optional;

/**
 * One stored audit record: an {@link AuditEntry} linked into its chain. {@code hash} is the
 * SHA-256 of the {@link CanonicalEncoding canonical encoding} of every other field, which includes
 * {@code previousHash}; a chain's first record has {@link AuditChain#GENESIS} as its previous
 * hash.
 *
 * <p>A <b>tombstone</b> is a record whose content was erased under a retention policy
 * ({@link Tombstones}): {@code erasure} is set, the entry keeps only where the record stands (its
 * chain, source position, event ID, type and time), and {@code hash} is still the original
 * record's hash, which can no longer be recomputed but which the next record links to.
 *
 * @param entry the content (of a tombstone: what is kept of it)
 * @param sequence position in the chain, starting at 1, without gaps
 * @param previousHash the hash of the record before it in the chain
 * @param hash this record's hash (64 lower-case hex digits)
 * @param erasure when and why the content was erased; null for a record that is intact
 */
public record AuditRecord(AuditEntry entry, long sequence, String previousHash, String hash,
        Erasure erasure) {

    public AuditRecord {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(previousHash, "previousHash");
        Objects.requireNonNull(hash, "hash");
    }

    /** A record as appended: intact. */
    public AuditRecord(AuditEntry entry, long sequence, String previousHash, String hash) {
        this(entry, sequence, previousHash, hash, null);
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

    /** Whether this is a tombstone: its content was erased. */
    public boolean erased() {
        return erasure != null;
    }

    public Optional<Erasure> erasureIfAny() {
        return Optional.ofNullable(erasure);
    }

    /** {@code gateway.requests-0#12 (event 6f1c…, offset 40)}: how reports name a record. */
    public String describe() {
        return chainId() + "#" + sequence + " (event " + eventId() + ", offset "
                + sourceOffset() + ")";
    }
}
