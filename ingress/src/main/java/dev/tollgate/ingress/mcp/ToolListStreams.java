package dev.tollgate.ingress.mcp;

import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.tools.Tool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The server streams agents open with {@code GET /mcp}, and the one thing said on them:
 * {@code notifications/tools/list_changed}, sent to an agent when a new policy changes the tools
 * it is listed. The MCP server stays stateless (no session: any replica serves any POST); a stream
 * belongs to the agent whose token opened it, and every replica reads the policy from
 * {@code gateway.policy}, so each notifies the streams it holds.
 *
 * <p>Each notification's SSE event ID is a tag of the tools the agent is listed
 * ({@link #tagOf}). A client that reconnects sends the last one as {@code Last-Event-ID}; when the
 * tools changed while it was away, it is notified at once, so a change made between two streams
 * is not missed. A stream opened with MCP 2025-11-25 or later is primed with that ID (an event
 * with no data, as the specification recommends) so its first reconnection carries it too.
 *
 * <p>Bounded, since any agent with a token can open them: at most {@link Limits#perAgent} streams
 * per agent (a principal: the same agent ID in another environment is another agent, whose
 * streams it neither counts nor ends) on this replica (a new one ends the agent's oldest), at most {@link Limits#max} on
 * this replica (beyond, a new agent's stream is refused: only notifications are lost, never a
 * call, and connections stay for calls), a comment every
 * {@link Limits#keepAlive} (a client gone is found by the write that fails), and each stream ends
 * when its token expires, when its token is revoked (checked at every keep-alive and before every
 * notification: a revoked token hears nothing more) and after {@link Limits#maxLife} at most, when
 * the client reconnects with its token checked again. Writes run on {@code writes}, never on the
 * thread that read the policy or on the keep-alive timer, so a client that does not read stalls
 * only its own stream.
 */
public final class ToolListStreams {

    /** The notification, as the one JSON-RPC message these streams carry. */
    static final String LIST_CHANGED = "{\"jsonrpc\":\"2.0\",\"method\":"
            + "\"notifications/tools/list_changed\"}";
    /** The first MCP version whose clients expect a priming event (an ID and no data). */
    static final String PRIMING_SINCE = "2025-11-25";
    /** Longest {@code Last-Event-ID} looked at; a longer one is treated as none. */
    static final int MAX_EVENT_ID = 64;

    /** Where a stream's frames go: an HTTP response kept open. */
    public interface Sink {

        /** Writes and flushes {@code frame}; false when the client is gone. */
        boolean send(String frame);

        /** Ends the response (the client may reconnect). */
        void close();
    }

    /**
     * @param perAgent streams one agent may hold open on this replica
     * @param max streams all agents together may hold open on this replica: each holds a
     *     connection, and connections are what every agent's calls need
     * @param keepAlive how often an idle stream gets a comment
     * @param maxLife how long a stream lives at most
     * @param retry how long a client waits before reconnecting (SSE {@code retry})
     */
    public record Limits(int perAgent, int max, Duration keepAlive, Duration maxLife,
            Duration retry) {

        public Limits {
            if (perAgent < 1 || max < perAgent) {
                throw new IllegalArgumentException("tollgate.ingress.streams.per-agent must be at "
                        + "least 1 and max at least per-agent, were " + perAgent + " and " + max);
            }
            if (keepAlive.isNegative() || keepAlive.isZero() || maxLife.compareTo(keepAlive) < 0) {
                throw new IllegalArgumentException("tollgate.ingress.streams.keep-alive must be "
                        + "positive and no longer than max-life, were " + keepAlive + " and "
                        + maxLife);
            }
        }
    }

    /** One open stream. */
    final class Stream {

        private final long id;
        private final AgentIdentity identity;
        private final Sink sink;
        private final Instant closesAt;
        private final ReentrantLock lock = new ReentrantLock();
        private String tag;
        private boolean closed;

        private Stream(long id, AgentIdentity identity, Sink sink, Instant closesAt, String tag) {
            this.id = id;
            this.identity = identity;
            this.sink = sink;
            this.closesAt = closesAt;
            this.tag = tag;
        }

        /** Ends it (once); the client may reconnect. */
        void close() {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
            } finally {
                lock.unlock();
            }
            streams.remove(id);
            sink.close();
        }

        /** Forgets it, its response having ended (completed, timed out, failed). */
        void ended() {
            lock.lock();
            try {
                closed = true;
            } finally {
                lock.unlock();
            }
            streams.remove(id);
        }

        private void write(String frame) {
            boolean sent;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                sent = sink.send(frame);
            } finally {
                lock.unlock();
            }
            if (!sent) {
                close();
            }
        }

        /** Notifies it when the agent's tools are no longer those its client was told of. */
        private void recheck() {
            if (!valid.test(identity)) {
                close();
                return;
            }
            String now = tagOf(visible.apply(identity));
            lock.lock();
            try {
                if (closed || now.equals(tag)) {
                    return;
                }
                tag = now;
            } finally {
                lock.unlock();
            }
            write(notification(now));
        }

        private void tick(Instant now) {
            if (!now.isBefore(closesAt) || !valid.test(identity)) {
                close();
            } else {
                write(": keep-alive\n\n");
            }
        }

        AgentPrincipal principal() {
            return identity.principal();
        }
    }

    private final Function<AgentIdentity, Set<Tool>> visible;
    private final Predicate<AgentIdentity> valid;
    private final InstantSource clock;
    private final Limits limits;
    private final Executor writes;
    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Object opening = new Object();
    private volatile boolean closing;

    /**
     * @param visible the tools an agent is listed now
     * @param valid whether a token still works (not revoked, not expired)
     * @param writes where frames are written
     */
    public ToolListStreams(Function<AgentIdentity, Set<Tool>> visible,
            Predicate<AgentIdentity> valid, InstantSource clock, Limits limits, Executor writes) {
        this.visible = visible;
        this.valid = valid;
        this.clock = clock;
        this.limits = limits;
        this.writes = writes;
    }

    /** The refusal when this replica's streams are full. */
    static final String FULL = "this gateway replica holds as many event streams as it may ("
            + "tollgate.ingress.streams.max); tools/list and every call still work: list again "
            + "to see changes";

    /** Why a stream cannot open now, if it cannot: shutting down, or this replica's streams full. */
    public Optional<String> refusal(AgentIdentity identity) {
        if (closing) {
            return Optional.of("the gateway is shutting down; reconnect in a moment");
        }
        long own = countOf(identity.principal());
        int open = streams.size();
        // an agent at its own limit replaces its oldest: only other agents' streams can fill it
        if (open - own >= limits.max() || open >= limits.max() && own < limits.perAgent()) {
            return Optional.of(FULL);
        }
        return Optional.empty();
    }

    private long countOf(AgentPrincipal principal) {
        return streams.values().stream().filter(other -> other.principal().equals(principal))
                .count();
    }

    /**
     * Opens a stream for {@code identity}, ending its agent's oldest beyond the limit; null when
     * {@link #refusal} says it may not open (shutting down, or the replica's streams full; nothing
     * opened, the sink left alone).
     *
     * @param lastEventId the client's {@code Last-Event-ID}, if it reconnects
     * @param protocolVersion the client's {@code MCP-Protocol-Version} (null: before 2025-06-18)
     */
    public Stream open(AgentIdentity identity, String lastEventId, String protocolVersion,
            Sink sink) {
        Instant closesAt = earliest(clock.instant().plus(limits.maxLife()), identity.expiresAt(),
                identity.family().expiresAt());
        String tag = tagOf(visible.apply(identity));
        Stream stream = new Stream(ids.incrementAndGet(), identity, sink, closesAt, tag);
        List<Stream> replaced;
        synchronized (opening) { // two opens at once must not both take the last place
            if (refusal(identity).isPresent()) {
                return null;
            }
            streams.put(stream.id, stream);
            AgentPrincipal principal = identity.principal();
            List<Stream> agents = streams.values().stream().filter(other -> other.principal()
                    .equals(principal)).sorted(Comparator.comparingLong(other -> other.id))
                    .toList();
            replaced = agents.subList(0, Math.max(0, agents.size() - limits.perAgent()));
            replaced.forEach(old -> streams.remove(old.id));
        }
        replaced.forEach(Stream::close);
        String retry = "retry: " + limits.retry().toMillis() + "\n";
        boolean reconnected = lastEventId != null && !lastEventId.isEmpty()
                && lastEventId.length() <= MAX_EVENT_ID;
        String first;
        if (reconnected && !lastEventId.equals(tag)) {
            first = retry + notification(tag); // changed while it was away
        } else if (protocolVersion != null && protocolVersion.compareTo(PRIMING_SINCE) >= 0) {
            first = retry + "id: " + tag + "\ndata: \n\n";
        } else {
            first = retry + ": listening for notifications/tools/list_changed\n\n";
        }
        submit(() -> stream.write(first));
        if (closing) {
            stream.close(); // closeAll ran while it opened
        }
        return stream;
    }

    /** A new policy is in force: each stream whose agent's tools changed is notified. */
    public void policyChanged() {
        for (Stream stream : List.copyOf(streams.values())) {
            submit(stream::recheck);
        }
    }

    /** The keep-alive tick: ends streams past their life or token, keeps the rest open. */
    public void tick() {
        Instant now = clock.instant();
        for (Stream stream : List.copyOf(streams.values())) {
            submit(() -> stream.tick(now));
        }
    }

    /** Shutting down: every stream ends (its client reconnects elsewhere), none opens. */
    public void closeAll() {
        closing = true;
        for (Stream stream : new ArrayList<>(streams.values())) {
            stream.close();
        }
    }

    /** Runs {@code write} on the writers; none once they have stopped (shutting down). */
    private void submit(Runnable write) {
        try {
            writes.execute(write);
        } catch (RejectedExecutionException e) {
            // the application is closing: its streams end with it
        }
    }

    /** Streams open on this replica. */
    public int open() {
        return streams.size();
    }

    /** How often {@link #tick} should run. */
    public Duration keepAlive() {
        return limits.keepAlive();
    }

    /** How long the container may keep a stream's response at most (a backstop to ticks). */
    public Duration responseTimeout() {
        return limits.maxLife().plus(limits.keepAlive().multipliedBy(2));
    }

    /**
     * The tag of a list of tools: the event ID of a notification, short and the same on every
     * replica for the same tools.
     */
    static String tagOf(Set<Tool> tools) {
        String names = String.join(",", tools.stream().map(Tool::toolName).sorted().toList());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(names.getBytes(
                    StandardCharsets.UTF_8));
            return "tools-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String notification(String tag) {
        return "id: " + tag + "\nevent: message\ndata: " + LIST_CHANGED + "\n\n";
    }

    private static Instant earliest(Instant first, Instant... others) {
        Instant earliest = first;
        for (Instant other : others) {
            if (other != null && other.isBefore(earliest)) {
                earliest = other;
            }
        }
        return earliest;
    }
}
