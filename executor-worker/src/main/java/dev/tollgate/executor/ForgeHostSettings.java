package dev.tollgate.executor;

import dev.tollgate.executor.core.ClientCredentialsToken;
import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.HostCredential;
import dev.tollgate.executor.core.ReloadingCredential;
import dev.tollgate.executor.core.TokenExchange;
import dev.tollgate.executor.http.OkHttpTokenExchange;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Names;
import dev.tollgate.tools.Target;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
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
    public record Configured(Forge forge, String host, URI apiUrl, HostCredential credential,
            List<Glob> repositories) {

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
            String deployment, OAuthSetting oauth) {
    }

    /**
     * A service account's OAuth 2.0 client credentials ({@code tollgate.jira.oauth.*}), instead
     * of a token file: the executor asks the token endpoint for an access token and renews it.
     *
     * @param tokenUrl default: {@code https://auth.atlassian.com/oauth/token} on Cloud, the
     *        site's {@code /rest/oauth2/latest/token} on Data Center
     * @param scope the scopes to ask for, space-separated (Data Center: e.g. {@code WRITE});
     *        none by default (a Cloud credential's scopes are chosen when it is created)
     */
    public record OAuthSetting(String clientId, Path clientSecretFile, String clientSecret,
            URI tokenUrl, String scope) {
    }

    /** JIRA Cloud's token endpoint for service accounts' client credentials. */
    static final URI ATLASSIAN_TOKEN_URL = URI.create("https://auth.atlassian.com/oauth/token");

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
                setting -> jira("tollgate.jira", setting, OkHttpTokenExchange.withDefaults(),
                        Clock.systemUTC()))
                .ifBound(hosts::add);
        return hosts;
    }

    /**
     * The JIRA site: its REST API v2 URL ({@code https://example.atlassian.net/rest/api/2}),
     * the token from its file, and on Cloud the account's e-mail address (HTTP Basic), else a
     * Data Center personal access token (Bearer); or a service account's OAuth 2.0 client
     * credentials ({@code .oauth.*}), whose access tokens are asked for on {@code exchange}.
     */
    static Configured jira(String where, JiraSetting setting, TokenExchange exchange,
            Clock clock) {
        if (setting.token() != null) {
            throw new ConfigurationException(where + ".token is refused: a JIRA token comes from"
                    + " a file only (" + where + ".token-file, e.g. a mounted secret), never from"
                    + " a setting");
        }
        if (setting.apiUrl() == null) {
            throw new ConfigurationException(where + ".api-url is missing: the site's REST API,"
                    + " e.g. https://example.atlassian.net/rest/api/2");
        }
        checkUrl(where + ".api-url", setting.apiUrl());
        if (setting.oauth() != null) {
            return jiraOAuth(where, setting, exchange, clock);
        }
        if (setting.tokenFile() == null) {
            throw new ConfigurationException(where + ".token-file is missing: the file holding"
                    + " the JIRA API token (Cloud, with " + where + ".email) or personal access"
                    + " token (Data Center); or give a service account's OAuth 2.0 client"
                    + " credentials in " + where + ".oauth.client-id and"
                    + " .oauth.client-secret-file");
        }
        String email = setting.email() == null ? null : setting.email().trim();
        if (email != null && (!email.contains("@") || email.contains(":") || email.chars()
                .anyMatch(Character::isWhitespace))) {
            throw new ConfigurationException(where + ".email '" + email + "' is not an e-mail"
                    + " address (the Atlassian account the API token belongs to)");
        }
        boolean cloud = cloud(where, setting);
        Path file = setting.tokenFile();
        String token = SecretFiles.readConfigured("JIRA token", file);
        return new Configured(Forge.JIRA, Target.JIRA, setting.apiUrl(), new ReloadingCredential(
                "JIRA token", () -> version(file), () -> SecretFiles.readConfigured("JIRA token",
                        file),
                value -> email == null
                        ? GitHubRequest.Credential.JiraToken.bearer(value, cloud)
                        : GitHubRequest.Credential.JiraToken.basic(email, value, cloud),
                token,
                clock), List.of());
    }

    /**
     * JIRA with a service account's client credentials: the secret from its file, the token
     * endpoint Atlassian's (Cloud) or the site's own (Data Center), and on Cloud the API at
     * {@code https://api.atlassian.com/ex/jira/CLOUD_ID/rest/api/2}, the only place Atlassian
     * takes OAuth access tokens.
     */
    private static Configured jiraOAuth(String where, JiraSetting setting,
            TokenExchange exchange, Clock clock) {
        OAuthSetting oauth = setting.oauth();
        String prefix = where + ".oauth";
        if (setting.tokenFile() != null || setting.email() != null) {
            throw new ConfigurationException(where + ".token-file and .email are for an API"
                    + " token; " + prefix + ".* for a service account's client credentials:"
                    + " give one of them, not both");
        }
        if (oauth.clientSecret() != null) {
            throw new ConfigurationException(prefix + ".client-secret is refused: a client"
                    + " secret comes from a file only (" + prefix + ".client-secret-file, e.g. a"
                    + " mounted secret), never from a setting");
        }
        if (oauth.clientId() == null || oauth.clientId().isBlank()) {
            throw new ConfigurationException(prefix + ".client-id is missing: the service"
                    + " account's OAuth 2.0 client ID");
        }
        if (oauth.clientSecretFile() == null) {
            throw new ConfigurationException(prefix + ".client-secret-file is missing: the file"
                    + " holding the service account's OAuth 2.0 client secret");
        }
        boolean cloud = cloud(where, setting);
        String apiHost = setting.apiUrl().getHost().toLowerCase(java.util.Locale.ROOT);
        if (cloud && apiHost.endsWith(".atlassian.net")) {
            throw new ConfigurationException(where + ".api-url " + setting.apiUrl() + " is the"
                    + " site's own address, which takes API tokens only: with OAuth 2.0, JIRA"
                    + " Cloud is reached at https://api.atlassian.com/ex/jira/CLOUD_ID/rest/api/2"
                    + " (the site's cloud ID: https://SITE.atlassian.net/_edge/tenant_info)");
        }
        URI tokenUrl = oauth.tokenUrl();
        if (tokenUrl == null) {
            tokenUrl = cloud ? ATLASSIAN_TOKEN_URL : dataCenterTokenUrl(prefix, setting.apiUrl());
        }
        checkUrl(prefix + ".token-url", tokenUrl);
        String secret = SecretFiles.readConfigured("JIRA OAuth client secret", oauth
                .clientSecretFile());
        ClientCredentialsToken token = new ClientCredentialsToken(
                new ClientCredentialsToken.Client(tokenUrl, oauth.clientId().trim(), secret,
                        oauth.scope()),
                exchange,
                value -> GitHubRequest.Credential.JiraToken.bearer(value, cloud), "JIRA",
                prefix, clock);
        return new Configured(Forge.JIRA, Target.JIRA, setting.apiUrl(), token, List.of());
    }

    /**
     * A Data Center site's token endpoint: {@code /rest/oauth2/latest/token} beside its
     * {@code /rest/api/...} (under the site's context path, if it has one).
     */
    private static URI dataCenterTokenUrl(String prefix, URI apiUrl) {
        String text = apiUrl.toString();
        int rest = text.indexOf("/rest/api/");
        if (rest < 0) {
            throw new ConfigurationException(prefix + ".token-url is missing, and the API URL "
                    + apiUrl + " does not end in /rest/api/N to find the site's own"
                    + " (/rest/oauth2/latest/token) beside it");
        }
        return URI.create(text.substring(0, rest) + "/rest/oauth2/latest/token");
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

    /**
     * A token file's version, whose change means it may hold a new token: the modification time,
     * size and identity of the file the path resolves to (a Kubernetes Secret's files are links
     * into a directory swapped whole); null when it cannot be looked at.
     */
    static Object version(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file,
                    BasicFileAttributes.class);
            return Arrays.asList(attributes.lastModifiedTime(), attributes.size(),
                    attributes.fileKey(), file.toRealPath().toString());
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code url}, given in the setting {@code setting}, is safe to send a credential to. */
    private static void checkUrl(String setting, URI url) {
        if (!"https".equals(url.getScheme()) && !("http".equals(url.getScheme()) && url
                .getHost() != null && GitHubAppConfig.isLoopback(url.getHost()))) {
            throw new ConfigurationException(setting + " " + url + " must be https:// (plain"
                    + " http only on loopback): the credential would cross the network in the"
                    + " clear");
        }
        if (url.getUserInfo() != null || url.getQuery() != null) {
            throw new ConfigurationException(setting + " must not carry a user or a query: the"
                    + " credential comes from its file");
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
        checkUrl(where + ".api-url", apiUrl);
        if (setting.tokenFile() == null) {
            throw new ConfigurationException(where + ".token-file is missing: the file holding"
                    + " the access token for " + host);
        }
        String what = forge.title() + " token for " + host;
        Path file = setting.tokenFile();
        String token = SecretFiles.readConfigured(what, file);
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
        return new Configured(forge, host, apiUrl, new ReloadingCredential(what,
                () -> version(file), () -> SecretFiles.readConfigured(what, file),
                value -> forge == Forge.GITLAB
                        ? GitHubRequest.Credential.HostToken.gitlab(host, value)
                        : GitHubRequest.Credential.HostToken.forgejo(host, value),
                token,
                Clock.systemUTC()), repositories);
    }

}
