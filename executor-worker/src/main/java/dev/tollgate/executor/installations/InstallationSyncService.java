package dev.tollgate.executor.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.InstallationSync;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link InstallationSync} on start (off the start-up path), every {@code interval} if one
 * is set, and on demand ({@link #syncNow}); publishes each installation's state on
 * {@code gateway.installations} keyed by installation ID and waits for Kafka's acknowledgement.
 * A failed sync is logged once until one succeeds; it changes nothing.
 */
public final class InstallationSyncService implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InstallationSyncService.class);

    private final List<InstallationSync> syncs;
    private final InstallationRegistry registry;
    private final Producer<String, SpecificRecord> producer;
    private final ScheduledExecutorService scheduler;
    private final boolean onStart;
    private final Duration interval;
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile ScheduledFuture<?> periodic;
    private volatile boolean running;

    public InstallationSyncService(List<InstallationSync> syncs, InstallationRegistry registry,
            Producer<String, SpecificRecord> producer, boolean onStart, Duration interval) {
        this.syncs = List.copyOf(syncs);
        this.registry = registry;
        this.producer = producer;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(
                "installation-sync").daemon().factory());
        this.onStart = onStart;
        this.interval = interval;
    }

    /**
     * Synchronizes every App's installations now (on demand); returns how many states were
     * published.
     */
    public synchronized int syncNow() {
        int published = 0;
        for (InstallationSync sync : syncs) {
            List<InstallationChanged> known = new ArrayList<>(registry.all());
            try {
                for (InstallationChanged state : sync.sync(known)) {
                    producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long
                            .toString(state.getInstallationId()), state)).get(30,
                                    TimeUnit.SECONDS);
                    registry.apply(state);
                    published++;
                }
                if (failing.compareAndSet(true, false)) {
                    log.info("installation sync works again");
                }
            } catch (GitHubCallException e) {
                if (failing.compareAndSet(false, true)) {
                    log.warn("installation sync from GitHub failed: {} (logged once until it"
                            + " works)", e.error().describe());
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (failing.compareAndSet(false, true)) {
                    log.warn("installation sync could not publish: {} (logged once until it"
                            + " works)", e.toString());
                }
            }
        }
        log.info("installation sync published {} installation state(s)", published);
        return published;
    }

    @Override
    public void start() {
        running = true;
        if (onStart) {
            scheduler.execute(this::syncNow);
        }
        if (interval != null && !interval.isZero() && !interval.isNegative()) {
            periodic = scheduler.scheduleWithFixedDelay(this::syncNow, interval.toMillis(),
                    interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void stop() {
        ScheduledFuture<?> current = periodic;
        if (current != null) {
            current.cancel(false);
        }
        scheduler.shutdownNow();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
