package dev.tollgate.executor;

import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.Settings;
import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Roles;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How the standalone launcher finds and starts the executor: left out when no GitHub App is
 * configured at all, refused (start-up fails) when one is configured but broken.
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
     * Left out only when no App setting is given at all (try-it mode). An App that is configured
     * but cannot start (an app ID without a readable key, a key without an app ID, a file that is
     * not a key) fails start-up with the reason: it is never left out silently.
     */
    @Override
    public Optional<String> missingConfiguration(Function<String, String> settings) {
        return missingConfiguration(settings, System.getenv());
    }

    static Optional<String> missingConfiguration(Function<String, String> settings,
            Map<String, String> environment) {
        if (!GitHubAppConfig.anySettingGiven(settings, environment)) {
            return Optional.of("no GitHub App is configured (try-it mode: calls the policy allows"
                    + " are answered github_not_configured); to perform them set "
                    + GitHubAppConfig.APP_ID + " and " + GitHubAppConfig.PRIVATE_KEY_FILE + " ("
                    + Settings.envName(GitHubAppConfig.APP_ID) + ", " + Settings.envName(
                            GitHubAppConfig.PRIVATE_KEY_FILE)
                    + ")");
        }
        GitHubAppConfig.resolve(settings, environment); // throws ConfigurationException
        return Optional.empty();
    }
}
