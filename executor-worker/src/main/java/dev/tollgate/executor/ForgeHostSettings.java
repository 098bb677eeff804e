package dev.tollgate.executor;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Names;
import dev.tollgate.tools.Target;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The Forgejo/Gitea and GitLab hosts and the JIRA site an executor acts on, from
 * {@code tollgate.forgejo.hosts[N].host}, {@code .api-url} (default {@code https://HOST/api/v1})
 * and {@code .token-file} ({@code TOLLGATE_FORGEJO_HOSTS_0_HOST}, ... in the environment), and
 * the same under {@code tollgate.gitlab.hosts} (default API URL {@code https://HOST/api/v4}), and
 * {@code tollgate.jira.api-url}, {@code .token-file} and (Cloud) {@code .email}. A token comes from its file
 * only: a token given as a setting is refused, so it never sits in a configuration dump, a
 * process listing or a Kubernetes manifest. The API URL must be HTTPS unless it is on loopback
 * (tests): the token would cross the network in the clear.
 */
public final class ForgeHostSettings {

    /**
     * One configured credential, as bound.
     *
     * @param repositories the repositories ({@code owner/repo}; GitLab: full project paths;
     *        globs) this token is for; empty: every repository of the host no other entry names
     */
    public record HostSetting(String host, URI apiUrl, Path tokenFile, String token,
            List<String> repositories) {

        public HostSetting {
            repositories = repositories == null ? List.of() : List.copyOf(repositories);
        }
    }

    /** One host, checked and with its token read: ready to be wired. */
    public record Configured(Forge forge, String host, URI apiUrl,
            GitHubRequest.Credential credential, List<Glob> repositories) {

        @Override
        public String toString() {
            return "Configured[" + host + " at " + apiUrl + "]";
        }
    }

    private ForgeHostSettings() {
    }

    /**
     * The JIRA site, as bound from {@code tollgate.jira.*}.
     *
     * @param email the Atlassian account's e-mail address, on JIRA Cloud (the token file holds
     *        its API token); absent on Data Center (the token file holds a personal access token)
     */
    public record JiraSetting(URI apiUrl, Path tokenFile, String token, String email,
            String deployment) {
    }

    /** The settings that configure a forge besides GitHub, as properties and as variables. */
    private static final List<String> FORGE_KEYS = List.of("tollgate.forgejo.hosts[0].host",
            "tollgate.gitlab.hosts[0].host", "tollgate.jira.api-url");
    private static final List<String> FORGE_VARIABLES = List.of("TOLLGATE_FORGEJO_HOSTS_0_HOST",
            "TOLLGATE_GITLAB_HOSTS_0_HOST", "TOLLGATE_JIRA_API_URL");

    /**
     * Whether a forge besides GitHub is configured (its first host, or the JIRA site): then an
     * executor has work without a GitHub App. Only whether it is given; {@link #all} checks it.
     */
    public static boolean anyGiven(java.util.function.Function<String, String> properties,
            java.util.Map<String, String> environment) {
        return FORGE_KEYS.stream().map(properties).anyMatch(value -> value != null && !value
                .isBlank()) || FORGE_VARIABLES.stream().map(environment::get).anyMatch(
                        value -> value != null && !value.isBlank());
    }

    /** Every configured Forgejo and GitLab host and the JIRA site, checked; none when none is. */
    public static List<Configured> all(Environment environment) {
        List<Configured> hosts = new ArrayList<>(read(environment, Forge.FORGEJO));
        hosts.addAll(read(environment, Forge.GITLAB));
        Binder.get(environment).bind("tollgate.jira", Bindable.of(JiraSetting.class)).map(
                setting -> jira("tollgate.jira", setting)).ifBound(hosts::add);
        return hosts;
    }

    /**
     * The JIRA site: its REST API v2 URL ({@code https://example.atlassian.net/rest/api/2}),
     * the token from its file, and on Cloud the account's e-mail address (HTTP Basic), else a
     * Data Center personal access token (Bearer).
     */
    static Configured jira(String where, JiraSetting setting) {
        if (setting.token() != null) {
            throw new ConfigurationException(where + ".token is refused: a JIRA token comes from"
                    + " a file only (" + where + ".token-file, e.g. a mounted secret), never from"
                    + " a setting");
        }
        if (setting.apiUrl() == null) {
            throw new ConfigurationException(where + ".api-url is missing: the site's REST API,"
                    + " e.g. https://example.atlassian.net/rest/api/2");
        }
        checkUrl(where, setting.apiUrl());
        if (setting.tokenFile() == null) {
            throw new ConfigurationException(where + ".token-file is missing: the file holding"
                    + " the JIRA API token (Cloud, with " + where + ".email) or personal access"
                    + " token (Data Center)");
        }
        String email = setting.email() == null ? null : setting.email().trim();
        if (email != null && (!email.contains("@") || email.contains(":") || email.chars()
                .anyMatch(Character::isWhitespace))) {
            throw new ConfigurationException(where + ".email '" + email + "' is not an e-mail"
                    + " address (the Atlassian account the API token belongs to)");
        }
        boolean cloud = cloud(where, setting);
        String token = SecretFiles.readConfigured("JIRA token", setting.tokenFile());
        return new Configured(Forge.JIRA, Target.JIRA, setting.apiUrl(), email == null
                ? GitHubRequest.Credential.JiraToken.bearer(token, cloud)
                : GitHubRequest.Credential.JiraToken.basic(email, token, cloud), List.of());
    }

    /**
     * Whether the site is JIRA Cloud: {@code .deployment} ({@code cloud} or
     * {@code data-center}) when given, else whether the API is Atlassian's
     * ({@code *.atlassian.net}, {@code api.atlassian.com}).
     */
    private static boolean cloud(String where, JiraSetting setting) {
        if (setting.deployment() == null || setting.deployment().isBlank()) {
            String host = setting.apiUrl().getHost() == null
                    ? ""
                    : setting.apiUrl().getHost().toLowerCase(java.util.Locale.ROOT);
            return host.endsWith(".atlassian.net") || host.equals("api.atlassian.com");
        }
        return switch (setting.deployment().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "cloud" -> true;
            case "data-center", "datacenter", "server" -> false;
            default -> throw new ConfigurationException(where + ".deployment '" + setting
                    .deployment() + "' is cloud or data-center");
        };
    }

    private static void checkUrl(String where, URI apiUrl) {
        if (!"https".equals(apiUrl.getScheme()) && !("http".equals(apiUrl.getScheme())
                && apiUrl.getHost() != null && GitHubAppConfig.isLoopback(apiUrl
                        .getHost()))) {
            throw new ConfigurationException(where + ".api-url " + apiUrl + " must be https://"
                    + " (plain http only on loopback): the token would cross the network in"
                    + " the clear");
        }
        if (apiUrl.getUserInfo() != null || apiUrl.getQuery() != null) {
            throw new ConfigurationException(where + ".api-url must not carry a user or a"
                    + " query: give the token in " + where + ".token-file");
        }
    }

    /** Every configured host of {@code forge}, checked. */
    public static List<Configured> read(Environment environment, Forge forge) {
        String prefix = "tollgate." + forge.key() + ".hosts";
        List<HostSetting> settings = Binder.get(environment).bind(prefix, Bindable.listOf(
                HostSetting.class)).orElse(List.of());
        List<Configured> hosts = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            hosts.add(check(forge, prefix + "[" + i + "]", settings.get(i)));
        }
        return hosts;
    }

    static Configured check(Forge forge, String where, HostSetting setting) {
        if (setting.token() != null) {
            throw new ConfigurationException(where + ".token is refused: a " + forge.title()
                    + " token comes"
                    + " from a file only (" + where + ".token-file, e.g. a mounted secret), never"
                    + " from a setting");
        }
        if (setting.host() == null || setting.host().isBlank()) {
            throw new ConfigurationException(where + ".host is missing: the host the policy"
                    + " names, e.g. codeberg.org");
        }
        String host;
        try {
            host = Names.host(where + ".host", setting.host().trim());
        } catch (InvalidArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        URI apiUrl = setting.apiUrl() != null
                ? setting.apiUrl()
                : URI.create("https://" + host + (forge == Forge.GITLAB ? "/api/v4" : "/api/v1"));
        checkUrl(where, apiUrl);
        if (setting.tokenFile() == null) {
            throw new ConfigurationException(where + ".token-file is missing: the file holding"
                    + " the access token for " + host);
        }
        String token = SecretFiles.readConfigured(forge.title() + " token for " + host, setting
                .tokenFile());
        List<Glob> repositories = new ArrayList<>();
        for (String repository : setting.repositories()) {
            String pattern = repository.trim().toLowerCase(java.util.Locale.ROOT);
            if (pattern.isEmpty() || !pattern.contains("/") || pattern.startsWith("/")) {
                throw new ConfigurationException(where + ".repositories: '" + repository
                        + "' is not a repository pattern (owner/repo, owner/*; GitLab:"
                        + " group/sub/project, group/**)");
            }
            repositories.add(Glob.of(pattern));
        }
        return new Configured(forge, host, apiUrl, forge == Forge.GITLAB
                ? GitHubRequest.Credential.HostToken.gitlab(host, token)
                : GitHubRequest.Credential.HostToken.forgejo(host, token), repositories);
    }

}
