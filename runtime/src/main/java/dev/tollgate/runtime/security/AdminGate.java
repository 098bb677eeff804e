package dev.tollgate.runtime.security;

import dev.tollgate.runtime.web.ErrorResponses;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Every role's admin endpoints are guarded the same way: the presented key is compared first (its
 * SHA-256 against the configured key's, in constant time, as {@link Bearer} does), and the right
 * key is always accepted; only a wrong or missing key counts against the caller's address in a
 * {@link FailureThrottle}, and an address over its limit gets 429 instead of 401. So a flood of bad
 * keys from anywhere, even from the admin's own address or proxy, never turns a real admin call
 * into a refusal, while the key itself (at least {@value #MIN_KEY_LENGTH} characters) cannot be
 * guessed at any rate.
 */
public final class AdminGate {

    /** Characters an admin key needs: 32 hex digits are 128 bits. */
    public static final int MIN_KEY_LENGTH = 32;
    /** How to make one; named by every refusal of a short key. */
    public static final String HOW_TO_GENERATE = "generate one with `openssl rand -hex 32`";

    private static final Logger log = LoggerFactory.getLogger(AdminGate.class);

    /** How a request fared. */
    public enum Outcome {
        /** The right key. */
        ACCEPTED,
        /** No {@code Authorization: Bearer} header. */
        MISSING,
        /** A key, but not the admin key. */
        INVALID,
        /** A wrong or missing key from an address that sent too many of them. */
        THROTTLED,
        /** This process has no admin key: nothing is accepted. */
        NOT_CONFIGURED
    }

    /** The outcome, and for {@link Outcome#THROTTLED} how long to wait. */
    public record Verdict(Outcome outcome, Optional<Duration> retryAfter) {

        public boolean accepted() {
            return outcome == Outcome.ACCEPTED;
        }
    }

    private final Optional<byte[]> digest;
    private final FailureThrottle throttle;
    private final String realm;
    private final String keySettings;

    /**
     * @param key the admin key; null or blank for none (every request refused)
     * @param source the setting it came from, named when it is too short
     * @param realm the RFC 6750 realm of the 401 challenge
     * @param keySettings where an operator sets the key, named in refusals
     * @throws IllegalStateException when the key is shorter than {@value #MIN_KEY_LENGTH}
     */
    public AdminGate(String key, String source, FailureThrottle throttle, String realm,
            String keySettings) {
        this.digest = key == null || key.isBlank()
                ? Optional.empty()
                : Optional.of(Bearer.digest(requireStrong(key.trim(), source)));
        this.throttle = throttle;
        this.realm = realm;
        this.keySettings = keySettings;
    }

    /**
     * The key if it is long enough.
     *
     * @throws IllegalStateException naming the setting and how to make a good key
     */
    public static String requireStrong(String key, String source) {
        if (key.length() < MIN_KEY_LENGTH) {
            throw new IllegalStateException("the admin key from " + source + " has "
                    + key.length() + " characters; it needs at least " + MIN_KEY_LENGTH
                    + " (128 bits of randomness): " + HOW_TO_GENERATE);
        }
        return key;
    }

    public boolean configured() {
        return digest.isPresent();
    }

    /**
     * Whether an {@code Authorization} header carries the admin key (compared in constant time);
     * nothing is counted either way. For a role that accepts other admin credentials too: it asks
     * this first, then checks the others, and counts a refusal with {@link #failure}.
     */
    public boolean accepts(String authorization) {
        String presented = Bearer.token(authorization);
        return digest.isPresent() && presented != null && Bearer.matches(digest.get(), presented);
    }

    /**
     * Checks an {@code Authorization} header from {@code clientAddress} (the request's remote
     * address, after any trusted proxy's forwarding headers).
     */
    public Verdict check(String authorization, String clientAddress) {
        if (digest.isEmpty()) {
            return new Verdict(Outcome.NOT_CONFIGURED, Optional.empty());
        }
        String presented = Bearer.token(authorization);
        if (presented != null && Bearer.matches(digest.get(), presented)) { // constant time
            return new Verdict(Outcome.ACCEPTED, Optional.empty());
        }
        return failure(clientAddress, presented != null);
    }

    /**
     * Counts a refused admin credential from {@code clientAddress} (a wrong key, or an admin
     * token that did not verify): {@link Outcome#THROTTLED} once the address sent too many,
     * else {@link Outcome#INVALID} ({@link Outcome#MISSING} when nothing was presented).
     */
    public Verdict failure(String clientAddress, boolean presented) {
        Optional<FailureThrottle.Throttled> throttled = throttle.failure(clientAddress);
        if (throttled.isPresent()) {
            if (throttled.get().first()) {
                log.warn("too many requests with a wrong or missing admin key from {}: its next"
                        + " ones get 429 for {} s (the right key is still accepted)",
                        printable(
                                clientAddress),
                        throttled.get().retryAfter().toSeconds() + 1);
            }
            return new Verdict(Outcome.THROTTLED, Optional.of(throttled.get().retryAfter()));
        }
        return new Verdict(presented ? Outcome.INVALID : Outcome.MISSING, Optional.empty());
    }

    /** The answer to a refused request: 401 with a challenge, 429 with Retry-After, or 403. */
    public ResponseEntity<Map<String, Object>> refusal(Verdict verdict) {
        return switch (verdict.outcome()) {
            case ACCEPTED ->
                throw new IllegalArgumentException("an accepted request is no refusal");
            case MISSING -> ErrorResponses.unauthorized(realm, null, "unauthorized",
                    "send the admin key as Authorization: Bearer <key> (" + keySettings + ")");
            case INVALID -> ErrorResponses.unauthorized(realm, "invalid_token", "invalid_token",
                    "the admin key is not valid");
            case THROTTLED -> {
                long seconds = retryAfterSeconds(verdict.retryAfter().orElse(Duration.ofSeconds(
                        1)));
                yield ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(
                        HttpHeaders.RETRY_AFTER, Long.toString(seconds)).body(
                                ErrorResponses.body(
                                        "rate_limited",
                                        "too many requests with a wrong admin key from"
                                                + " this address; retry after " + seconds + " s"));
            }
            case NOT_CONFIGURED -> ErrorResponses.of(HttpStatus.FORBIDDEN, "admin_disabled",
                    "no admin key is configured here: set " + keySettings
                            + " to enable the admin endpoints");
        };
    }

    /** Whole seconds for Retry-After, at least 1. */
    public static long retryAfterSeconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    /** An address fit for the log: printable ASCII, at most 64 characters. */
    public static String printable(String value) {
        if (value == null) {
            return "(unknown)";
        }
        String clean = value.replaceAll("[^\\x21-\\x7e]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }

    @Override
    public String toString() {
        return "AdminGate[" + (configured() ? "<redacted>" : "none") + "]";
    }
}
