package dev.tollgate.runtime;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a task every interval, on a daemon thread of its own, while the application runs, and
 * once more as it stops (before the beans it uses are destroyed), so that nothing gathered since
 * the last run is left behind. A failed run is logged and the task runs again at the next
 * interval; it never stops the application.
 */
public final class PeriodicTask implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicTask.class);

    private final String name;
    private final Duration interval;
    private final Runnable task;
    private ScheduledExecutorService executor;

    /**
     * @param name the thread's name, and the task's in the log
     * @param interval between the end of one run and the start of the next; positive
     * @param setting the setting of the interval, named when it is not positive
     */
    public PeriodicTask(String name, Duration interval, String setting, Runnable task) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive");
        }
        this.name = name;
        this.interval = interval;
        this.task = task;
    }

    /** Runs the task now, on the caller's thread; a failure is logged. */
    public void runOnce() {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{} failed, tried again in {}: {}", name, interval, e.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(
                name).factory());
        executor.scheduleWithFixedDelay(this::runOnce, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
        runOnce();
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
