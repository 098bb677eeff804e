package dev.tollgate.executor;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Names;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The Forgejo/Gitea hosts an executor acts on, from {@code tollgate.forgejo.hosts[N].host},
 * {@code .api-url} (default {@code https://HOST/api/v1}) and {@code .token-file}
 * ({@code TOLLGATE_FORGEJO_HOSTS_0_HOST}, ... in the environment). A token comes from its file
 * only: a token given as a setting is refused, so it never sits in a configuration dump, a
 * process listing or a Kubernetes manifest. The API URL must be HTTPS unless it is on loopback
 * (tests): the token would cross the network in the clear.
 */
public final class ForgeHostSettings {

    /** One configured host, as bound. */
    public record HostSetting(String host, URI apiUrl, Path tokenFile, String token) {
    }

    /** One host, checked and with its token read: ready to be wired. */
    public record Configured(String host, URI apiUrl, GitHubRequest.Credential credential) {

        @Override
        public String toString() {
            return "Configured[" + host + " at " + apiUrl + "]";
        }
    }

    static final String PREFIX = "tollgate.forgejo.hosts";

    private ForgeHostSettings() {
    }

    /** Every configured Forgejo host, checked; none when none is configured. */
    public static List<Configured> forgejo(Environment environment) {
        List<HostSetting> settings = Binder.get(environment).bind(PREFIX, Bindable.listOf(
                HostSetting.class)).orElse(List.of());
        List<Configured> hosts = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            hosts.add(check(PREFIX + "[" + i + "]", settings.get(i)));
        }
        return hosts;
    }

    static Configured check(String where, HostSetting setting) {
        if (setting.token() != null) {
            throw new ConfigurationException(where + ".token is refused: a Forgejo token comes"
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
                : URI.create("https://" + host + "/api/v1");
        if (!"https".equals(apiUrl.getScheme()) && !("http".equals(apiUrl.getScheme())
                && loopback(apiUrl.getHost()))) {
            throw new ConfigurationException(where + ".api-url " + apiUrl + " must be https://"
                    + " (plain http only on loopback): the token would cross the network in"
                    + " the clear");
        }
        if (apiUrl.getUserInfo() != null || apiUrl.getQuery() != null) {
            throw new ConfigurationException(where + ".api-url must not carry a user or a"
                    + " query: give the token in " + where + ".token-file");
        }
        if (setting.tokenFile() == null) {
            throw new ConfigurationException(where + ".token-file is missing: the file holding"
                    + " the access token for " + host);
        }
        String token = SecretFiles.readConfigured("Forgejo token for " + host, setting
                .tokenFile());
        return new Configured(host, apiUrl, new GitHubRequest.Credential.HostToken(host,
                token));
    }

    private static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            return (host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host
                    .contains(":")) && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
