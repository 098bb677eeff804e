package dev.tollgate.ingress.web;

import dev.tollgate.runtime.security.AdminGate;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Optional;

/**
 * Resilience4j rate limiters, applied once the agent's token is verified: one per agent for what
 * costs (tool calls on /mcp, and /token/rotate), one per agent for every MCP message before its
 * body is read (initialize, ping, tools/list and notifications are answered here, so this one is
 * generous and only a flood reaches it), and one per agent for rotations alone. A refused call learns how long to wait (for
 * {@code Retry-After}). The admin
 * endpoints are not limited as a whole (anyone could then lock the admin out): wrong admin keys
 * are throttled per client address by the runtime's {@code AdminGate}.
 */
public final class RateLimits {

    private final RateLimiterRegistry registry;
    private final RateLimiterConfig agentConfig;
    private final RateLimiterConfig rotationConfig;
    private final RateLimiterConfig protocolConfig;
    private final RateLimiterConfig writeKibConfig;

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
        this.writeKibConfig = config(writeKibLimit, agentPeriod);
        this.agentConfig = config(agentLimit, agentPeriod);
        this.rotationConfig = config(rotationLimit, rotationPeriod);
        this.protocolConfig = config(protocolLimit, agentPeriod);
        this.registry = RateLimiterRegistry.of(agentConfig);
    }

    private static RateLimiterConfig config(int limit, Duration period) {
        return RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO).build();
    }

    /** Empty if the agent may start a tool call (or a rotation), else how long to wait. */
    public Optional<Duration> agent(String agentId) {
        return acquire(registry.rateLimiter("agent:" + agentId, agentConfig));
    }

    /**
     * Empty if the agent may send a write of {@code bytes} (its request body) now, else how long
     * to wait. A body larger than the whole limit is let through once the limit is untouched in
     * the period, never refused forever.
     */
    public Optional<Duration> writeBytes(String agentId, int bytes) {
        int kib = Math.min(Math.max(1, (bytes + 1023) / 1024), writeKibConfig.getLimitForPeriod());
        return acquire(registry.rateLimiter("write-kib:" + agentId, writeKibConfig), kib);
    }

    /** Empty if the agent may send another MCP message (of any kind), else how long to wait. */
    public Optional<Duration> protocol(String agentId) {
        return acquire(registry.rateLimiter("protocol:" + agentId, protocolConfig));
    }

    /**
     * Empty if the agent may rotate a token now, else how long it should wait: rotations are few
     * by nature, and each one is a record every replica replays until compaction folds it.
     */
    public Optional<Duration> rotation(String agentId) {
        return acquire(registry.rateLimiter("rotation:" + agentId, rotationConfig));
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
