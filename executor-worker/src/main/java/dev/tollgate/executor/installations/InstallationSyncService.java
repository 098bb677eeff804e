package dev.tollgate.executor.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.InstallationSync;
import dev.tollgate.executor.metrics.ExecutorMetrics;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
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
 *
 * <p>A sync never undoes a change recorded while it listed. GitHub's listing is taken before the
 * states are written, and an uninstall (or another webhook) can be recorded on the topic in
 * between: before writing, the sync waits until its registry has read everything on the topic at
 * that moment, and leaves out the state of an installation the registry now holds as uninstalled,
 * or as updated later than GitHub's listing said ({@code updatedAt}). What is recorded in the
 * moment between that check and the write still stands: no registry lets a state revive an
 * uninstalled installation ({@link InstallationRegistry}), and once the registry has read past
 * the sync's writes the sync writes such an uninstall again, so that it is the last record of the
 * installation, which is what compaction keeps.
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
    private final RegistryCurrent registryCurrent;
    private final ScheduledExecutorService scheduler;
    private final boolean onStart;
    private final Duration interval;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final ReentrantLock running = new ReentrantLock();
    private volatile Instant runningSince;
    private volatile ScheduledFuture<?> periodic;
    private volatile boolean started;

    /** How long a sync waits for its registry to read what is on the topic before writing. */
    static final Duration REGISTRY_CURRENT_TIMEOUT = Duration.ofSeconds(30);

    /** Waits until the registry holds everything on the topic when called (the feed's). */
    @FunctionalInterface
    public interface RegistryCurrent {
        boolean await(Duration timeout) throws InterruptedException;
    }

    /**
     * @param registryCurrent tells when {@code registry} holds everything on
     *        {@code gateway.installations} (the feed's {@code awaitCurrent})
     */
    public InstallationSyncService(List<InstallationSync> syncs, InstallationRegistry registry,
            RegistryCurrent registryCurrent, Producer<String, SpecificRecord> producer, Clock clock,
            boolean onStart, Duration interval) {
        this.registryCurrent = registryCurrent;
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
            if (!registryCurrent.await(REGISTRY_CURRENT_TIMEOUT)) {
                return new AppResult(sync.environment(), sync.appId(), seen, 0, 0, 0, 0, Optional
                        .of("registry_behind"),
                        Optional.of("the installation registry did not"
                                + " read " + Topics.INSTALLATIONS.name() + " to its end within "
                                + REGISTRY_CURRENT_TIMEOUT.toSeconds() + " s, so the sync"
                                + " could undo a change recorded while it listed; nothing was"
                                + " written (is Kafka reachable?)"));
            }
            List<Long> written = new ArrayList<>();
            for (InstallationChanged state : result.states()) {
                Optional<InstallationChanged> before = registry.current(state
                        .getInstallationId());
                boolean reclaimed = before.isPresent() && sync.reclaims(before.get());
                Optional<String> newer = reclaimed
                        ? Optional.empty()
                        : recordedSinceListing(before, state);
                if (newer.isPresent()) {
                    log.info("installation sync: installation {} left as recorded: {}", state
                            .getInstallationId(), newer.get());
                    continue;
                }
                producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(
                        state.getInstallationId()), state)).get(30, TimeUnit.SECONDS);
                registry.applyAhead(state);
                published++;
                if (reclaimed) {
                    ExecutorMetrics.reclaimed(sync.environment(), before.get().getEnvironment());
                }
                if (before.isEmpty()) {
                    added++;
                } else if (state.getStatus() == InstallationStatus.DELETED && before.get()
                        .getStatus() != InstallationStatus.DELETED) {
                    removed++;
                } else if (changed(before.get(), state)) {
                    updated++;
                }
                if (state.getStatus() != InstallationStatus.DELETED) {
                    written.add(state.getInstallationId());
                }
            }
            reassertUninstalls(written);
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

    /**
     * Writes again the uninstall of each of {@code written} (installations this sync wrote as not
     * deleted) whose last record on the topic, once the registry has read past the sync's writes,
     * is the sync's state after an uninstall: one recorded in the instant between the check
     * before writing and the write, which compaction (keeping only the last record of a key)
     * would otherwise drop. The registries themselves never revive an uninstalled installation;
     * this keeps a replica started after compaction from doing so. An uninstall recorded after
     * the sync's write is already the last record and is not written twice.
     */
    private void reassertUninstalls(List<Long> written) throws Exception {
        if (written.isEmpty()) {
            return;
        }
        if (!registryCurrent.await(REGISTRY_CURRENT_TIMEOUT)) {
            throw new IllegalStateException("the installation registry did not read the sync's"
                    + " own writes within " + REGISTRY_CURRENT_TIMEOUT.toSeconds() + " s");
        }
        for (long id : written) {
            Optional<InstallationChanged> held = registry.current(id);
            if (held.isPresent() && registry.lastRecordRevives(id)) {
                InstallationChanged again = InstallationChanged.newBuilder(held.get()).setMeta(
                        EventMetas.create(Roles.EXECUTOR_WORKER, null, clock)).build();
                producer.send(new ProducerRecord<>(Topics.INSTALLATIONS.name(), Long.toString(
                        id), again)).get(30, TimeUnit.SECONDS);
                log.info("installation sync: installation {} was uninstalled ({}) as the sync"
                        + " wrote it; the uninstall is written again after it", id,
                        held.get()
                                .getTrigger());
            }
        }
    }

    /**
     * Why {@code state}, built from GitHub's listing, must not be written over {@code before}
     * (what the registry holds now, having read the topic to its end): an uninstall, or a change
     * GitHub dated later than the listing, was recorded meanwhile. Deletions are always written.
     */
    static Optional<String> recordedSinceListing(Optional<InstallationChanged> before,
            InstallationChanged state) {
        if (before.isEmpty() || state.getStatus() == InstallationStatus.DELETED) {
            return Optional.empty();
        }
        InstallationChanged held = before.get();
        if (held.getStatus() == InstallationStatus.DELETED) {
            return Optional.of("it was uninstalled (" + held.getTrigger() + ") while the sync"
                    + " listed; nothing revives an uninstalled installation");
        }
        if (held.getUpdatedAt() != null && state.getUpdatedAt() != null && held.getUpdatedAt()
                .isAfter(state.getUpdatedAt())) {
            return Optional.of("a change dated " + held.getUpdatedAt() + " (" + held.getTrigger()
                    + ") was recorded after GitHub's listing, dated " + state.getUpdatedAt());
        }
        return Optional.empty();
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
