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
