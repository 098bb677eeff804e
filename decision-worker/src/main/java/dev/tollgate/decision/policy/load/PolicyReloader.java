package dev.tollgate.decision.policy.load;

import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.PolicyProblem;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the policy in force and replaces it when its file changes: the whole new file is parsed
 * and validated first, then swapped in atomically, so a request is decided by the old policy or
 * the new one, never a mix. A file that does not load leaves the old policy in force; the failure
 * is reported once per distinct bad content, not on every check.
 *
 * <p>{@link #checkNow()} is the trigger (tests call it directly); {@link #watch()} calls it on
 * every change the file system reports in the file's folder (which also catches Kubernetes
 * ConfigMap symlink swaps).
 */
public final class PolicyReloader implements Supplier<PolicyEngine>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PolicyReloader.class);

    private final Path file;
    private final PolicyListener listener;
    private final Clock clock;
    private final AtomicReference<InForce> inForce = new AtomicReference<>();
    private final Object checking = new Object();
    private volatile String lastSeenContent;
    private volatile WatchService watchService;
    private volatile Thread watcher;
    private volatile Duration settle = DEFAULT_SETTLE;

    /** How long the folder must be quiet after a change before the file is read. */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(300);

    private record InForce(LoadedPolicy loaded, PolicyEngine engine) {
    }

    public PolicyReloader(Path file, PolicyListener listener, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Loads the file for the first time. Throws (after telling the listener) if it does not load:
     * a worker must not start without a policy.
     */
    public LoadedPolicy start() {
        synchronized (checking) {
            String content = fingerprint();
            lastSeenContent = content;
            try {
                return swapIn(PolicyLoader.load(file));
            } catch (InvalidPolicyException e) {
                report(e);
                throw e;
            }
        }
    }

    /** The engine of the policy in force. */
    @Override
    public PolicyEngine get() {
        InForce current = inForce.get();
        if (current == null) {
            throw new IllegalStateException("no policy loaded yet: call start() first");
        }
        return current.engine();
    }

    public LoadedPolicy current() {
        InForce current = inForce.get();
        return current == null ? null : current.loaded();
    }

    /**
     * Re-reads the file if its content changed since the last check. Returns true if a new policy
     * was swapped in.
     */
    public boolean checkNow() {
        synchronized (checking) {
            String content = fingerprint();
            if (Objects.equals(content, lastSeenContent)) {
                return false;
            }
            lastSeenContent = content;
            try {
                swapIn(PolicyLoader.load(file));
                return true;
            } catch (InvalidPolicyException e) {
                report(e);
                return false;
            } catch (RuntimeException e) {
                report(new InvalidPolicyException(file.toString(), java.util.List.of(
                        new dev.tollgate.decision.policy.PolicyProblem(0, "",
                                "unexpected: " + e))));
                return false;
            }
        }
    }

    /**
     * Starts a daemon thread that calls {@link #checkNow()} whenever the file's folder changes,
     * once the folder has been quiet for {@code settle} (so a file written in several steps is
     * read whole; writing to a temporary file and renaming it is safer still).
     */
    public void watch(Duration settle) throws IOException {
        this.settle = settle;
        Path folder = file.toAbsolutePath().getParent();
        WatchService service = FileSystems.getDefault().newWatchService();
        folder.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        watchService = service;
        Thread thread = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    WatchKey key = service.take();
                    key.pollEvents();
                    boolean valid = key.reset();
                    WatchKey more;
                    while (valid && (more = service.poll(settle.toMillis(),
                            TimeUnit.MILLISECONDS)) != null) {
                        more.pollEvents(); // an editor still writing: wait until it is quiet
                        valid = more.reset();
                    }
                    checkNow();
                    if (!valid) {
                        log.warn("stopped watching {}: the folder is gone; the policy in force"
                                + " stays", folder);
                        return;
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                Thread.currentThread().interrupt();
            }
        }, "policy-watcher");
        thread.setDaemon(true);
        thread.start();
        watcher = thread;
    }

    /** {@link #watch(Duration)} with the default settle time. */
    public void watch() throws IOException {
        watch(DEFAULT_SETTLE);
    }

    @Override
    public void close() throws IOException {
        Thread thread = watcher;
        if (thread != null) {
            thread.interrupt();
        }
        WatchService service = watchService;
        if (service != null) {
            service.close();
        }
    }

    private LoadedPolicy swapIn(LoadedPolicy loaded) {
        InForce previous = inForce.getAndSet(new InForce(loaded, new PolicyEngine(loaded
                .policy())));
        String previousVersion = previous == null ? null : previous.loaded().policy().version();
        log.info("policy {} loaded from {}: {} rules (was {})", loaded.policy().version(), loaded
                .source(), loaded.policy().ruleCount(),
                previousVersion == null
                        ? "none"
                        : previousVersion);
        loaded.warnings().forEach(warning -> log.warn("policy {}: {}", loaded.source(),
                warning));
        listener.loaded(PolicyListener.Loaded.of(loaded.source(), loaded, previousVersion, clock
                .instant()));
        return loaded;
    }

    private void report(InvalidPolicyException e) {
        InForce current = inForce.get();
        String versionInForce = current == null ? null : current.loaded().policy().version();
        log.error("{}; {}", e.getMessage(), versionInForce == null
                ? "no policy is in force"
                : "policy " + versionInForce + " stays in force");
        listener.failed(new PolicyListener.Failed(file.toString(), e.getMessage(), e.problems(),
                versionInForce, clock.instant(), current == null
                        ? null
                        : current.loaded().policy().toolGrants()));
    }

    /** SHA-256 of the file's bytes, or a marker when it cannot be read. */
    private String fingerprint() {
        try {
            long size = Files.size(file);
            if (size > PolicyLoader.MAX_BYTES) {
                return "too-large:" + size + ":" + Files.getLastModifiedTime(file).toMillis();
            }
            byte[] bytes = Files.readAllBytes(file);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (IOException e) {
            return "unreadable:" + e.getClass().getSimpleName();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
