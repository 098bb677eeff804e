package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * This process's latest completions, oldest evicted first, bounded both in number and in the
 * approximate heap their answers take (an answer can carry a whole file): memory stays flat under
 * any load. A redelivery is answered from here only while its completion is still held; the
 * durable, fleet-wide record is the JDBC store.
 *
 * <p>A write must not be done twice because its answer was evicted while its decision is still
 * young enough to be performed (a decision replayed onto {@code gateway.decisions}, or delivered
 * again after a rebalance): the request IDs of the last {@code capacity} writes answered are kept
 * apart from the answers (bounded by number only, about 150 bytes each, whatever the answers'
 * size), with the time each was decided. A write whose ID is among them, or whose decision was
 * made no later than the newest decision among the write IDs forgotten, is refused
 * ({@link #claimWrite}): it may have been done. Nothing here survives the process: across a
 * restart, writes rely on their markers on GitHub.
 */
public final class InMemoryCompletionStore implements CompletionStore {

    /** Default bound on the retained answers' approximate size. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    /**
     * Fixed cost of one held completion besides its answer's texts: the event, its metadata and
     * resource, their ten-odd short strings and the map entry (about 0.9 KiB in a heap histogram).
     */
    static final int ENTRY_OVERHEAD_BYTES = 1024;

    private record Held(ToolCallCompleted completed, long bytes) {
    }

    private final Map<String, Held> completions = new LinkedHashMap<>();
    /** Writes claimed and not yet answered: their decision times. */
    private final Map<String, Instant> claimed = new LinkedHashMap<>();
    /** The last {@code capacity} writes answered, oldest first: their decision times. */
    private final Map<String, Instant> written = new LinkedHashMap<>();
    /** The newest decision time among the writes forgotten from {@link #written}, or null. */
    private Instant forgottenThrough;
    private final int capacity;
    private final long maxBytes;
    private long bytes;

    public InMemoryCompletionStore(int capacity) {
        this(capacity, DEFAULT_MAX_BYTES);
    }

    /**
     * @param capacity most completions held
     * @param maxBytes most approximate bytes held (the newest completion is always held)
     */
    public InMemoryCompletionStore(int capacity, long maxBytes) {
        if (capacity < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("the completion cache needs room for at least one"
                    + " completion (capacity " + capacity + ", bytes " + maxBytes + ")");
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized Optional<ToolCallCompleted> find(String requestId) {
        return Optional.ofNullable(completions.get(requestId)).map(Held::completed);
    }

    @Override
    public synchronized ToolCallCompleted record(ToolCallCompleted completed) {
        String requestId = completed.getMeta().getRequestId();
        Instant decided = claimed.remove(requestId);
        if (decided != null) {
            written.put(requestId, decided);
            forgetWritesBeyondCapacity();
        }
        Held earlier = completions.get(requestId);
        if (earlier != null) {
            return earlier.completed();
        }
        Held held = new Held(completed, sizeOf(completed));
        completions.put(requestId, held);
        bytes += held.bytes();
        evict();
        return completed;
    }

    /** This store cannot know across a crash: every write searches for its marker first. */
    @Override
    public boolean firstAttempt(String requestId) {
        return false;
    }

    @Override
    public synchronized Optional<String> claimWrite(String requestId, Instant decidedAt) {
        Objects.requireNonNull(decidedAt, "decidedAt");
        if (written.containsKey(requestId)) {
            return Optional.of("this executor answered it already and no longer holds the answer"
                    + " (tollgate.executor.completion-cache-bytes)");
        }
        if (forgottenThrough != null && !decidedAt.isAfter(forgottenThrough)) {
            return Optional.of("it was decided at " + decidedAt + ", no later than writes this"
                    + " executor has forgotten answering (it remembers the last " + capacity
                    + ", tollgate.executor.completion-cache-size; a durable record:"
                    + " tollgate.executor.completions.jdbc-url)");
        }
        claimed.put(requestId, decidedAt);
        // Claims whose answer never came (a call that died): the oldest go, so memory stays flat.
        Iterator<String> oldest = claimed.keySet().iterator();
        while (claimed.size() > capacity) {
            oldest.next();
            oldest.remove();
        }
        return Optional.empty();
    }

    private void forgetWritesBeyondCapacity() {
        Iterator<Instant> oldestFirst = written.values().iterator();
        while (written.size() > capacity) {
            Instant decided = oldestFirst.next();
            oldestFirst.remove();
            if (forgottenThrough == null || decided.isAfter(forgottenThrough)) {
                forgottenThrough = decided;
            }
        }
    }

    /** Writes claimed whose answer has not come. */
    synchronized int claimsHeld() {
        return claimed.size();
    }

    /** Write IDs remembered now. */
    synchronized int writesRemembered() {
        return written.size();
    }

    /** Completions held now, and their approximate bytes. */
    synchronized long heldBytes() {
        return bytes;
    }

    synchronized int size() {
        return completions.size();
    }

    private void evict() {
        Iterator<Held> oldestFirst = completions.values().iterator();
        while (completions.size() > 1 && (completions.size() > capacity || bytes > maxBytes)) {
            bytes -= oldestFirst.next().bytes();
            oldestFirst.remove();
        }
    }

    /** Approximate heap of one completion: its texts (one byte per char, Latin-1) and a fixed cost. */
    static long sizeOf(ToolCallCompleted completed) {
        return ENTRY_OVERHEAD_BYTES + length(completed.getResultJson()) + length(completed
                .getMessage()) + length(completed.getErrorDetailsJson());
    }

    private static long length(CharSequence text) {
        return text == null ? 0 : text.length();
    }
}
