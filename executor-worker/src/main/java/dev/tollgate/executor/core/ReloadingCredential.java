package dev.tollgate.executor.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A token read from its file, and read again when the file has changed: its version (modification
 * time, size, identity) is looked at most every {@link #CHECK_EVERY}, and at once when the forge
 * answers 401 to the token, and the file is read only when its version differs. A token rotated
 * in place (a Kubernetes Secret updated, a Vault agent's template, a sidecar that keeps a GitLab
 * OAuth application's access token fresh) is then used without a restart, and a revoked one is
 * replaced as soon as its file is. A file that cannot be read again (missing, or no longer
 * owner-only) leaves the token read before in use, with one warning that names the file's
 * purpose, never its content.
 */
public final class ReloadingCredential implements HostCredential {

    /** How often the file's version is looked at, at most, between 401s. */
    public static final Duration CHECK_EVERY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ReloadingCredential.class);

    /**
     * @param version the file's version when its token was read (null: it could not be told)
     */
    private record Held(String token, GitHubRequest.Credential credential, Object version,
            Instant checked) {
    }

    private final String what;
    private final Supplier<Object> version;
    private final Supplier<String> read;
    private final Function<String, GitHubRequest.Credential> asCredential;
    private final Clock clock;
    private final ReentrantLock reading = new ReentrantLock();
    private volatile Held held;
    /** The version whose reading failed and was warned about; null when the last one worked. */
    private Object failed;

    /**
     * @param what the token's purpose, for logs ("GitLab token for gitlab.example.com")
     * @param version the file's version (any value whose equality says "unchanged"); null when
     *        it cannot be told (the file is missing)
     * @param read reads the file (trimmed, checked); throws when it cannot
     * @param first the token as read at start
     */
    public ReloadingCredential(String what, Supplier<Object> version, Supplier<String> read,
            Function<String, GitHubRequest.Credential> asCredential, String first, Clock clock) {
        this.what = Objects.requireNonNull(what, "what");
        this.version = Objects.requireNonNull(version, "version");
        this.read = Objects.requireNonNull(read, "read");
        this.asCredential = Objects.requireNonNull(asCredential, "asCredential");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.held = new Held(first, asCredential.apply(first), version.get(), clock.instant());
    }

    @Override
    public GitHubRequest.Credential current() {
        Held now = held;
        if (clock.instant().isBefore(now.checked().plus(CHECK_EVERY))) {
            return now.credential();
        }
        reading.lock();
        try {
            if (clock.instant().isBefore(held.checked().plus(CHECK_EVERY))) {
                return held.credential();
            }
            return readIfChanged().credential();
        } finally {
            reading.unlock();
        }
    }

    @Override
    public Optional<GitHubRequest.Credential> refreshAfterUnauthorized(
            GitHubRequest.Credential refused) {
        reading.lock();
        try {
            if (held.credential() != refused) {
                return Optional.of(held.credential()); // read again meanwhile
            }
            Held now = readIfChanged();
            return now.credential() == refused
                    ? Optional.empty()
                    : Optional.of(now
                            .credential());
        } finally {
            reading.unlock();
        }
    }

    /** Reads the file if its version changed; a new token replaces the held one. Locked. */
    private Held readIfChanged() {
        Held before = held;
        Instant now = clock.instant();
        Object seen = version.get();
        if (seen != null && seen.equals(before.version())) {
            held = new Held(before.token(), before.credential(), before.version(), now);
            return held;
        }
        try {
            if (seen == null) {
                throw new IllegalStateException("the file is missing or cannot be looked at");
            }
            String token = read.get();
            held = token.equals(before.token())
                    ? new Held(before.token(), before.credential(), seen, now)
                    : new Held(token, asCredential.apply(token), seen, now);
            failed = null;
            if (held.credential() != before.credential()) {
                log.info("{}: its file holds a new token; calls carry it from now on", what);
            }
        } catch (RuntimeException e) {
            Object failure = seen == null ? "missing" : seen;
            if (!failure.equals(failed)) { // once per version of the file, not every check
                log.warn("{}: its file could not be read again ({}); the token read before is"
                        + " still used", what, e.getMessage());
            }
            failed = failure;
            held = new Held(before.token(), before.credential(), before.version(), now);
        }
        return held;
    }

    @Override
    public String toString() {
        return "ReloadingCredential[" + what + ", " + held.credential() + "]";
    }
}
