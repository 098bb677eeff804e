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

    private record Kept(Reply reply, Instant keptAt) {
    }

    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Kept> completed = new LinkedHashMap<>();
    private final Clock clock;
    private final Duration retention;
    private final int maxEntries;

    public ReplyBook(Clock clock, Duration retention, int maxEntries) {
        this.clock = clock;
        this.retention = retention;
        this.maxEntries = maxEntries;
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
            completed.remove(reply.requestId());
            completed.put(reply.requestId(), new Kept(reply, clock.instant()));
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

    /** Calls whose answer is still awaited. */
    public int waitingCount() {
        return waiting.size();
    }

    public int completedCount() {
        synchronized (completed) {
            return completed.size();
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
            if (completed.size() > maxEntries || entry.getValue().keptAt().isBefore(cutoff)) {
                oldestFirst.remove();
            } else {
                break;
            }
        }
    }
}
