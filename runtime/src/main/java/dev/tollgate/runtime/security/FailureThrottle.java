package dev.tollgate.runtime.security;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts failed attempts (a wrong admin key) per client address in bounded memory: at most
 * {@code capacity} addresses are tracked, each with a fixed window of {@code period}; beyond
 * that the address heard from least recently is forgotten. An attacker with a million addresses
 * so evicts only other counters (it could spread its guesses over its addresses anyway) and never
 * grows the table. What a throttled address loses is the verdict on a wrong key (429 instead of
 * 401): {@link AdminGate} accepts the right key before it counts anything, so no one's failures,
 * not even those of a shared address, can lock the admin out.
 *
 * <p>Thread-safe (one lock; each call does a map lookup under it).
 */
public final class FailureThrottle {

    /** The defaults every role uses unless configured: 20 failures a minute per address. */
    public static final int DEFAULT_LIMIT = 20;
    public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(1);
    /** Addresses tracked at most: a few hundred kilobytes whatever the traffic. */
    public static final int DEFAULT_CAPACITY = 4096;

    /** An address's current window. */
    private static final class Window {
        long start;
        int count;
    }

    private final int limit;
    private final long periodMillis;
    private final int capacity;
    private final Clock clock;
    private final LinkedHashMap<String, Window> windows;

    public FailureThrottle(int limit, Duration period, int capacity, Clock clock) {
        if (limit < 1 || period.isNegative() || period.isZero() || capacity < 1) {
            throw new IllegalArgumentException("a failure throttle needs limit >= 1, a positive "
                    + "period and capacity >= 1 (got " + limit + ", " + period + ", " + capacity
                    + ")");
        }
        this.limit = limit;
        this.periodMillis = period.toMillis();
        this.capacity = capacity;
        this.clock = clock;
        this.windows = new LinkedHashMap<>(Math.min(capacity, 1024) * 2, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
                return size() > FailureThrottle.this.capacity;
            }
        };
    }

    public static FailureThrottle defaults(Clock clock) {
        return new FailureThrottle(DEFAULT_LIMIT, DEFAULT_PERIOD, DEFAULT_CAPACITY, clock);
    }

    /**
     * An address over its limit: how long until its window ends, and whether this failure was the
     * first one over it (so that a caller logs a flood once, not once per request).
     */
    public record Throttled(Duration retryAfter, boolean first) {
    }

    /** Records one failure from {@code address}; empty while the address is within its limit. */
    public Optional<Throttled> failure(String address) {
        String key = address == null
                ? ""
                : address.length() > 64
                        ? address.substring(0, 64)
                        : address;
        long now = clock.millis();
        synchronized (windows) {
            Window window = windows.computeIfAbsent(key, k -> new Window());
            if (window.count == 0 || now - window.start >= periodMillis || now < window.start) {
                window.start = now;
                window.count = 0;
            }
            if (window.count < Integer.MAX_VALUE) {
                window.count++;
            }
            if (window.count <= limit) {
                return Optional.empty();
            }
            return Optional.of(new Throttled(Duration.ofMillis(Math.max(1, window.start
                    + periodMillis - now)), window.count == limit + 1));
        }
    }

    /** How many addresses are tracked now: never more than the capacity. */
    public int tracked() {
        synchronized (windows) {
            return windows.size();
        }
    }
}
