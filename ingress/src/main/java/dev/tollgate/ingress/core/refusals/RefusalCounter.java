package dev.tollgate.ingress.core.refusals;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts requests refused at the door, per endpoint, reason, client address and (when its
 * credential held) agent in its environment, until {@link #drain} hands the tallies over for the audit. A flood is a
 * few tallies, never one record per request; the memory is bounded: beyond {@code maxKeys}
 * distinct tallies in one interval, further clients are counted together as
 * {@link #OTHER_CLIENTS}. Nothing counted is a credential: the detail is the reason the client was
 * told, which never echoes one.
 */
public final class RefusalCounter {

    public static final String MCP = "mcp";
    public static final String ADMIN = "admin";
    public static final String ROTATE = "rotate";
    public static final String WEBHOOK = "webhook";
    /** The client of refusals beyond the bound of distinct tallies. */
    public static final String OTHER_CLIENTS = "(other)";
    static final int MAX_DETAIL = 200;
    static final int MAX_ADDRESS = 64;

    /**
     * What is counted together.
     *
     * @param agent the agent, when its credential held (or the admin refused a role); else null
     * @param environment the environment of the agent's credential, when one held; else null
     */
    public record Key(String endpoint, String reason, String client, String agent,
            String environment) {
    }

    /**
     * The refusals of one key in one interval.
     *
     * @param detail what the first of them was told
     */
    public record Tally(Key key, long count, Instant first, Instant last, String detail) {
    }

    private static final class Running {
        long count;
        final Instant first;
        Instant last;
        final String detail;

        Running(Instant at, String detail) {
            this.first = at;
            this.last = at;
            this.detail = detail;
        }
    }

    private final Clock clock;
    private final int maxKeys;
    private Map<Key, Running> tallies = new LinkedHashMap<>();

    public RefusalCounter(Clock clock, int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive");
        }
        this.clock = clock;
        this.maxKeys = maxKeys;
    }

    /**
     * Counts one refusal.
     *
     * @param agent the agent, when its credential held; else null
     * @param environment the environment its credential names, when one held; else null (the same
     *        agent ID in two environments is two agents, counted apart)
     * @param detail what the client was told
     */
    public void refused(String endpoint, String reason, String client, String agent,
            String environment, String detail) {
        Instant now = clock.instant();
        Key key = new Key(endpoint, reason, printable(client, MAX_ADDRESS), agent, environment);
        synchronized (this) {
            Running running = tallies.get(key);
            if (running == null) {
                if (tallies.size() >= maxKeys) {
                    key = new Key(endpoint, reason, OTHER_CLIENTS, null, null);
                    running = tallies.get(key);
                }
                if (running == null) {
                    running = new Running(now, detail == null
                            ? null
                            : printable(detail, MAX_DETAIL));
                    tallies.put(key, running);
                }
            }
            running.count++;
            running.last = now;
        }
    }

    /** The tallies since the last drain, in the order they were first counted; then none. */
    public List<Tally> drain() {
        Map<Key, Running> drained;
        synchronized (this) {
            drained = tallies;
            tallies = new LinkedHashMap<>();
        }
        List<Tally> out = new ArrayList<>(drained.size());
        drained.forEach((key, running) -> out.add(new Tally(key, running.count, running.first,
                running.last, running.detail)));
        return out;
    }

    /** Printable ASCII, cut at {@code max} characters: nothing that forges a log line. */
    static String printable(String value, int max) {
        if (value == null) {
            return "(unknown)";
        }
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > max ? clean.substring(0, max) + "..." : clean;
    }
}
