package dev.tollgate.executor;

import dev.tollgate.executor.core.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up fails with the message that names the setting to fix, not a stack trace. */
public class ConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis("The executor worker's configuration is incomplete: " + cause
                .getMessage(), "Set the named key (see executor-worker/README.md) and start again.",
                cause);
    }
}
