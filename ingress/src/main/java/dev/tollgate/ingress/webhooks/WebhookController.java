package dev.tollgate.ingress.webhooks;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.ingress.core.http.OriginPolicy;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.kafka.EventPublisher.PublishFailedException;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.web.ApiError;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.installations.InstallationWebhooks;
import dev.tollgate.installations.MalformedWebhookException;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.runtime.web.ErrorResponses;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /webhooks/github}: a thin adapter. GitHub's signature is the only authentication
 * (no gateway token); the Host check still applies. In order: Host (403), a secret configured at
 * all (503, fail closed), the signature header present (401), the declared body size (413), a
 * free slot among {@code webhook-max-concurrent} bodies in progress (503 with Retry-After), the
 * whole body within {@code webhook-body-timeout} (408, logged once a minute with a count), the
 * body size as read (413), the signature (401, logged once a minute with a count), GitHub's headers (400), the registry loaded (503), a delivery ID seen
 * before (200, ignored), the payload (400 when malformed), its order (200 {@code duplicate} for a
 * body applied before, 200 {@code stale} for one older than the state held, even across restarts:
 * the state on the compacted topic keeps GitHub's {@code updated_at} and the applied bodies'
 * digests), then the installation's new state is
 * published on {@code gateway.installations} keyed by installation ID and acknowledged (503 when
 * Kafka does not acknowledge). Nothing is published for a refused delivery. GitHub does not
 * redeliver a failed delivery by itself: it shows as failed in the App's advanced settings, where
 * it can be redelivered, and the executor's installation sync corrects any drift.
 */
@RestController
public class WebhookController {

    public static final String PATH = "/webhooks/github";
    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    private static final int REMEMBERED_DELIVERIES = 10_000;
    private static final String BUSY_RETRY_AFTER_SECONDS = "10";
    private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Bytes read at a time, and the first buffer of a body of undeclared length. */
    private static final int CHUNK = 8192;

    private final WebhookSecrets secrets;
    private final OriginPolicy origins;
    private final InstallationWebhooks webhooks;
    private final InstallationRegistry registry;
    private final InstallationRegistryFeed feed;
    private final EventPublisher publisher;
    private final int maxBytes;
    private final ReentrantLock handling = new ReentrantLock();
    /** Webhook bodies being received or handled on this replica: a slot each. */
    private final Semaphore bodies;
    private final int maxConcurrent;
    private final Duration bodyTimeout;
    private final RefusedDeliveryLog badSignatures;
    private final RefusedDeliveryLog slowBodies;
    /** Delivery IDs and body digests this replica published (replays are ignored). */
    private final Map<String, Boolean> published = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_DELIVERIES;
                }
            });

    private final RefusalCounter refusals;

    /**
     * The refusal reason of a delivery, verified with one environment's webhook secret, for an
     * installation registered under another environment or App.
     */
    static final String FOREIGN_INSTALLATION = "foreign_installation";
    /** Environments a delivery signed with the previous secret was seen for (said once). */
    private final java.util.Set<String> previousSecretSeen = java.util.concurrent.ConcurrentHashMap
            .newKeySet();

    public WebhookController(WebhookSecrets secrets, OriginPolicy origins, Clock clock,
            InstallationRegistry registry, InstallationRegistryFeed feed,
            EventPublisher publisher, WebhookProperties properties, RefusalCounter refusals) {
        this.refusals = refusals;
        this.secrets = secrets;
        this.origins = origins;
        this.webhooks = new InstallationWebhooks(Roles.INGRESS, clock);
        this.registry = registry;
        this.feed = feed;
        this.publisher = publisher;
        this.maxBytes = properties.getWebhookMaxBytes();
        this.maxConcurrent = properties.getWebhookMaxConcurrent();
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("tollgate.github.webhook-max-concurrent must be at"
                    + " least 1 (it is " + maxConcurrent + ")");
        }
        this.bodies = new Semaphore(maxConcurrent);
        this.bodyTimeout = properties.getWebhookBodyTimeout();
        if (bodyTimeout == null || bodyTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("tollgate.github.webhook-body-timeout must be "
                    + "positive (it is " + bodyTimeout + "); the default is 10s");
        }
        this.badSignatures = new RefusedDeliveryLog(clock, REFUSAL_LOG_INTERVAL,
                "for their signature");
        this.slowBodies = new RefusedDeliveryLog(clock, REFUSAL_LOG_INTERVAL, "for a body slower "
                + "than tollgate.github.webhook-body-timeout (" + bodyTimeout + ")");
    }

    /** How many deliveries hold a slot now (their bodies being received or handled). */
    public int deliveriesInProgress() {
        return maxConcurrent - bodies.availablePermits();
    }

    /**
     * Answers at once when the delivery is refused before its body; else reads the body without
     * holding a thread and answers when it is in (or at its deadline): then null, the answer
     * being written by the {@link Delivery}.
     */
    @PostMapping(path = PATH, produces = "application/json")
    public ResponseEntity<Map<String, Object>> deliver(HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        Optional<String> hostRefusal = origins.refusal(request.getHeader("Host"), request
                .getHeader("Origin"));
        if (hostRefusal.isPresent()) {
            return door(request, HttpStatus.FORBIDDEN, "host_not_allowed", hostRefusal.get());
        }
        if (secrets.isEmpty()) {
            return refuse(HttpStatus.SERVICE_UNAVAILABLE, "webhook_secret_missing",
                    "no GitHub webhook secret is configured, so no delivery can be verified:"
                            + " set TOLLGATE_GITHUB_WEBHOOK_SECRET or"
                            + " TOLLGATE_GITHUB_WEBHOOK_SECRET_FILE (or"
                            + " tollgate.github.environments.<env>.webhook-secret)");
        }
        String signature = request.getHeader("X-Hub-Signature-256");
        if (signature == null || signature.isBlank()) {
            return door(request, HttpStatus.UNAUTHORIZED, "invalid_signature",
                    "missing X-Hub-Signature-256 header: set a secret on the GitHub App's webhook");
        }
        String contentType = request.getContentType();
        if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(
                "application/json")) {
            return door(request, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "set the GitHub App's webhook content type to application/json");
        }
        if (request.getContentLengthLong() > maxBytes) {
            return tooLarge(request);
        }
        // Anyone on the Internet may send a body here before it is verified: only so many are
        // held at once, whatever their pace. GitHub does not redeliver a refused delivery by
        // itself: it shows as failed in the App's settings, and the executor's sync corrects
        // the drift.
        if (!bodies.tryAcquire()) {
            return busy(request);
        }
        Delivery delivery = new Delivery(request, response, signature);
        try {
            delivery.start();
        } catch (IOException | RuntimeException e) {
            delivery.release();
            throw e;
        }
        return null; // handled: the delivery answers once its body is in, or at its deadline
    }

    /**
     * One delivery's body, read with the servlet's non-blocking reads (no thread waits on a slow
     * sender) against a deadline for the whole body, {@code webhook-body-timeout}: Tomcat's own
     * timeout is per read, so a sender of a byte now and then held a slot for as long as it
     * liked, and four of them kept every delivery out (503). At the deadline the delivery is
     * answered 408 and its connection closed (Tomcat drops the connection of a 408; with
     * non-blocking reads it does not wait for the rest of the body). The slot is given back
     * exactly once: when the delivery has been handled, cut, or has failed.
     */
    private final class Delivery implements ReadListener, AsyncListener {

        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final String signature;
        private final AtomicBoolean answered = new AtomicBoolean();
        private final AtomicBoolean released = new AtomicBoolean();
        private final byte[] chunk = new byte[CHUNK];
        private AsyncContext async;
        private ServletInputStream in;
        private byte[] body;
        private int length;

        Delivery(HttpServletRequest request, HttpServletResponse response, String signature) {
            this.request = request;
            this.response = response;
            this.signature = signature;
            long declared = request.getContentLengthLong();
            this.body = new byte[declared >= 0
                    ? (int) declared
                    : Math.min(maxBytes,
                            CHUNK)];
        }

        void start() throws IOException {
            async = request.startAsync(request, response);
            async.setTimeout(bodyTimeout.toMillis());
            async.addListener(this);
            in = request.getInputStream();
            in.setReadListener(this);
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (in.isReady() && !in.isFinished()) {
                int read = in.read(chunk);
                if (read < 0) {
                    return;
                }
                if ((long) length + read > maxBytes) {
                    answer(() -> tooLarge(request));
                    return;
                }
                if (length + read > body.length) {
                    body = Arrays.copyOf(body, Math.min(maxBytes, Math.max(length + read, 2
                            * body.length)));
                }
                System.arraycopy(chunk, 0, body, length, read);
                length += read;
            }
        }

        @Override
        public void onAllDataRead() {
            byte[] whole = length == body.length ? body : Arrays.copyOf(body, length);
            answer(() -> verifiedDelivery(request, signature, whole));
        }

        /** The read failed (the client went away, say): nothing to answer. */
        @Override
        public void onError(Throwable failure) {
            log.debug("webhook delivery {}: reading its body failed: {}", printable(request
                    .getHeader("X-GitHub-Delivery")), failure.toString());
            answer(() -> null);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            String message = "the delivery's body did not arrive within " + bodyTimeout
                    .toMillis() + " ms (tollgate.github.webhook-body-timeout); " + length + " of "
                    + (request.getContentLengthLong() < 0
                            ? "an undeclared number of"
                            : request.getContentLengthLong())
                    + " bytes were received";
            slowBodies.refused(printable(request.getHeader("X-GitHub-Delivery")), message);
            answer(() -> door(request, HttpStatus.REQUEST_TIMEOUT, "body_timeout", message));
        }

        @Override
        public void onError(AsyncEvent event) {
            answer(() -> null);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            release(); // in case no answer was written (the container ended it first)
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // not restarted
        }

        /** Once: computes the answer (holding the slot), gives the slot back, writes it. */
        private void answer(java.util.function.Supplier<ResponseEntity<Map<String, Object>>> of) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            ResponseEntity<Map<String, Object>> answer;
            try {
                answer = of.get();
            } catch (RuntimeException e) {
                log.warn("webhook delivery {} failed: {}", printable(request.getHeader(
                        "X-GitHub-Delivery")), e.toString());
                answer = refuse(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                        "the delivery could not be handled; redeliver it from the GitHub App's "
                                + "advanced settings");
            } finally {
                release();
            }
            try {
                if (answer != null) {
                    write(answer, (HttpServletResponse) async.getResponse());
                }
            } catch (IOException | RuntimeException e) {
                log.debug("webhook delivery {}: the answer could not be written: {}", printable(
                        request.getHeader("X-GitHub-Delivery")), e.toString());
            } finally {
                try {
                    async.complete();
                } catch (IllegalStateException e) {
                    // already ended by the container
                }
            }
        }

        private void release() {
            if (released.compareAndSet(false, true)) {
                bodies.release();
            }
        }
    }

    private static void write(ResponseEntity<Map<String, Object>> answer,
            HttpServletResponse response) throws IOException {
        byte[] json = JSON.writeValueAsBytes(answer.getBody());
        response.setStatus(answer.getStatusCode().value());
        answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(
                name, value)));
        response.setContentType("application/json");
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
        response.flushBuffer();
    }

    private ResponseEntity<Map<String, Object>> verifiedDelivery(HttpServletRequest request,
            String signature, byte[] body) {
        WebhookSecrets.Verified verified = secrets.verify(body, signature);
        if (verified.environment().isEmpty()) {
            badSignatures.refused(printable(request.getHeader("X-GitHub-Delivery")), verified
                    .reason());
            return door(request, HttpStatus.UNAUTHORIZED, "invalid_signature", verified
                    .reason());
        }
        if (verified.previous() && previousSecretSeen.add(verified.environment().get())) {
            log.info("a delivery for environment {} was signed with its previous webhook secret:"
                    + " the App in GitHub still has the old one (said once per environment)",
                    verified.environment().get());
        }
        String event = request.getHeader("X-GitHub-Event");
        String deliveryId = request.getHeader("X-GitHub-Delivery");
        if (event == null || event.isBlank() || deliveryId == null || deliveryId.isBlank()) {
            return refuse(HttpStatus.BAD_REQUEST, "malformed_delivery",
                    "X-GitHub-Event and X-GitHub-Delivery headers are required");
        }
        if (!feed.isCaughtUp()) {
            return refuse(HttpStatus.SERVICE_UNAVAILABLE, "registry_loading",
                    "the installation registry is still loading; redeliver this delivery from the GitHub"
                            + " App's advanced settings (the executor's installation sync also"
                            + " corrects it)");
        }
        handling.lock();
        try {
            return handle(request, event, deliveryId, verified.environment().get(), body);
        } finally {
            handling.unlock();
        }
    }

    private ResponseEntity<Map<String, Object>> handle(HttpServletRequest request, String event,
            String deliveryId, String environment, byte[] body) {
        // X-GitHub-Delivery is not covered by the signature: a captured body replayed under a
        // new delivery ID is caught by the body's digest (GitHub's bodies carry timestamps, so
        // two genuine deliveries never share one).
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(sha256(body));
        if (published.containsKey(deliveryId) || published.containsKey(digest) || registry
                .seenDelivery(deliveryId)) {
            log.info("webhook delivery {} was handled before: acknowledged and ignored",
                    deliveryId);
            return ok("duplicate", "delivery " + deliveryId + " was handled before; ignored");
        }
        InstallationWebhooks.Outcome outcome;
        try {
            outcome = webhooks.interpret(event, deliveryId, environment, body,
                    registry::current);
        } catch (MalformedWebhookException e) {
            return refuse(HttpStatus.BAD_REQUEST, "malformed_delivery", e.getMessage());
        }
        return switch (outcome) {
            case InstallationWebhooks.Ignored ignored -> ok("ignored", ignored.reason());
            case InstallationWebhooks.Duplicate duplicate -> {
                log.info("webhook delivery {}: {}; acknowledged and ignored", deliveryId,
                        duplicate.reason());
                yield ok("duplicate", duplicate.reason());
            }
            case InstallationWebhooks.Stale stale -> {
                log.warn("webhook delivery {} not applied: {}", deliveryId, stale.reason());
                if (stale.foreign()) {
                    // GitHub never signs a delivery for another environment's installation with
                    // this one's secret: whoever holds it aimed it elsewhere. Audited, answered
                    // like any stale delivery (the signer learns nothing more).
                    refusals.refused(RefusalCounter.WEBHOOK, FOREIGN_INSTALLATION, request
                            .getRemoteAddr(), null, environment, stale.reason());
                }
                yield ok("stale", stale.reason());
            }
            case InstallationWebhooks.Changed changed -> {
                ResponseEntity<Map<String, Object>> answer = publish(changed.change());
                if (answer.getStatusCode().is2xxSuccessful()) {
                    published.put(digest, Boolean.TRUE);
                }
                yield answer;
            }
        };
    }

    private ResponseEntity<Map<String, Object>> publish(InstallationChanged change) {
        try {
            publisher.publish(Topics.INSTALLATIONS, Long.toString(change.getInstallationId()),
                    change, headers -> {
                    }, PUBLISH_TIMEOUT);
        } catch (PublishFailedException e) {
            log.warn("webhook delivery {} not recorded: {}", change.getDeliveryId(), e
                    .getMessage());
            return refuse(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                    "the change could not be recorded; redeliver this delivery from the GitHub App's"
                            + " advanced settings (the executor's installation sync also corrects"
                            + " it)");
        }
        published.put(change.getDeliveryId(), Boolean.TRUE);
        registry.applyAhead(change); // the next delivery builds on it before the feed reads it
        log.info("installation {} of '{}' in environment '{}' is now {} ({}, delivery {})", change
                .getInstallationId(), change.getAccount(), change.getEnvironment(),
                change
                        .getStatus(),
                change.getTrigger(), change.getDeliveryId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "recorded");
        body.put("installation_id", change.getInstallationId());
        body.put("environment", change.getEnvironment());
        body.put("installation_status", change.getStatus().name().toLowerCase(
                java.util.Locale.ROOT));
        return ResponseEntity.ok(body);
    }

    private ResponseEntity<Map<String, Object>> busy(HttpServletRequest request) {
        String message = "this replica is already receiving " + maxConcurrent
                + " webhook deliveries (tollgate.github.webhook-max-concurrent); retry later";
        refusals.refused(RefusalCounter.WEBHOOK, "busy", request.getRemoteAddr(), null, null,
                message);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(
                HttpHeaders.RETRY_AFTER, BUSY_RETRY_AFTER_SECONDS).body(
                        ErrorResponses.body(
                                "busy", message));
    }

    private ResponseEntity<Map<String, Object>> tooLarge(HttpServletRequest request) {
        return door(request, HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
                "the delivery is larger than " + maxBytes
                        + " bytes (tollgate.github.webhook-max-bytes)");
    }

    private static ResponseEntity<Map<String, Object>> ok(String status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("message", message);
        return ResponseEntity.ok(body);
    }

    private static ResponseEntity<Map<String, Object>> refuse(HttpStatus status, String code,
            String message) {
        return ApiError.of(status, code, message);
    }

    /** A refusal at the door (not GitHub's, not ours): counted for the audit, then answered. */
    private ResponseEntity<Map<String, Object>> door(HttpServletRequest request,
            HttpStatus status, String code, String message) {
        refusals.refused(RefusalCounter.WEBHOOK, code, request.getRemoteAddr(), null, null,
                message);
        return refuse(status, code, message);
    }

    /** A header value fit for the log: printable ASCII, at most 100 characters. */
    static String printable(String value) {
        if (value == null) {
            return "(none)";
        }
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }

    private static byte[] sha256(byte[] body) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(body);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

}
