package dev.tollgate.executor.core;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.installations.InstallationWebhooks;
import dev.tollgate.installations.MalformedWebhookException;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import java.io.IOException;
import dev.tollgate.events.TokenMinted;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The installation registry from GitHub itself, for a deployment with no webhook history: the
 * App's installations ({@code GET /app/installations}, App JWT) and each active one's repositories
 * ({@code GET /installation/repositories} with an installation token narrowed to
 * {@code metadata: read}). Known installations GitHub no longer lists are reported deleted. The
 * result is the installations' new states (trigger {@code sync}), for the adapter to publish.
 */
public final class InstallationSync {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(
            InstallationSync.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int PAGE = 100;
    private static final int MAX_PAGES = 100;

    private final String environment;
    private final String appId;
    private final AppAuthenticator app;
    private final GitHubTransport transport;
    private final Clock clock;
    private final Consumer<TokenMinted> mints;
    private final Set<String> leftAlone;

    /**
     * A sync for a deployment where every other environment is served by another App of the
     * same GitHub.
     *
     * @param environment the environment this App's installations are registered under
     * @param transport sends the repository listings
     * @param mints where the listing tokens' TokenMinted events go (audited like every mint)
     */
    public InstallationSync(String environment, String appId, AppAuthenticator app,
            GitHubTransport transport, Clock clock, Consumer<TokenMinted> mints) {
        this(environment, appId, app, transport, clock, mints, Set.of());
    }

    /**
     * @param leftAlone the other environments whose states of an installation this App lists
     *        are left as they are: those served by this same App, or by another GitHub host
     *        (whose installation IDs are numbered apart); a state recorded under any other
     *        environment is taken back ({@link #reclaims})
     */
    public InstallationSync(String environment, String appId, AppAuthenticator app,
            GitHubTransport transport, Clock clock, Consumer<TokenMinted> mints,
            Set<String> leftAlone) {
        this.leftAlone = Set.copyOf(leftAlone);
        this.environment = environment;
        this.appId = appId;
        this.app = app;
        this.transport = transport;
        this.clock = clock;
        this.mints = mints;
    }

    /**
     * Every installation's state as GitHub has it, and a deletion for each of {@code known} (of
     * this environment) GitHub no longer lists.
     *
     * @throws GitHubCallException when GitHub's answers cannot be read completely (then nothing
     *         is reported, so a partial listing never reads as uninstalls)
     */
    public List<InstallationChanged> sync(Collection<InstallationChanged> known) {
        return run(known).states();
    }

    /**
     * One sync's outcome.
     *
     * @param listed how many installations GitHub listed for this App
     * @param states the states to publish (listed installations, and deletions of vanished ones)
     */
    public record Result(int listed, List<InstallationChanged> states) {
        public Result {
            states = List.copyOf(states);
        }
    }

    /** Like {@link #sync}, also saying how many installations GitHub listed. */
    public Result run(Collection<InstallationChanged> known) {
        List<InstallationChanged> states = new ArrayList<>();
        Set<Long> listed = new TreeSet<>();
        Map<Long, InstallationChanged> knownById = new HashMap<>();
        known.forEach(k -> knownById.putIfAbsent(k.getInstallationId(), k));
        for (JsonNode installation : listInstallations()) {
            long id = installation.path("id").asLong(-1);
            if (id <= 0) {
                continue;
            }
            listed.add(id);
            boolean suspended = !installation.path("suspended_at").isNull() && !installation
                    .path("suspended_at").isMissingNode();
            RepositorySelection selection = switch (installation.path("repository_selection")
                    .asString("")) {
                case "all" -> RepositorySelection.ALL;
                case "selected" -> RepositorySelection.SELECTED;
                default -> RepositorySelection.UNKNOWN;
            };
            Optional<InstallationChanged> held = Optional.ofNullable(knownById.get(id));
            boolean reclaimed = held.isPresent() && reclaims(held.get());
            if (held.isPresent() && held.get().getStatus() == InstallationStatus.DELETED
                    && !reclaimed) {
                continue; // never mint for an installation uninstalled here
            }
            if (reclaimed) {
                log.warn("installation sync: GitHub lists installation {} for App {} of"
                        + " environment '{}', but it is recorded under environment '{}' ({}, {}):"
                        + " a delivery signed with that environment's webhook secret claimed it;"
                        + " it is recorded under '{}' again (who holds '{}''s webhook secret?)",
                        id, appId, environment, held.get().getEnvironment(), held.get()
                                .getStatus(),
                        held.get().getTrigger(), environment, held.get().getEnvironment());
            }
            List<String> repositories;
            try {
                // nothing of a state claimed under another environment is carried over
                repositories = suspended || selection == RepositorySelection.ALL
                        ? held.filter(h -> !reclaimed).map(InstallationChanged::getRepositories)
                                .orElse(List.of())
                        : repositories(id);
            } catch (GitHubCallException e) {
                log.warn("installation sync: the repositories of installation {} could not be"
                        + " read ({}); its state is left as it was", id, e.error().describe());
                continue;
            }
            Map<String, String> permissions = new TreeMap<>();
            installation.path("permissions").properties().forEach(e -> permissions.put(e.getKey(),
                    e.getValue().asString()));
            InstallationChanged state = change(id, installation.path("account").path("login")
                    .asString("").toLowerCase(Locale.ROOT),
                    installation.path("account").path("type")
                            .asString(null),
                    suspended
                            ? InstallationStatus.SUSPENDED
                            : InstallationStatus.ACTIVE,
                    selection, repositories, permissions, installation.path("app_id").asString(
                            appId));
            states.add(ordered(state, installation, held.filter(h -> !reclaimed)));
        }
        for (InstallationChanged before : known) {
            if (before.getEnvironment().equals(environment) && !listed.contains(before
                    .getInstallationId()) && before.getStatus() != InstallationStatus.DELETED) {
                states.add(InstallationChanged.newBuilder(change(before.getInstallationId(),
                        before.getAccount(), before.getAccountType(), InstallationStatus.DELETED,
                        before.getRepositorySelection(), before.getRepositories(), before
                                .getPermissions(),
                        before.getAppId())).setUpdatedAt(before.getUpdatedAt()).build());
            }
        }
        return new Result(listed.size(), states);
    }

    /**
     * Whether a state of an installation GitHub lists for this App, {@code held}, is taken back
     * from the environment it is recorded under: one that is neither this environment nor left
     * alone (see the constructor). Installation IDs never move between Apps, so another App's
     * environment never held it: a delivery verified with that environment's webhook secret
     * claimed it (which the registries let only this sync undo).
     */
    public boolean reclaims(InstallationChanged held) {
        return held.getEnvironment() != null && !held.getEnvironment().equals(environment)
                && !leftAlone.contains(held.getEnvironment());
    }

    /** The environment this App's installations are registered under. */
    public String environment() {
        return environment;
    }

    /** The App's ID (or client ID). */
    public String appId() {
        return appId;
    }

    private List<JsonNode> listInstallations() {
        List<JsonNode> all = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            JsonNode list = read(appCall("/app/installations?per_page=" + PAGE + "&page="
                    + page));
            if (!list.isArray()) {
                throw unreadable("GET /app/installations did not answer a list");
            }
            list.forEach(all::add);
            if (list.size() < PAGE) {
                return all;
            }
        }
        // Stopping here would report every installation past the last page uninstalled, and an
        // uninstall is final: nothing is reported instead.
        throw new GitHubCallException(GitHubError.of(ErrorClass.VALIDATION_FAILED, 0,
                "GitHub lists more than " + PAGE * MAX_PAGES + " installations of App " + appId
                        + ", more than the sync reads; the rest would read as uninstalls, so this"
                        + " sync changes nothing (webhooks still keep the registry current)",
                null));
    }

    private List<String> repositories(long installationId) {
        String token = listingToken(installationId);
        List<String> names = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            GitHubResponse response;
            try {
                response = transport.send(GitHubRequest.get("/installation/repositories?per_page="
                        + PAGE + "&page=" + page,
                        new GitHubRequest.Credential.RepositoryListing(token)));
            } catch (IOException e) {
                throw new GitHubCallException(ErrorClassifier.classifyFailure(e));
            }
            JsonNode repositories = read(response).path("repositories");
            repositories.forEach(r -> names.add(r.path("full_name").asString("").toLowerCase(
                    Locale.ROOT)));
            if (repositories.size() < PAGE) {
                return names.stream().filter(n -> n.contains("/")).sorted().distinct().toList();
            }
        }
        // A cut listing would take repositories away from the installation: its state is left.
        throw new GitHubCallException(GitHubError.of(ErrorClass.VALIDATION_FAILED, 0,
                "installation " + installationId + " lists more than " + PAGE * MAX_PAGES
                        + " repositories, more than the sync reads",
                null));
    }

    /** A metadata: read token to list the installation's repositories; audited, not kept. */
    private String listingToken(long installationId) {
        GitHubResponse response;
        try {
            response = app.send("POST", "/app/installations/" + installationId
                    + "/access_tokens", Optional.of("{\"permissions\":{\"metadata\":\"read\"}}"));
        } catch (IOException e) {
            throw new GitHubCallException(ErrorClassifier.classifyFailure(e));
        }
        JsonNode answer = read(response);
        String token = answer.path("token").asString("");
        if (token.isEmpty() || !answer.path("expires_at").isString()) {
            throw unreadable("GitHub's token answer has no token or expires_at");
        }
        Instant expiresAt = Instant.parse(answer.path("expires_at").asString());
        mints.accept(TokenMinted.newBuilder().setMeta(EventMetas.create(Roles.EXECUTOR_WORKER,
                null, clock)).setAppId(appId).setInstallationId(installationId).setRepositories(
                        new ArrayList<>())
                .setPermissions(new TreeMap<>(Map.of("metadata",
                        "read")))
                .setExpiresAt(expiresAt).setAgentId(null).setEnvironment(environment)
                .setScopeKey("registry-sync:" + installationId + "|metadata=read")
                .setStaticFallback(false).build());
        return token;
    }

    private GitHubResponse appCall(String path) {
        try {
            return app.send("GET", path, Optional.empty());
        } catch (IOException e) {
            throw new GitHubCallException(ErrorClassifier.classifyFailure(e));
        }
    }

    private JsonNode read(GitHubResponse response) {
        if (!response.isSuccess()) {
            throw new GitHubCallException(ErrorClassifier.classify(response.status(), response
                    .headers(), response.body(), clock.instant()));
        }
        return JSON.readTree(response.body());
    }

    private static GitHubCallException unreadable(String message) {
        return new GitHubCallException(GitHubError.of(ErrorClass.TRANSIENT, 0, message, null));
    }

    /**
     * The state with GitHub's {@code updated_at}, so that a webhook body older than what the sync
     * saw is not applied after it; the digests of bodies applied at that same time carry over.
     */
    private static InstallationChanged ordered(InstallationChanged state, JsonNode installation,
            Optional<InstallationChanged> held) {
        Instant updatedAt;
        try {
            updatedAt = InstallationWebhooks.updatedAt(installation);
        } catch (MalformedWebhookException e) {
            return state;
        }
        List<String> digests = held.filter(k -> updatedAt.equals(k.getUpdatedAt())).map(
                InstallationChanged::getDeliveryDigests).orElse(List.of());
        return InstallationChanged.newBuilder(state).setUpdatedAt(updatedAt).setDeliveryDigests(
                new ArrayList<>(digests)).build();
    }

    private InstallationChanged change(long id, String account, String accountType,
            InstallationStatus status, RepositorySelection selection, List<String> repositories,
            Map<String, String> permissions, String installationAppId) {
        return InstallationChanged.newBuilder()
                .setMeta(EventMetas.create(Roles.EXECUTOR_WORKER, null, clock))
                .setEnvironment(environment).setAppId(installationAppId).setInstallationId(id)
                .setAccount(account).setAccountType(accountType).setStatus(status)
                .setRepositorySelection(selection).setRepositories(new ArrayList<>(repositories))
                .setPermissions(permissions).setTrigger(InstallationRegistry.SYNC)
                .setDeliveryId(null).build();
    }
}
