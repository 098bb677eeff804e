package dev.tollgate.executor;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Roles;
import java.util.Optional;
import java.util.function.Function;

/** How the standalone launcher finds and starts the executor, if the GitHub App is configured. */
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

    @Override
    public Optional<String> missingConfiguration(Function<String, String> settings) {
        try {
            GitHubAppConfig.resolve(settings, System.getenv());
            return Optional.empty();
        } catch (ConfigurationException e) {
            return Optional.of(e.getMessage());
        }
    }
}
