package dev.tollgate.executor;

import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that records every delay it is asked for and runs the task at once (advancing the
 * test clock by the delay first), so retry waits are asserted, never slept.
 */
public final class RecordingScheduler extends ScheduledThreadPoolExecutor {

    private final List<Duration> delays = new CopyOnWriteArrayList<>();
    private final MutableClock clock;

    public RecordingScheduler(MutableClock clock) {
        super(1);
        this.clock = clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Duration wait = Duration.ofNanos(unit.toNanos(delay));
        delays.add(wait);
        clock.advance(wait);
        return super.schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    public List<Duration> delays() {
        return List.copyOf(delays);
    }
}
