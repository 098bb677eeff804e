package dev.tollgate.ingress.core.replies;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls this replica waits on, and final answers kept for {@code get_request_status}: bounded in
 * number and age. Answers are only shown to the agent that asked. Thread-safe.
 */
public final class ReplyBook {

    /** What is known about a request ID, from the point of view of one agent. */
    public sealed interface Lookup permits Completed, Pending, Unknown {
    }

    public record Completed(Reply reply) implements Lookup {
    }

    public record Pending(String requestId, Instant since) implements Lookup {
    }

    public record Unknown(String requestId) implements Lookup {
    }

    private record Waiting(String agentId, Instant since, CompletableFuture<Reply> future) {
    }

    private record Kept(Reply reply, Instant keptAt, long bytes) {
    }

    /** Default bound on the kept answers' approximate size. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    /** Fixed cost of one kept answer besides its texts. */
    static final int ENTRY_OVERHEAD_BYTES = 512;

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Kept> completed = new LinkedHashMap<>();
    private final Clock clock;
    private final Duration retention;
    private final int maxEntries;
    private final long maxBytes;
    private long bytes;

    public ReplyBook(Clock clock, Duration retention, int maxEntries) {
        this(clock, retention, maxEntries, DEFAULT_MAX_BYTES);
    }

    /**
     * @param maxBytes most approximate bytes the kept answers may take (an answer can carry a
     *        whole file); the newest answer is always kept
     */
    public ReplyBook(Clock clock, Duration retention, int maxEntries, long maxBytes) {
        this.clock = clock;
        this.retention = retention;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** Registers a call before it is published, so that no answer can arrive unnoticed. */
    public CompletableFuture<Reply> expect(String requestId, String agentId) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        waiting.put(requestId, new Waiting(agentId, clock.instant(), future));
        Optional<Reply> early = completedReply(requestId);
        early.ifPresent(future::complete);
        return future;
    }

    /** The call could not be published: forget it. */
    public void forget(String requestId) {
        waiting.remove(requestId);
    }

    /** A final answer arrived (for a call waited on here, or one from before a restart). */
    public void complete(Reply reply) {
        synchronized (completed) {
            Kept replaced = completed.remove(reply.requestId());
            if (replaced != null) {
                bytes -= replaced.bytes();
            }
            Kept kept = new Kept(reply, clock.instant(), sizeOf(reply));
            completed.put(reply.requestId(), kept);
            bytes += kept.bytes();
            evict();
        }
        Waiting waiter = waiting.remove(reply.requestId());
        if (waiter != null) {
            waiter.future().complete(reply);
        }
    }

    /** What {@code agentId} may learn about {@code requestId}. */
    public Lookup lookup(String requestId, String agentId) {
        Optional<Reply> reply = completedReply(requestId);
        if (reply.isPresent()) {
            return reply.get().agentId().equals(agentId)
                    ? new Completed(reply.get())
                    : new Unknown(requestId);
        }
        Waiting waiter = waiting.get(requestId);
        if (waiter != null && waiter.agentId().equals(agentId)) {
            return new Pending(requestId, waiter.since());
        }
        return new Unknown(requestId);
    }

    /** The request IDs whose answers are still awaited (a snapshot). */
    public java.util.Set<String> waitingIds() {
        return java.util.Set.copyOf(waiting.keySet());
    }

    /** Calls whose answer is still awaited. */
    public int waitingCount() {
        return waiting.size();
    }

    public int completedCount() {
        synchronized (completed) {
            return completed.size();
        }
    }

    /** The kept answers' approximate bytes. */
    public long completedBytes() {
        synchronized (completed) {
            return bytes;
        }
    }

    /** Drops answers older than the retention and waits older than it (never answered). */
    public void prune() {
        Instant cutoff = clock.instant().minus(retention);
        synchronized (completed) {
            evict();
        }
        waiting.values().removeIf(w -> w.since().isBefore(cutoff));
    }

    private Optional<Reply> completedReply(String requestId) {
        synchronized (completed) {
            Kept kept = completed.get(requestId);
            if (kept == null || kept.keptAt().isBefore(clock.instant().minus(retention))) {
                return Optional.empty();
            }
            return Optional.of(kept.reply());
        }
    }

    private void evict() {
        Instant cutoff = clock.instant().minus(retention);
        Iterator<Map.Entry<String, Kept>> oldestFirst = completed.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<String, Kept> entry = oldestFirst.next();
            boolean overBound = completed.size() > maxEntries || (bytes > maxBytes && completed
                    .size() > 1);
            if (overBound || entry.getValue().keptAt().isBefore(cutoff)) {
                bytes -= entry.getValue().bytes();
                oldestFirst.remove();
            } else {
                break;
            }
        }
    }

    /** Approximate heap of one kept answer: its texts (a byte per char) and a fixed cost. */
    static long sizeOf(Reply reply) {
        return ENTRY_OVERHEAD_BYTES + length(reply.resultJson()) + length(reply.message())
                + length(reply.errorDetailsJson());
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
    }
}
