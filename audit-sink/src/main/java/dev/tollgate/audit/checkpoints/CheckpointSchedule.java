package dev.tollgate.audit.checkpoints;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link CheckpointWriter} every interval while the sink runs, and once more when it
 * stops (before the store closes), so the last heads it stored are signed. A failed checkpoint is
 * logged and tried again at the next interval; it never stops the sink.
 */
public final class CheckpointSchedule implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CheckpointSchedule.class);

    private final CheckpointWriter writer;
    private final Duration interval;
    private ScheduledExecutorService executor;

    public CheckpointSchedule(CheckpointWriter writer, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("tollgate.audit.checkpoints.interval must be"
                    + " positive");
        }
        this.writer = writer;
        this.interval = interval;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(
                "audit-checkpoints").factory());
        executor.scheduleWithFixedDelay(this::checkpoint, interval.toMillis(), interval
                .toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkpoint() {
        try {
            writer.checkpoint();
        } catch (RuntimeException e) {
            log.warn("audit checkpoint failed, tried again in {}: {}", interval, e.getMessage());
        }
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
        checkpoint();
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
