package dev.tollgate.decision.installations;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code tollgate.installations.*}: how the decision worker uses the installation registry. */
@ConfigurationProperties("tollgate.installations")
public class InstallationProperties {

    /**
     * {@code discover} (default): accounts the registry has never seen pass to the executor,
     * which finds the installation on GitHub; {@code enforce}: the registry is the truth and
     * unknown accounts are refused; {@code off}: no registry. Known accounts are always judged
     * by the registry (suspended or uninstalled: refused).
     */
    private InstallationGate.Mode mode = InstallationGate.Mode.DISCOVER;

    /** How long start-up waits for the registry to read gateway.installations to its end. */
    private Duration loadTimeout = Duration.ofSeconds(60);

    public InstallationGate.Mode getMode() {
        return mode;
    }

    public void setMode(InstallationGate.Mode mode) {
        this.mode = mode;
    }

    public Duration getLoadTimeout() {
        return loadTimeout;
    }

    public void setLoadTimeout(Duration loadTimeout) {
        this.loadTimeout = loadTimeout;
    }

    /** {@code tollgate.github.environments.<env>.*}: which environments have an App of their own. */
    @ConfigurationProperties("tollgate.github")
    public static class GitHubEnvironments {

        private Map<String, Map<String, String>> environments = new LinkedHashMap<>();

        public Map<String, Map<String, String>> getEnvironments() {
            return environments;
        }

        public void setEnvironments(Map<String, Map<String, String>> environments) {
            this.environments = environments;
        }
    }
}
