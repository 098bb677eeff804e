package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.core.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the standalone launcher learns from the executor before starting it: left out only when no
 * App setting is given at all (try-it mode); any half-configured App is a start-up failure that
 * names the problem, never a silent start without the executor.
 */
class ExecutorWorkerRoleTest {

    @TempDir
    Path dir;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();

    private Optional<String> missing() {
        return ExecutorWorkerRole.missingConfiguration(properties::get, env);
    }

    @Test
    void aWhollyUnconfiguredAppLeavesTheExecutorOutAndSaysWhatToSet() {
        assertThat(missing()).hasValueSatisfying(reason -> assertThat(reason).contains(
                "no GitHub App and no other forge is configured", "github_not_configured",
                "TOLLGATE_GITHUB_APP_ID", "TOLLGATE_GITHUB_PRIVATE_KEY_FILE",
                "tollgate.jira.api-url"));
    }

    @Test
    void anotherForgeWithoutAnAppStartsTheExecutorForThatForge() {
        properties.put("tollgate.gitlab.hosts[0].host", "gitlab.com");
        assertThat(missing()).isEmpty();
        properties.clear();
        env.put("TOLLGATE_JIRA_API_URL", "https://example.atlassian.net/rest/api/2");
        assertThat(missing()).isEmpty();
        properties.put("tollgate.github.app-id", TestApp.APP_ID);
        assertThatThrownBy(this::missing).as("a half-configured App still fails, forge or not")
                .isInstanceOf(ConfigurationException.class);
    }

    @Test
    void aFullyConfiguredAppStartsTheExecutor() {
        properties.put("tollgate.github.app-id", TestApp.APP_ID);
        properties.put("tollgate.github.private-key-file", TestApp.writeKeyFile(dir,
                "app-pkcs1.pem").toString());

        assertThat(missing()).isEmpty();
    }

    @Test
    void anAppIdWithAMissingKeyFileFailsNamingTheSettingAndThePath() {
        properties.put("tollgate.github.app-id", TestApp.APP_ID);
        properties.put("tollgate.github.private-key-file", dir.resolve("gone.pem").toString());

        assertThatThrownBy(this::missing).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.github.private-key-file").hasMessageContaining(
                        "gone.pem");
    }

    @Test
    void anAppIdWithNoKeyFileAtAllFailsNamingTheSetting() {
        env.put("TOLLGATE_GITHUB_APP_ID", TestApp.APP_ID);

        assertThatThrownBy(this::missing).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TOLLGATE_GITHUB_PRIVATE_KEY_FILE");
    }

    @Test
    void anAppIdWithAFileThatIsNotAKeyFailsWithoutEchoingTheFile() throws Exception {
        Path notKey = Files.writeString(dir.resolve("key.pem"), "ghp_notakeyatall");
        properties.put("tollgate.github.app-id", TestApp.APP_ID);
        properties.put("tollgate.github.private-key-file", notKey.toString());

        assertThatThrownBy(this::missing).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not a PEM RSA private key").hasMessageNotContaining(
                        "ghp_notakeyatall");
    }

    @Test
    void aKeyWithoutAnAppIdFailsNamingTheAppId() {
        properties.put("tollgate.github.private-key-file", TestApp.writeKeyFile(dir,
                "app-pkcs1.pem").toString());

        assertThatThrownBy(this::missing).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.github.app-id is not set");
    }

    @Test
    void anAppIdFileVariableThatCannotBeReadFails() {
        env.put("TOLLGATE_GITHUB_APP_ID_FILE", dir.resolve("no-such-id").toString());

        assertThatThrownBy(this::missing).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TOLLGATE_GITHUB_APP_ID_FILE");
    }
}
