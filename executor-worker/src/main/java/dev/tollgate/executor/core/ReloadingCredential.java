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
 * A token read from its file, and read again when it may have changed: at most every
 * {@link #CHECK_EVERY}, and at once when the forge answers 401 to it. A token rotated in place
 * (a Kubernetes Secret updated, a Vault agent's template, a sidecar that keeps a GitLab OAuth
 * application's access token fresh) is then used without a restart, and a revoked one is
 * replaced as soon as its file is. A file that cannot be read again (missing for a moment while
 * a Secret is swapped, or no longer owner-only) leaves the token read before in use, with a
 * warning that names the file's purpose, never its content.
 */
public final class ReloadingCredential implements HostCredential {

    /** How often the file is read again at most, between 401s. */
    public static final Duration CHECK_EVERY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(ReloadingCredential.class);

    private record Held(String token, GitHubRequest.Credential credential, Instant checked) {
    }

    private final String what;
    private final Supplier<String> read;
    private final Function<String, GitHubRequest.Credential> asCredential;
    private final Clock clock;
    private final ReentrantLock reading = new ReentrantLock();
    private volatile Held held;

    /**
     * @param what the token's purpose, for logs ("GitLab token for gitlab.example.com")
     * @param read reads the file (trimmed, checked); throws when it cannot
     * @param first the token as read at start
     */
    public ReloadingCredential(String what, Supplier<String> read,
            Function<String, GitHubRequest.Credential> asCredential, String first, Clock clock) {
        this.what = Objects.requireNonNull(what, "what");
        this.read = Objects.requireNonNull(read, "read");
        this.asCredential = Objects.requireNonNull(asCredential, "asCredential");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.held = new Held(first, asCredential.apply(first), clock.instant());
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
            return readAgain().credential();
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
            Held now = readAgain();
            return now.credential() == refused
                    ? Optional.empty()
                    : Optional.of(now
                            .credential());
        } finally {
            reading.unlock();
        }
    }

    /** Reads the file; a new token replaces the held one. Called holding the lock. */
    private Held readAgain() {
        Held before = held;
        Instant now = clock.instant();
        try {
            String token = read.get();
            held = token.equals(before.token())
                    ? new Held(before.token(), before.credential(), now)
                    : new Held(token, asCredential.apply(token), now);
            if (held.credential() != before.credential()) {
                log.info("{}: its file holds a new token; calls carry it from now on", what);
            }
        } catch (RuntimeException e) {
            log.warn("{}: its file could not be read again ({}); the token read before is still"
                    + " used", what, e.getMessage());
            held = new Held(before.token(), before.credential(), now);
        }
        return held;
    }

    @Override
    public String toString() {
        return "ReloadingCredential[" + what + ", " + held.credential() + "]";
    }
}
