package dev.tollgate.executor.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spaces writes per installation (GitHub asks integrators to serialize writes with about a second
 * between them; content creation is limited to 80 a minute). Each installation has its own next
 * free slot; a writer takes the slot and waits until it comes.
 */
public final class WritePacer {

    private final Duration interval;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<Long, Instant> nextSlot = new ConcurrentHashMap<>();

    public WritePacer(Duration interval, Clock clock, Sleeper sleeper) {
        this.interval = interval;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Waits for this installation's next write slot. */
    public void acquire(long installationId) throws InterruptedException {
        if (interval.isZero()) {
            return;
        }
        Instant now = clock.instant();
        Instant slot = nextSlot.compute(installationId, (id, next) -> next == null || next
                .isBefore(now) ? now.plus(interval) : next.plus(interval)).minus(interval);
        Duration wait = Duration.between(now, slot);
        if (!wait.isNegative() && !wait.isZero()) {
            sleeper.sleep(wait);
        }
    }
}
