package dev.tollgate.executor.installations;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.installations.AppEnvironments;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The GitHub Apps of the environments that have one of their own
 * ({@code tollgate.github.environments.<env>.app-id}, {@code .private-key-file}, {@code .api-url},
 * read exactly like the top-level {@code tollgate.github.*} keys, without falling back to them).
 * An environment named there without an App ID and key (say, only its webhook secret) still has
 * an App of its own: its requests are refused, never served by the default App.
 *
 * @param environments which environments have an App of their own
 * @param apps the Apps this executor can mint with, by environment
 */
public record EnvironmentApps(AppEnvironments environments, Map<String, GitHubAppConfig> apps) {

    private static final Logger log = LoggerFactory.getLogger(EnvironmentApps.class);

    public EnvironmentApps {
        apps = Map.copyOf(apps);
    }

    public static EnvironmentApps from(Environment environment) {
        Set<String> names = new TreeSet<>(Binder.get(environment).bind(
                "tollgate.github.environments", Bindable.mapOf(String.class, Object.class))
                .map(Map::keySet).orElse(Set.of()));
        Map<String, GitHubAppConfig> apps = new LinkedHashMap<>();
        for (String name : names) {
            String prefix = "tollgate.github.environments." + name + ".";
            boolean hasApp = environment.containsProperty(prefix + "app-id") || environment
                    .containsProperty(prefix + "private-key-file");
            if (!hasApp) {
                log.warn("environment '{}' is named under tollgate.github.environments without an"
                        + " app-id and private-key-file: its requests are refused by this"
                        + " executor", name);
                continue;
            }
            for (String needed : new String[]{"app-id", "private-key-file"}) {
                if (environment.getProperty(prefix + needed, "").isBlank()) {
                    throw new ConfigurationException(prefix + needed + " is not set: environment '"
                            + name + "' has a GitHub App of its own and needs both " + prefix
                            + "app-id and " + prefix + "private-key-file");
                }
            }
            try {
                GitHubAppConfig config = GitHubAppConfig.resolve(key -> environment.getProperty(
                        key.replace("tollgate.github.", prefix)), Map.of());
                apps.put(name, config);
                log.info("environment '{}' uses its own GitHub App {} at {}", name, config
                        .appId(), config.apiUrl());
            } catch (ConfigurationException e) {
                throw new ConfigurationException("environment '" + name + "': " + e.getMessage()
                        .replace("tollgate.github.", prefix));
            }
        }
        return new EnvironmentApps(new AppEnvironments(names), apps);
    }
}
