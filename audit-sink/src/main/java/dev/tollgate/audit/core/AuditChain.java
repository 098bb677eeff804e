package dev.tollgate.audit.core;

import java.util.Optional;

/** Links entries into a chain: the one place sequence numbers and previous hashes are assigned. */
public final class AuditChain {

    /** The previous hash of every chain's first record: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /**
     * The record that follows {@code head} (or starts a chain when there is none).
     *
     * @throws IllegalArgumentException if the entry belongs to another chain than the head
     */
    public static AuditRecord append(Optional<ChainHead> head, AuditEntry entry) {
        long sequence = nextSequence(head, entry);
        String previousHash = head.map(ChainHead::hash).orElse(GENESIS);
        return new AuditRecord(entry, sequence, previousHash,
                CanonicalEncoding.hash(entry, sequence, previousHash));
    }

    /**
     * A new record and its JSON Lines form: what {@link #append} and
     * {@link CanonicalEncoding#jsonLine(AuditRecord)} give, the canonical encoding built once.
     */
    public record Linked(AuditRecord record, String jsonLine) {
    }

    /**
     * The record that follows {@code head}, as {@link #append}, and its JSON Lines form.
     *
     * @throws IllegalArgumentException if the entry belongs to another chain than the head
     */
    public static Linked link(Optional<ChainHead> head, AuditEntry entry) {
        long sequence = nextSequence(head, entry);
        String previousHash = head.map(ChainHead::hash).orElse(GENESIS);
        String canonical = CanonicalEncoding.encode(entry, sequence, previousHash);
        String hash = CanonicalEncoding.sha256Hex(canonical);
        return new Linked(new AuditRecord(entry, sequence, previousHash, hash), CanonicalEncoding
                .jsonLine(canonical, hash));
    }

    private static long nextSequence(Optional<ChainHead> head, AuditEntry entry) {
        if (head.isPresent() && !head.get().chainId().equals(entry.chainId())) {
            throw new IllegalArgumentException("entry of chain " + entry.chainId()
                    + " cannot follow the head of chain " + head.get().chainId());
        }
        return head.map(h -> h.sequence() + 1).orElse(1L);
    }

    public static ChainHead headOf(AuditRecord record) {
        return new ChainHead(record.chainId(), record.sequence(), record.hash());
    }
}
