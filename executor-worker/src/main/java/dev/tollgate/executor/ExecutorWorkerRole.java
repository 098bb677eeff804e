package dev.tollgate.executor;

import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.Settings;
import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Roles;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the standalone launcher finds and starts the executor: left out when neither a GitHub App
 * nor another forge is configured, refused (start-up fails) when an App is configured but
 * broken; started without an App when only other forges are configured.
 */
public final class ExecutorWorkerRole implements TollgateRole {

    @Override
    public String name() {
        return Roles.EXECUTOR_WORKER;
    }

    @Override
    public Class<?> applicationClass() {
        return ExecutorWorkerApplication.class;
    }

    @Override
    public int order() {
        return 30;
    }

    /**
     * Left out only when no App setting and no forge is given at all (try-it mode). An App that is configured
     * but cannot start (an app ID without a readable key, a key without an app ID, a file that is
     * not a key) fails start-up with the reason: it is never left out silently.
     */
    @Override
    public Optional<String> missingConfiguration(Function<String, String> settings) {
        return missingConfiguration(settings, System.getenv());
    }

    static Optional<String> missingConfiguration(Function<String, String> settings,
            Map<String, String> environment) {
        boolean app = GitHubAppConfig.anySettingGiven(settings, environment);
        if (!app && !ForgeHostSettings.anyGiven(settings, environment)) {
            return Optional.of("no GitHub App and no other forge is configured (try-it mode:"
                    + " calls the policy allows are answered github_not_configured); to perform"
                    + " them set " + GitHubAppConfig.APP_ID + " and "
                    + GitHubAppConfig.PRIVATE_KEY_FILE + " (" + Settings.envName(
                            GitHubAppConfig.APP_ID)
                    + ", " + Settings.envName(
                            GitHubAppConfig.PRIVATE_KEY_FILE)
                    + "), or a forge: tollgate.forgejo.hosts[0].host, tollgate.gitlab.hosts[0]"
                    + ".host or tollgate.jira.api-url, each with its token file");
        }
        if (app) {
            GitHubAppConfig.resolve(settings, environment); // throws ConfigurationException
        }
        return Optional.empty();
    }
}
