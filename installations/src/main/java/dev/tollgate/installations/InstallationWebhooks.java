package dev.tollgate.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.schemas.EventMetas;
import java.time.Clock;
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
 * the previous state (from the registry) plus and minus the change. Only the installation ID,
 * account, status, repository names and permissions are kept: no token, no secret.
 */
public final class InstallationWebhooks {

    /** What a delivery leads to. */
    public sealed interface Outcome permits Changed, Ignored {
    }

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
        Optional<InstallationChanged> before = previous.apply(id);
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
                .setDeliveryId(deliveryId);
        TreeSet<String> repositories = new TreeSet<>(before.map(
                InstallationChanged::getRepositories).orElse(java.util.List.of()));
        InstallationStatus status = before.map(InstallationChanged::getStatus).orElse(
                InstallationStatus.ACTIVE);
        boolean suspendedNow = !installation.path("suspended_at").isNull()
                && !installation.path("suspended_at").isMissingNode();
        switch (event + "." + action) {
            case "installation.created" -> {
                repositories.clear();
                repositories.addAll(names(payload.path("repositories")));
                status = suspendedNow ? InstallationStatus.SUSPENDED : InstallationStatus.ACTIVE;
            }
            case "installation.deleted" -> status = InstallationStatus.DELETED;
            case "installation.suspend" -> status = InstallationStatus.SUSPENDED;
            case "installation.unsuspend" -> status = InstallationStatus.ACTIVE;
            case "installation.new_permissions_accepted" -> status = suspendedNow
                    ? InstallationStatus.SUSPENDED
                    : status == InstallationStatus.DELETED
                            ? InstallationStatus.ACTIVE
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
