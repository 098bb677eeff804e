package dev.tollgate.executor.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.InstallationSync;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.Topics;
import dev.tollgate.events.InstallationStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link InstallationSync} on start (off the start-up path), every {@code interval} if one
 * is set, and on demand ({@link #trySyncNow}, the admin endpoint); publishes each installation's
 * state on {@code gateway.installations} keyed by installation ID and waits for Kafka's
 * acknowledgement. Syncs never overlap: a scheduled one waits for a running one, an on-demand one
 * is refused while another runs. A failed sync is logged once until one succeeds; it changes
 * nothing for the App that failed.
 */
public final class InstallationSyncService implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(InstallationSyncService.class);

    /**
     * One App's part of a sync.
     *
     * @param environment the environment its installations are registered under
     * @param appId the App
     * @param installationsSeen installations GitHub listed (0 when the listing failed)
     * @param published installation states written to {@code gateway.installations}
     * @param added installations the registry did not hold before
     * @param updated installations whose account, status, selection, repositories or permissions
     *        changed
     * @param removed installations published as deleted (GitHub no longer lists them)
     * @param errorCode empty when it worked, else a stable code ({@code transient},
     *        {@code unauthorized}, ..., or {@code publish_failed} when Kafka refused)
     * @param errorMessage what went wrong, without any credential
     */
    public record AppResult(String environment, String appId, int installationsSeen,
            int published, int added, int updated, int removed, Optional<String> errorCode,
            Optional<String> errorMessage) {

        public boolean ok() {
            return errorCode.isEmpty();
        }
    }

    /**
     * What one sync did, per App.
     *
     * @param startedAt when it started
     * @param duration how long it took
     * @param apps each App's part, default App first
     */
    public record Report(Instant startedAt, Duration duration, List<AppResult> apps) {

        public Report {
            apps = List.copyOf(apps);
        }

        public boolean ok() {
            return apps.stream().allMatch(AppResult::ok);
        }

        public int installationsSeen() {
            return apps.stream().mapToInt(AppResult::installationsSeen).sum();
        }

        public int published() {
            return apps.stream().mapToInt(AppResult::published).sum();
        }
    }

    private final List<InstallationSync> syncs;
    private final InstallationRegistry registry;
    private final Producer<String, SpecificRecord> producer;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean onStart;
    private final Duration interval;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final ReentrantLock running = new ReentrantLock();
    private volatile Instant runningSince;
    private volatile ScheduledFuture<?> periodic;
    private volatile boolean started;

    public InstallationSyncService(List<InstallationSync> syncs, InstallationRegistry registry,
            Producer<String, SpecificRecord> producer, Clock clock, boolean onStart,
            Duration interval) {
        this.syncs = List.copyOf(syncs);
        this.registry = registry;
        this.producer = producer;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name(
                "installation-sync").daemon().factory());
        this.onStart = onStart;
        this.interval = interval;
    }

    /** Synchronizes every App's installations now, after a sync already running ends. */
    public Report syncNow() {
        running.lock();
        try {
            return syncLocked();
        } finally {
            running.unlock();
        }
    }

    /**
     * Synchronizes every App's installations now, unless a sync is already running (then empty:
     * {@link #runningSince} says since when).
     */
    public Optional<Report> trySyncNow() {
        if (!running.tryLock()) {
            return Optional.empty();
        }
        try {
            return Optional.of(syncLocked());
        } finally {
            running.unlock();
        }
    }

    /** When the sync running now started, if one is. */
    public Optional<Instant> runningSince() {
        return Optional.ofNullable(runningSince);
    }

    /** The environments whose Apps are synchronized, default first. */
    public List<String> environments() {
        return syncs.stream().map(InstallationSync::environment).toList();
    }

    private Report syncLocked() {
        Instant startedAt = clock.instant();
        runningSince = startedAt;
        long start = System.nanoTime();
        try {
            List<AppResult> results = new ArrayList<>();
            for (InstallationSync sync : syncs) {
                results.add(syncApp(sync));
            }
            Report report = new Report(startedAt, Duration.ofNanos(System.nanoTime() - start),
                    results);
            if (report.ok() && failing.compareAndSet(true, false)) {
                log.info("installation sync works again");
            }
            log.info("installation sync: {} installation(s) listed, {} state(s) published in {}"
                    + " ms{}", report.installationsSeen(), report.published(),
                    report.duration()
                            .toMillis(),
                    report.ok() ? "" : " (some Apps failed)");
            return report;
        } finally {
            runningSince = null;
        }
    }

    private AppResult syncApp(InstallationSync sync) {
        List<InstallationChanged> known = new ArrayList<>(registry.all());
        int seen = 0;
        int published = 0;
        int added = 0;
        int updated = 0;
        int removed = 0;
        try {
            InstallationSync.Result result = sync.run(known);
            seen = result.listed();
            for (InstallationChanged state : result.states()) {
                Optional<InstallationChanged> before = registry.current(state
                        .getInstallationId());
                producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(
                        state.getInstallationId()), state)).get(30, TimeUnit.SECONDS);
                registry.applyAhead(state);
                published++;
                if (before.isEmpty()) {
                    added++;
                } else if (state.getStatus() == InstallationStatus.DELETED && before.get()
                        .getStatus() != InstallationStatus.DELETED) {
                    removed++;
                } else if (changed(before.get(), state)) {
                    updated++;
                }
            }
            return new AppResult(sync.environment(), sync.appId(), seen, published, added,
                    updated, removed, Optional.empty(), Optional.empty());
        } catch (GitHubCallException e) {
            if (failing.compareAndSet(false, true)) {
                log.warn("installation sync of environment '{}' from GitHub failed: {} (logged"
                        + " once until it works)", sync.environment(), e.error().describe());
            }
            return new AppResult(sync.environment(), sync.appId(), seen, published, added,
                    updated, removed, Optional.of(e.error().code()), Optional.of(e.error()
                            .describe()));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (failing.compareAndSet(false, true)) {
                log.warn("installation sync could not publish: {} (logged once until it"
                        + " works)", e.toString());
            }
            return new AppResult(sync.environment(), sync.appId(), seen, published, added,
                    updated, removed, Optional.of("publish_failed"), Optional.of(
                            "the installation states could not be written to "
                                    + Topics.INSTALLATIONS.name() + ": " + e.getClass()
                                            .getSimpleName()));
        }
    }

    private static boolean changed(InstallationChanged before, InstallationChanged after) {
        return before.getStatus() != after.getStatus()
                || !Objects.equals(before.getAccount(), after.getAccount())
                || before.getRepositorySelection() != after.getRepositorySelection()
                || !new TreeSet<>(before.getRepositories()).equals(new TreeSet<>(after
                        .getRepositories()))
                || !new TreeMap<>(before.getPermissions()).equals(new TreeMap<>(after
                        .getPermissions()));
    }

    @Override
    public void start() {
        started = true;
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
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }
}
