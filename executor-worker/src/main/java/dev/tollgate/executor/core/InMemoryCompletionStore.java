package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This process's latest completions, oldest evicted first, bounded both in number and in the
 * approximate heap their answers take (an answer can carry a whole file): memory stays flat under
 * any load. A redelivery is answered from here only while its completion is still held; the
 * durable, fleet-wide record is the JDBC store.
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
