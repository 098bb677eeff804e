package dev.tollgate.ingress.web;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Duration;
import java.util.Optional;

/**
 * Resilience4j rate limiters: one per agent (on /mcp and /token/rotate) and one shared by the
 * admin endpoints. A refused call learns how long to wait (for {@code Retry-After}).
 */
public final class RateLimits {

    private final RateLimiterRegistry registry;
    private final RateLimiterConfig agentConfig;
    private final RateLimiterConfig adminConfig;

    public RateLimits(int agentLimit, Duration agentPeriod, int adminLimit, Duration adminPeriod) {
        this.agentConfig = config(agentLimit, agentPeriod);
        this.adminConfig = config(adminLimit, adminPeriod);
        this.registry = RateLimiterRegistry.of(agentConfig);
    }

    private static RateLimiterConfig config(int limit, Duration period) {
        return RateLimiterConfig.custom().limitForPeriod(limit).limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO).build();
    }

    /** Empty if the agent may go on, else how long it should wait. */
    public Optional<Duration> agent(String agentId) {
        return acquire(registry.rateLimiter("agent:" + agentId, agentConfig));
    }

    /** Empty if an admin request may go on, else how long to wait. */
    public Optional<Duration> admin() {
        return acquire(registry.rateLimiter("admin", adminConfig));
    }

    private static Optional<Duration> acquire(RateLimiter limiter) {
        if (limiter.acquirePermission()) {
            return Optional.empty();
        }
        long nanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait()
                : limiter.getRateLimiterConfig().getLimitRefreshPeriod().toNanos();
        return Optional.of(Duration.ofNanos(Math.max(nanos, 1)));
    }

    /** Whole seconds for Retry-After, at least 1. */
    public static long retryAfterSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
