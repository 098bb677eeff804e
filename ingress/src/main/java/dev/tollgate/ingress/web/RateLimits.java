package dev.tollgate.ingress.web;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.runtime.security.AdminGate;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Resilience4j rate limiters, applied once the agent's token is verified: one per agent for what
 * costs (tool calls on /mcp, and /token/rotate), one per agent for every MCP message before its
 * body is read (initialize, ping, tools/list and notifications are answered here, so this one is
 * generous and only a flood reaches it), and one per agent for rotations alone. A refused call learns how long to wait (for
 * {@code Retry-After}). The admin
 * endpoints are not limited as a whole (anyone could then lock the admin out): wrong admin keys
 * are throttled per client address by the runtime's {@code AdminGate}.
 *
 * <p>Agent IDs can be chosen by whoever obtains workload tokens (a Kubernetes tenant's service
 * accounts, an owner's repositories), so limiters are not kept forever: one not used for longer
 * than its refresh period is dropped (it holds its whole allowance again by then, exactly like a
 * new one, so dropping it changes no answer). The map is swept at most once per
 * {@link #SWEEP_EVERY}, by the call that finds it due.
 *
 * <p>Limiters belong to a principal, an agent in an environment: an issuer whose agent claim does
 * not name the environment can give agent {@code deployer} of {@code scratch} and of {@code prod}
 * the same ID, and the one must not spend the other's allowance.
 */
public final class RateLimits {

    /** How often idle limiters are looked for, at most. */
    static final Duration SWEEP_EVERY = Duration.ofSeconds(1);

    /** A limiter and when it was last asked (the time source's nanoseconds). */
    private static final class Kept {
        final RateLimiter limiter;
        final long idleAfterNanos;
        volatile long lastUsed;

        Kept(RateLimiter limiter, long now) {
            this.limiter = limiter;
            this.idleAfterNanos = limiter.getRateLimiterConfig().getLimitRefreshPeriod()
                    .toNanos();
            this.lastUsed = now;
        }

        boolean idle(long now) {
            return now - lastUsed > idleAfterNanos;
        }
    }

    /** What a limiter limits. */
    enum Kind {
        AGENT, WRITE_KIB, PROTOCOL, ROTATION
    }

    /** A limiter's key: its kind and whose it is. */
    record Key(Kind kind, AgentPrincipal principal) {
    }

    private final ConcurrentHashMap<Key, Kept> limiters = new ConcurrentHashMap<>();
    private final RateLimiterConfig agentConfig;
    private final RateLimiterConfig rotationConfig;
    private final RateLimiterConfig protocolConfig;
    private final RateLimiterConfig writeKibConfig;
    private final LongSupplier nanoTime;
    private final AtomicLong nextSweep;
    /** Protocol messages limited at ten times the agent limit. */
    public RateLimits(int agentLimit, Duration agentPeriod, int rotationLimit,
            Duration rotationPeriod) {
        this(agentLimit, agentPeriod, rotationLimit, rotationPeriod, Math.multiplyExact(
                agentLimit, 10));
    }

    /** With {@code protocolLimit} MCP messages of any kind per agent period. */
    public RateLimits(int agentLimit, Duration agentPeriod, int rotationLimit,
            Duration rotationPeriod, int protocolLimit) {
        this(agentLimit, agentPeriod, rotationLimit, rotationPeriod, protocolLimit,
                DEFAULT_WRITE_KIB);
    }

    /** The write content an agent may send per period by default, in KiB. */
    public static final int DEFAULT_WRITE_KIB = 2048;

    /**
     * With {@code writeKibLimit} KiB of write tool calls' bodies per agent period: each is scanned
     * for credentials (up to ~0.4 ms per KiB on text made to be slow), so one agent's large writes
     * cannot take the ingress's CPU from the others.
     */
    public RateLimits(int agentLimit, Duration agentPeriod, int rotationLimit,
            Duration rotationPeriod, int protocolLimit, int writeKibLimit) {
        this(agentLimit, agentPeriod, rotationLimit, rotationPeriod, protocolLimit,
                writeKibLimit, System::nanoTime);
    }

    /** With {@code nanoTime} telling when a limiter was last used (a test's). */
    RateLimits(int agentLimit, Duration agentPeriod, int rotationLimit, Duration rotationPeriod,
            int protocolLimit, int writeKibLimit, LongSupplier nanoTime) {
        this.writeKibConfig = config(writeKibLimit, agentPeriod);
        this.agentConfig = config(agentLimit, agentPeriod);
        this.rotationConfig = config(rotationLimit, rotationPeriod);
        this.protocolConfig = config(protocolLimit, agentPeriod);
        this.nanoTime = nanoTime;
        this.nextSweep = new AtomicLong(nanoTime.getAsLong() + SWEEP_EVERY.toNanos());
    }

    /** The limiter of {@code key}, marked used now; a new one if there was none. */
    private RateLimiter limiter(Key key, RateLimiterConfig config) {
        long now = nanoTime.getAsLong();
        sweepIfDue(now);
        // marked inside compute: a sweep (computeIfPresent) never drops it in between
        return limiters.compute(key, (k, kept) -> {
            if (kept == null) {
                // the name only labels it (never looked up)
                return new Kept(RateLimiter.of(k.kind() + ":" + k.principal().environment()
                        + ":" + k.principal().agentId(), config), now);
            }
            kept.lastUsed = now;
            return kept;
        }).limiter;
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now - due < 0 || !nextSweep.compareAndSet(due, now + SWEEP_EVERY.toNanos())) {
            return;
        }
        for (Key key : limiters.keySet()) {
            limiters.computeIfPresent(key, (k, kept) -> kept.idle(now) ? null : kept);
        }
    }

    /** How many limiters are kept (of every agent and kind). */
    int size() {
        return limiters.size();
    }

    /** Whether the limiter of {@code kind} of {@code principal} is kept. */
    boolean keeps(Kind kind, AgentPrincipal principal) {
        return limiters.containsKey(new Key(kind, principal));
    }

    private static RateLimiterConfig config(int limit, Duration period) {
        return RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO).build();
    }

    /** Empty if the agent may start a tool call (or a rotation), else how long to wait. */
    public Optional<Duration> agent(AgentPrincipal principal) {
        return acquire(limiter(new Key(Kind.AGENT, principal), agentConfig));
    }

    /**
     * Empty if the agent may send a write of {@code bytes} (its request body) now, else how long
     * to wait. A body larger than the whole limit is let through once the limit is untouched in
     * the period, never refused forever.
     */
    public Optional<Duration> writeBytes(AgentPrincipal principal, int bytes) {
        int kib = Math.min(Math.max(1, (bytes + 1023) / 1024), writeKibConfig.getLimitForPeriod());
        return acquire(limiter(new Key(Kind.WRITE_KIB, principal), writeKibConfig), kib);
    }

    /** Empty if the agent may send another MCP message (of any kind), else how long to wait. */
    public Optional<Duration> protocol(AgentPrincipal principal) {
        return acquire(limiter(new Key(Kind.PROTOCOL, principal), protocolConfig));
    }

    /**
     * Empty if the agent may rotate a token now, else how long it should wait: rotations are few
     * by nature, and each one is a record every replica replays until compaction folds it.
     */
    public Optional<Duration> rotation(AgentPrincipal principal) {
        return acquire(limiter(new Key(Kind.ROTATION, principal), rotationConfig));
    }

    private static Optional<Duration> acquire(RateLimiter limiter) {
        return acquire(limiter, 1);
    }

    private static Optional<Duration> acquire(RateLimiter limiter, int permits) {
        if (limiter.acquirePermission(permits)) {
            return Optional.empty();
        }
        long nanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait()
                : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
        return Optional.of(Duration.ofNanos(Math.max(nanos, 1)));
    }

    /** Whole seconds for Retry-After, at least 1. */
    public static long retryAfterSeconds(Duration wait) {
        return AdminGate.retryAfterSeconds(wait);
    }
}
