package dev.tollgate.executor.core;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls GitHub as the App (JWT): corrects clock skew from GitHub's {@code Date} header when GitHub
 * says the JWT is not yet valid or expired, and signs again once. The JWT is signed for each
 * attempt the transport makes, so a transport that retries (the executor's
 * {@code ResilientTransport}) never resends an old one.
 */
public final class AppAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(AppAuthenticator.class);
    /** GitHub's answers to a JWT outside its time window ("'Issued at' claim ('iat') must be..."). */
    private static final Pattern CLOCK_COMPLAINT = Pattern.compile(
            "\\('(iat|exp)'\\)|\\bexpired\\b|not yet valid|too far in the future",
            Pattern.CASE_INSENSITIVE);

    private final AppJwtSigner signer;
    private final GitHubTransport transport;
    private final Clock clock;
    private final AtomicReference<Duration> skew = new AtomicReference<>(Duration.ZERO);

    public AppAuthenticator(AppJwtSigner signer, GitHubTransport transport, Clock clock) {
        this.signer = signer;
        this.transport = transport;
        this.clock = clock;
    }

    /** Sends a request authenticated as the App; retries once with a skew-corrected JWT. */
    public GitHubResponse send(String method, String path, Optional<String> jsonBody)
            throws IOException {
        return send(method, path, jsonBody, GitHubRequest.Caller.APP);
    }

    /**
     * As {@link #send(String, String, Optional)}, for {@code caller} (a mint is made for an
     * installation and the agent whose request needs the token).
     */
    public GitHubResponse send(String method, String path, Optional<String> jsonBody,
            GitHubRequest.Caller caller) throws IOException {
        GitHubResponse response = transport.send(request(method, path, jsonBody, caller));
        if (response.status() == 401 && CLOCK_COMPLAINT.matcher(response.body()).find()) {
            Optional<Instant> githubNow = date(response.headers());
            if (githubNow.isPresent()) {
                Duration corrected = Duration.between(clock.instant(), githubNow.get());
                skew.set(corrected);
                log.warn("GitHub refused the App JWT's time window; our clock differs from"
                        + " GitHub's by {} s: signing again with the correction",
                        corrected.toSeconds());
                response = transport.send(request(method, path, jsonBody, caller));
            }
        }
        return response;
    }

    /** The clock correction in use (GitHub's time minus ours). */
    public Duration skew() {
        return skew.get();
    }

    private GitHubRequest request(String method, String path, Optional<String> jsonBody,
            GitHubRequest.Caller caller) {
        return new GitHubRequest(method, path, new GitHubRequest.Credential.AppJwt(() -> signer
                .sign(skew.get())), jsonBody, caller);
    }

    private static Optional<Instant> date(ResponseHeaders headers) {
        return headers.first("date").flatMap(value -> {
            try {
                return Optional.of(ZonedDateTime.parse(value.trim(),
                        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }
}
