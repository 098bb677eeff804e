package dev.tollgate.audit.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where audit records are kept: append-only, one hash chain per source topic-partition. Every
 * implementation passes the same contract suite ({@code AbstractAuditStoreContract}).
 */
public interface AuditStore extends AutoCloseable {

    /** What {@link #append} did. */
    sealed interface AppendResult {
        AuditRecord record();

        /** The entry is now the head of its chain. */
        record Appended(AuditRecord record) implements AppendResult {
        }

        /** An entry with this event ID was stored before; nothing changed. */
        record Duplicate(AuditRecord record) implements AppendResult {
        }

        /**
         * The entry's event ID is held by a different record ({@code held}: another topic, type
         * or content, see {@link SourceResets#sameOccurrence}). The entry was kept all the same,
         * under {@code conflict:<ID>~<digest>} ({@link SourceResets#distinct}), and is now the head
         * of its chain: one of the two is not what its producer claims.
         */
        record Conflicting(AuditRecord record, AuditRecord held) implements AppendResult {
        }
    }

    /**
     * Links {@code entry} after the head of its chain and stores it durably, unless the same
     * occurrence of the event is already stored (a redelivery, or a second run over the same
     * offsets: the same event ID, topic, type and content), in which case the stored record is
     * returned and nothing changes. An entry whose event ID a different record holds is stored
     * too, under an ID of its own, and reported as {@link AppendResult.Conflicting}. When the entry shows that the
     * chain's source was reset (another cluster, or an offset that does not follow), a
     * {@link SourceResets source reset record} is linked before it, in the same durable write.
     * Safe to call concurrently, also from several processes sharing the store: a chain never
     * forks.
     */
    AppendResult append(AuditEntry entry);

    /** Appends in order; the default appends one by one. */
    default List<AppendResult> appendAll(List<AuditEntry> entries) {
        return entries.stream().map(this::append).toList();
    }

    /** Every chain's head, ordered by chain ID. */
    List<ChainHead> heads();

    /** Every chain's ID, ordered; the default takes them from {@link #heads()}. */
    default List<String> chainIds() {
        return heads().stream().map(ChainHead::chainId).toList();
    }

    /** The records of one chain in stored order (by sequence), passed to {@code sink}. */
    void readChain(String chainId, Consumer<AuditRecord> sink);

    /**
     * The records whose event occurred in {@code [from, to)}, ordered by occurrence time, chain ID
     * and sequence. Null bounds are open.
     */
    void readRange(Instant from, Instant to, Consumer<AuditRecord> sink);

    Optional<AuditRecord> findByEventId(String eventId);

    /** How many records are stored. */
    long count();

    @Override
    void close();
}
