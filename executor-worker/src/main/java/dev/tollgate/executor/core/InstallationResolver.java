package dev.tollgate.executor.core;

import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds the App installation for a repository with {@code GET /repos/{owner}/{repo}/installation}
 * (App JWT) and caches it; a decision that names the installation skips the lookup.
 */
public final class InstallationResolver {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AppAuthenticator app;
    private final Clock clock;
    private final Map<String, Long> cache = new ConcurrentHashMap<>();

    public InstallationResolver(AppAuthenticator app, Clock clock) {
        this.app = app;
        this.clock = clock;
    }

    /**
     * Parses a static installation map, {@code owner/repo=ID} separated by commas (the setting
     * {@code tollgate.github.installations}); such repositories are never looked up.
     */
    public static Map<String, Long> parseStatic(String text) {
        Map<String, Long> map = new java.util.LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return map;
        }
        for (String entry : text.split(",")) {
            String[] parts = entry.trim().split("=", 2);
            String[] ownerRepo = parts[0].trim().split("/", 2);
            try {
                if (parts.length != 2 || ownerRepo.length != 2) {
                    throw new NumberFormatException();
                }
                Paths.segment(ownerRepo[0]);
                Paths.segment(ownerRepo[1]);
                map.put(parts[0].trim(), Long.parseLong(parts[1].trim()));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("tollgate.github.installations: '" + entry.trim()
                        + "' is not owner/repo=INSTALLATION_ID");
            }
        }
        return map;
    }

    /** Records every entry of a static installation map. */
    public InstallationResolver rememberAll(Map<String, Long> installations) {
        installations.forEach((ownerRepo, id) -> {
            String[] parts = ownerRepo.split("/", 2);
            remember(parts[0], parts[1], id);
        });
        return this;
    }

    /** Records a known installation (from configuration or an installation event). */
    public void remember(String owner, String repo, long installationId) {
        cache.put(key(owner, repo), installationId);
    }

    public void forget(String owner, String repo) {
        cache.remove(key(owner, repo));
    }

    public Optional<Long> cached(String owner, String repo) {
        return Optional.ofNullable(cache.get(key(owner, repo)));
    }

    public long installationFor(String owner, String repo) {
        Long known = cache.get(key(owner, repo));
        if (known != null) {
            return known;
        }
        String path = "/repos/" + Paths.segment(owner) + "/" + Paths.segment(repo)
                + "/installation";
        GitHubResponse response;
        try {
            response = app.send("GET", path, Optional.empty());
        } catch (IOException e) {
            throw new GitHubCallException(ErrorClassifier.classifyFailure(e));
        }
        if (!response.isSuccess()) {
            throw new GitHubCallException(ErrorClassifier.classify(response.status(), response
                    .headers(), response.body(), clock.instant()));
        }
        JsonNode id = JSON.readTree(response.body()).get("id");
        if (id == null || !id.canConvertToLong()) {
            throw new GitHubCallException(GitHubError.of(ErrorClass.TRANSIENT, response.status(),
                    "GitHub's installation answer has no id", null));
        }
        cache.put(key(owner, repo), id.asLong());
        return id.asLong();
    }

    private static String key(String owner, String repo) {
        return (owner + "/" + repo).toLowerCase(Locale.ROOT);
    }
}
