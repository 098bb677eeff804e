package dev.tollgate.ingress.core.replies;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this replica knows about the gateway's requests, for {@code get_request_status} from any
 * replica: every request made through any replica (read back from gateway.requests) and every
 * final answer (read from every partition of gateway.replies), each shown only to the agent that
 * made it; plus the calls this replica itself is waiting on. Thread-safe.
 *
 * <p>Bounded in age ({@code retention}), in entries per agent, and in entries and approximate
 * bytes overall. Beyond an agent's own bound its oldest entry goes; beyond the overall bounds the
 * oldest entry of the agent holding the most (entries, or bytes when bytes are over) goes. So an
 * agent flooding calls only ever drops its own entries, never another agent's, while it holds more
 * than they do. The newest entry is always kept.
 *
 * <p>"Agent" here is always a principal, an agent ID in an environment: the same agent ID in
 * another environment (an issuer whose agent claim leaves the environment out) is another caller,
 * never shown this one's answers and never counted against its bound.
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

    /**
     * @param maxEntries requests and answers kept in all
     * @param maxEntriesPerAgent requests and answers kept for one agent
     * @param maxBytes approximate heap of everything kept (an answer can carry a whole file)
     */
    public record Limits(int maxEntries, int maxEntriesPerAgent, long maxBytes) {

        public Limits {
            if (maxEntries < 1 || maxEntriesPerAgent < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("reply book limits must be positive: "
                        + maxEntries + " entries, " + maxEntriesPerAgent + " per agent, "
                        + maxBytes + " bytes");
            }
        }
    }

    /** A request, and its final answer once it arrived. */
    private record Entry(String requestId, AgentPrincipal owner, Instant since, Instant keptAt,
            Reply reply, long bytes) {
    }

    /** One agent's entries, oldest first. */
    private static final class Shelf {

        final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
        long bytes;

        Entry oldest() {
            return entries.values().iterator().next();
        }
    }

    /** Default bound on the kept entries' approximate size. */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    /** Fixed cost of one kept entry besides the texts of its answer. */
    static final int ENTRY_OVERHEAD_BYTES = 512;

    private final Map<String, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<AgentPrincipal, Shelf> shelves = new HashMap<>();
    private final Clock clock;
    private final Duration retention;
    private final Limits limits;
    private long bytes;
    private int answers;

    public ReplyBook(Clock clock, Duration retention, int maxEntries) {
        this(clock, retention, maxEntries, DEFAULT_MAX_BYTES);
    }

    public ReplyBook(Clock clock, Duration retention, int maxEntries, long maxBytes) {
        this(clock, retention, new Limits(maxEntries, maxEntries, maxBytes));
    }

    public ReplyBook(Clock clock, Duration retention, Limits limits) {
        this.clock = clock;
        this.retention = retention;
        this.limits = limits;
    }

    /**
     * Registers a call of this replica before it is published, so that no answer can arrive
     * unnoticed; it is pending for its agent from now on.
     */
    public CompletableFuture<Reply> expect(String requestId, AgentPrincipal owner) {
        CompletableFuture<Reply> future = new CompletableFuture<>();
        waiting.put(requestId, future);
        Reply early;
        synchronized (this) {
            Entry known = entries.get(requestId);
            early = known == null ? null : known.reply();
            if (known == null) {
                Instant now = clock.instant();
                keep(new Entry(requestId, owner, now, now, null, ENTRY_OVERHEAD_BYTES));
            }
        }
        if (early != null) {
            waiting.remove(requestId);
            future.complete(early);
        }
        return future;
    }

    /** The call could not be published: forget it. */
    public void forget(String requestId) {
        waiting.remove(requestId);
        synchronized (this) {
            Entry known = entries.get(requestId);
            if (known != null && known.reply() == null) {
                drop(known);
            }
        }
    }

    /** This replica no longer waits for the call (answered, or reported pending). */
    public void stopWaiting(String requestId) {
        waiting.remove(requestId);
    }

    /**
     * A request made through some replica (read back from gateway.requests): pending for its
     * agent until its answer arrives. Known requests and answers are left as they are.
     */
    public void requested(String requestId, AgentPrincipal owner) {
        synchronized (this) {
            if (!entries.containsKey(requestId)) {
                Instant now = clock.instant();
                keep(new Entry(requestId, owner, now, now, null, ENTRY_OVERHEAD_BYTES));
            }
        }
    }

    /** A final answer arrived (to a call of any replica, also one from before a restart). */
    public void complete(Reply reply) {
        synchronized (this) {
            Entry known = entries.get(reply.requestId());
            Instant now = clock.instant();
            // A known request keeps its owner: whoever made it (this replica's caller, or the
            // request read back from gateway.requests), whatever agent the answer names (a dead
            // letter's answer names none), so an answer never hands a request to someone else.
            keep(new Entry(reply.requestId(), known == null
                    ? reply.principal()
                    : known.owner(),
                    known == null
                            ? now
                            : known.since(),
                    now, reply, sizeOf(reply)));
        }
        CompletableFuture<Reply> waiter = waiting.remove(reply.requestId());
        if (waiter != null) {
            waiter.complete(reply);
        }
    }

    /**
     * What {@code caller} may learn about {@code requestId}: nothing about another's, the same
     * agent ID in another environment included.
     */
    public synchronized Lookup lookup(String requestId, AgentPrincipal caller) {
        Entry entry = entries.get(requestId);
        if (entry == null || !entry.owner().equals(caller) || expired(entry, clock
                .instant())) {
            return new Unknown(requestId);
        }
        return entry.reply() != null
                ? new Completed(entry.reply())
                : new Pending(requestId, entry.since());
    }

    /** The request IDs this replica is waiting on (a snapshot). */
    public Set<String> waitingIds() {
        return Set.copyOf(waiting.keySet());
    }

    /** Calls of this replica whose answer it is waiting on. */
    public int waitingCount() {
        return waiting.size();
    }

    /** Final answers kept. */
    public synchronized int completedCount() {
        return answers;
    }

    /** Requests and answers kept. */
    public synchronized int size() {
        return entries.size();
    }

    /** Requests and answers kept for one agent. */
    public synchronized int entriesOf(AgentPrincipal owner) {
        Shelf shelf = shelves.get(owner);
        return shelf == null ? 0 : shelf.entries.size();
    }

    /** The kept entries' approximate bytes. */
    public synchronized long completedBytes() {
        return bytes;
    }

    /** Drops what is older than the retention (requests never answered included). */
    public synchronized void prune() {
        Instant now = clock.instant();
        for (Iterator<Shelf> each = shelves.values().iterator(); each.hasNext();) {
            Shelf shelf = each.next();
            // each shelf is in keptAt order: entries are appended as they are kept
            for (Iterator<Entry> oldestFirst = shelf.entries.values().iterator(); oldestFirst
                    .hasNext();) {
                Entry entry = oldestFirst.next();
                if (!expired(entry, now)) {
                    break;
                }
                oldestFirst.remove();
                entries.remove(entry.requestId());
                account(shelf, entry, -1);
            }
            if (shelf.entries.isEmpty()) {
                each.remove();
            }
        }
    }

    private boolean expired(Entry entry, Instant now) {
        return entry.keptAt().isBefore(now.minus(retention));
    }

    /** Keeps {@code entry} (replacing one with its request ID) as the newest, then evicts. */
    private void keep(Entry entry) {
        Entry replaced = entries.get(entry.requestId());
        if (replaced != null) {
            drop(replaced);
        }
        Shelf shelf = shelves.computeIfAbsent(entry.owner(), owner -> new Shelf());
        entries.put(entry.requestId(), entry);
        shelf.entries.put(entry.requestId(), entry);
        account(shelf, entry, +1);
        while (shelf.entries.size() > limits.maxEntriesPerAgent()) {
            drop(shelf.oldest()); // its own bound: the agent's oldest goes
        }
        while (entries.size() > limits.maxEntries() || bytes > limits.maxBytes()) {
            Shelf heaviest = heaviest(entries.size() > limits.maxEntries(), entry.requestId());
            if (heaviest == null) {
                break; // only the newest entry is left to drop: it is kept
            }
            drop(heaviest.oldest());
        }
    }

    /**
     * The shelf holding the most entries ({@code byCount}) or bytes whose oldest entry is not
     * {@code keep}; null if there is none.
     */
    private Shelf heaviest(boolean byCount, String keep) {
        Shelf heaviest = null;
        for (Shelf shelf : shelves.values()) {
            if (shelf.oldest().requestId().equals(keep)) {
                continue;
            }
            long weight = byCount ? shelf.entries.size() : shelf.bytes;
            if (heaviest == null || weight > (byCount ? heaviest.entries.size() : heaviest.bytes)) {
                heaviest = shelf;
            }
        }
        return heaviest;
    }

    private void drop(Entry entry) {
        entries.remove(entry.requestId());
        Shelf shelf = shelves.get(entry.owner());
        shelf.entries.remove(entry.requestId());
        account(shelf, entry, -1);
        if (shelf.entries.isEmpty()) {
            shelves.remove(entry.owner());
        }
    }

    private void account(Shelf shelf, Entry entry, int sign) {
        shelf.bytes += sign * entry.bytes();
        bytes += sign * entry.bytes();
        if (entry.reply() != null) {
            answers += sign;
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
