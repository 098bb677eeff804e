package dev.tollgate.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.schemas.EventMetas;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a verified GitHub webhook delivery into the new state of one installation. Handles
 * {@code installation} (created, deleted, suspend, unsuspend, new_permissions_accepted) and
 * {@code installation_repositories} (added, removed); everything else is acknowledged and ignored.
 *
 * <p>{@code installation_repositories} carries only what changed, so the new repository list is
 * the previous state (from the registry) plus and minus the change. Suspending takes away access
 * and nothing else; unsuspending gives it back, with the repositories the delivery lists when it
 * lists them (GitHub's payload may carry {@code repositories}), else the ones held before. Only
 * the installation ID, account, status, repository names and permissions are kept: no token, no
 * secret.
 *
 * <p><b>Order.</b> GitHub signs the body but not the delivery ID, and delivers out of order; a
 * captured body can be replayed at any time. The state keeps the installation's
 * {@code updated_at} as of the last applied delivery and the digests of the bodies applied at that
 * time, on the compacted topic, so across restarts: a delivery whose {@code updated_at} is older
 * is {@link Stale}, one whose body was applied already is a {@link Duplicate}, and nothing after
 * an uninstall revives the installation (GitHub gives a reinstall a new ID). A delivery dated
 * later than now (beyond {@link #MAX_CLOCK_SKEW}) is refused: it would make every later genuine
 * delivery and sync of the installation stale.
 */
public final class InstallationWebhooks {

    /** What a delivery leads to. */
    public sealed interface Outcome permits Changed, Ignored, Duplicate, Stale {
    }

    /** The same signed body was applied before: nothing to do. */
    public record Duplicate(String reason) implements Outcome {
    }

    /**
     * The delivery describes an older state than the one held, or a deleted installation; or
     * ({@code foreign}) an installation registered under another environment or App than the
     * delivery's, which GitHub never sends: its signer holds a webhook secret and aimed it at an
     * installation that is not its own.
     */
    public record Stale(String reason, boolean foreign) implements Outcome {

        public Stale(String reason) {
            this(reason, false);
        }
    }

    private static final java.util.Set<String> TRACKED = java.util.Set.of("installation.created",
            "installation.deleted", "installation.suspend", "installation.unsuspend",
            "installation.new_permissions_accepted", "installation_repositories.added",
            "installation_repositories.removed");

    /** How far GitHub's clock may run ahead of this one in a delivery's {@code updated_at}. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /** Digests kept per {@code updated_at}; the oldest are dropped beyond it. */
    static final int MAX_DIGESTS = 50;

    /** The installation's new state, to publish on the compacted installations topic. */
    public record Changed(InstallationChanged change) implements Outcome {
    }

    /** Acknowledged and not acted on (ping, an event or action Tollgate does not track). */
    public record Ignored(String reason) implements Outcome {
    }

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final String producer;
    private final Clock clock;

    public InstallationWebhooks(String producer, Clock clock) {
        this.producer = producer;
        this.clock = clock;
    }

    /**
     * @param event the {@code X-GitHub-Event} header
     * @param deliveryId the {@code X-GitHub-Delivery} header
     * @param environment the environment whose webhook secret verified the delivery
     * @param body the raw, verified body
     * @param previous the installation's current state, by installation ID
     */
    public Outcome interpret(String event, String deliveryId, String environment, byte[] body,
            LongFunction<Optional<InstallationChanged>> previous) {
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("missing X-GitHub-Event header");
        }
        if (!event.equals("installation") && !event.equals("installation_repositories")) {
            return new Ignored("event '" + event + "' is not tracked");
        }
        JsonNode payload = parse(body);
        String action = text(payload, "action");
        JsonNode installation = payload.path("installation");
        long id = installation.path("id").asLong(-1);
        String account = text(installation.path("account"), "login").toLowerCase(Locale.ROOT);
        if (id <= 0) {
            throw new MalformedWebhookException("installation.id is missing or not a number");
        }
        if (!TRACKED.contains(event + "." + action)) {
            return new Ignored("action '" + action + "' of '" + event + "' is not tracked");
        }
        Optional<InstallationChanged> before = previous.apply(id);
        Optional<Outcome> foreign = foreign(id, environment, installation.path("app_id").asString(
                ""), before);
        if (foreign.isPresent()) {
            return foreign.get();
        }
        Instant updatedAt = updatedAt(installation);
        if (updatedAt.isAfter(clock.instant().plus(MAX_CLOCK_SKEW))) {
            // GitHub dates a change when it makes it: a later date never comes from GitHub, and
            // would make every genuine delivery and sync of this installation stale
            throw new MalformedWebhookException("installation.updated_at (" + updatedAt
                    + ") is later than now; not applied");
        }
        String digest = digest(body);
        Optional<Outcome> outOfOrder = order(id, updatedAt, digest, before);
        if (outOfOrder.isPresent()) {
            return outOfOrder.get();
        }
        InstallationChanged.Builder next = InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(producer, null, clock))
                .setEnvironment(environment)
                .setAppId(installation.path("app_id").asString(before.map(
                        InstallationChanged::getAppId).orElse("")))
                .setInstallationId(id)
                .setAccount(account)
                .setAccountType(installation.path("account").path("type").asString(null))
                .setRepositorySelection(selection(installation, payload))
                .setPermissions(permissions(installation.path("permissions")))
                .setTrigger(event + "." + action)
                .setDeliveryId(deliveryId)
                .setUpdatedAt(updatedAt)
                .setDeliveryDigests(digests(updatedAt, digest, before));
        TreeSet<String> repositories = new TreeSet<>(before.map(
                InstallationChanged::getRepositories).orElse(java.util.List.of()));
        InstallationStatus status = before.map(InstallationChanged::getStatus).orElse(
                InstallationStatus.ACTIVE);
        boolean suspendedNow = !installation.path("suspended_at").isNull()
                && !installation.path("suspended_at").isMissingNode();
        boolean listsRepositories = payload.path("repositories").isArray();
        switch (event + "." + action) {
            case "installation.created" -> {
                repositories.clear();
                repositories.addAll(names(payload.path("repositories")));
                status = suspendedNow ? InstallationStatus.SUSPENDED : InstallationStatus.ACTIVE;
            }
            case "installation.deleted" -> status = InstallationStatus.DELETED;
            case "installation.suspend", "installation.unsuspend" -> {
                // suspending takes access away and nothing else; the repositories stay as they
                // were unless the delivery lists the installation's repositories now
                if (listsRepositories) {
                    repositories.clear();
                    repositories.addAll(names(payload.path("repositories")));
                }
                status = action.equals("suspend")
                        ? InstallationStatus.SUSPENDED
                        : InstallationStatus.ACTIVE;
            }
            case "installation.new_permissions_accepted" -> status = suspendedNow
                    ? InstallationStatus.SUSPENDED
                    : status;
            case "installation_repositories.added" -> {
                repositories.addAll(names(payload.path("repositories_added")));
                status = suspendedNow ? InstallationStatus.SUSPENDED : status;
            }
            case "installation_repositories.removed" -> {
                repositories.removeAll(names(payload.path("repositories_removed")));
                status = suspendedNow ? InstallationStatus.SUSPENDED : status;
            }
            default -> {
                return new Ignored("action '" + action + "' of '" + event + "' is not tracked");
            }
        }
        if (repositories.isEmpty() && !before.isPresent()) {
            repositories.addAll(names(payload.path("repositories")));
        }
        return new Changed(next.setStatus(status).setRepositories(
                java.util.List.copyOf(repositories)).build());
    }

    /**
     * Why a delivery verified with {@code environment}'s webhook secret must not change
     * {@code before}, if it must not: the installation is registered under another environment,
     * or under another App than the one the delivery names (when both App IDs are numeric). Installation IDs are global, but each
     * environment's App owns its own installations ("no other environment's App mints for them"):
     * without this, whoever holds a less protected environment's webhook secret could delete,
     * suspend or take over another environment's installation.
     */
    private static Optional<Outcome> foreign(long id, String environment, String appId,
            Optional<InstallationChanged> before) {
        if (before.isEmpty()) {
            return Optional.empty();
        }
        InstallationChanged held = before.get();
        if (held.getEnvironment() != null && !held.getEnvironment().equals(environment)) {
            return Optional.of(new Stale("installation " + id + " is registered under"
                    + " environment '" + held.getEnvironment() + "', but this delivery was"
                    + " verified with the webhook secret of environment '" + environment
                    + "'; not applied (only its own environment's App changes it)", true));
        }
        // Deliveries name the App by its numeric ID; a sync records the App as configured, which
        // may be its client ID (Iv23li...): only two numeric IDs can be compared.
        String heldApp = held.getAppId() == null ? "" : held.getAppId();
        if (numeric(appId) && numeric(heldApp) && !heldApp.equals(appId)) {
            return Optional.of(new Stale("installation " + id + " belongs to App " + heldApp
                    + ", but this delivery names App " + appId + "; not applied", true));
        }
        return Optional.empty();
    }

    private static boolean numeric(String id) {
        return !id.isEmpty() && id.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Why the delivery must not be applied on top of {@code before}, if it must not: the
     * installation was uninstalled, the delivery's {@code updated_at} is older than the state's,
     * or its body was applied at that same {@code updated_at} already.
     */
    private static Optional<Outcome> order(long id, Instant updatedAt, String digest,
            Optional<InstallationChanged> before) {
        if (before.isEmpty()) {
            return Optional.empty();
        }
        InstallationChanged held = before.get();
        if (held.getStatus() == InstallationStatus.DELETED) {
            return Optional.of(new Stale("installation " + id + " was uninstalled; no later"
                    + " delivery revives it (a reinstall has a new installation ID)"));
        }
        if (held.getDeliveryDigests().contains(digest)) {
            return Optional.of(new Duplicate("this body of installation " + id
                    + " was applied before"));
        }
        if (held.getUpdatedAt() != null && updatedAt.isBefore(held.getUpdatedAt())) {
            return Optional.of(new Stale("the delivery describes installation " + id + " as of "
                    + updatedAt + ", older than the state held (" + held.getUpdatedAt()
                    + "); not applied"));
        }
        return Optional.empty();
    }

    /** The digests to keep with the new state: this one, and those of the same updated_at. */
    private static java.util.List<String> digests(Instant updatedAt, String digest,
            Optional<InstallationChanged> before) {
        java.util.List<String> kept = new java.util.ArrayList<>();
        if (before.isPresent() && updatedAt.equals(before.get().getUpdatedAt())) {
            kept.addAll(before.get().getDeliveryDigests());
        }
        kept.add(digest);
        return java.util.List.copyOf(kept.subList(Math.max(0, kept.size() - MAX_DIGESTS), kept
                .size()));
    }

    /**
     * The installation's {@code updated_at}: an ISO-8601 date-time (with an offset) or epoch
     * seconds, both of which GitHub sends.
     *
     * @throws MalformedWebhookException when it is missing or neither
     */
    public static Instant updatedAt(JsonNode installation) {
        JsonNode value = installation.path("updated_at");
        if (value.isIntegralNumber()) {
            return Instant.ofEpochSecond(value.asLong());
        }
        if (value.isString()) {
            try {
                return OffsetDateTime.parse(value.asString()).toInstant();
            } catch (DateTimeParseException e) {
                throw new MalformedWebhookException("installation.updated_at is not a date-time: "
                        + value.asString().substring(0, Math.min(40, value.asString().length())));
            }
        }
        throw new MalformedWebhookException("installation.updated_at is missing: the delivery"
                + " cannot be ordered");
    }

    /** {@code sha256:<hex>} of a signed body. */
    public static String digest(byte[] body) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new MalformedWebhookException("empty body");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new MalformedWebhookException("body is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new MalformedWebhookException("body is not valid JSON: " + e.getOriginalMessage(),
                    e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isString() || value.asString().isBlank()) {
            throw new MalformedWebhookException("'" + field + "' is missing or not a string");
        }
        return value.asString();
    }

    private static RepositorySelection selection(JsonNode installation, JsonNode payload) {
        String selection = payload.path("repository_selection").asString(installation.path(
                "repository_selection").asString(""));
        return switch (selection) {
            case "all" -> RepositorySelection.ALL;
            case "selected" -> RepositorySelection.SELECTED;
            default -> RepositorySelection.UNKNOWN;
        };
    }

    private static Map<String, String> permissions(JsonNode node) {
        Map<String, String> permissions = new TreeMap<>();
        node.properties().forEach(entry -> permissions.put(entry.getKey(), entry.getValue()
                .asString()));
        return permissions;
    }

    private static java.util.List<String> names(JsonNode repositories) {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (JsonNode repository : repositories) {
            String fullName = repository.path("full_name").asString("");
            if (!fullName.contains("/")) {
                throw new MalformedWebhookException("a repository has no full_name");
            }
            names.add(fullName.toLowerCase(Locale.ROOT));
        }
        return names;
    }
}
