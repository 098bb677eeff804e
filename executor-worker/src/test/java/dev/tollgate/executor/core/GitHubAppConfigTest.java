package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.TestApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHubAppConfigTest {

    @TempDir
    Path dir;

    private final Map<String, String> properties = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();

    private GitHubAppConfig resolve() {
        return GitHubAppConfig.resolve(properties::get, env);
    }

    @Test
    void readsAPkcs1KeyAsGitHubIssuesItAndDefaultsToApiGithubCom() {
        env.put("TOLLGATE_GITHUB_APP_ID", "12345");
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", TestApp.writeKeyFile(dir, "app-pkcs1.pem")
                .toString());

        GitHubAppConfig config = resolve();

        assertThat(config.apiUrl()).hasToString("https://api.github.com");
        assertThat(config.appId()).isEqualTo("12345");
        assertThat(config.privateKey().getModulus()).isEqualTo(TestApp.publicKey().getModulus());
        assertThat(config.staticFallbackToken()).isEmpty();
    }

    @Test
    void readsAPkcs8KeyAndAGitHubEnterpriseUrlFromProperties() {
        properties.put("tollgate.github.app-id", "Iv1.abc");
        properties.put("tollgate.github.api-url", "https://ghe.example.com/api/v3/");
        properties.put("tollgate.github.private-key-file", TestApp.writeKeyFile(dir,
                "app-pkcs8.pem").toString());

        GitHubAppConfig config = resolve();

        assertThat(config.apiUrl()).hasToString("https://ghe.example.com/api/v3");
        assertThat(config.host()).isEqualTo("ghe.example.com");
        assertThat(config.privateKey().getModulus()).isEqualTo(TestApp.publicKey().getModulus());
    }

    @Test
    void readsTheAppIdFromAFileVariable() throws Exception {
        Path idFile = Files.writeString(dir.resolve("app-id"), "987\n");
        env.put("TOLLGATE_GITHUB_APP_ID_FILE", idFile.toString());
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", TestApp.writeKeyFile(dir, "app-pkcs1.pem")
                .toString());

        assertThat(resolve().appId()).isEqualTo("987");
    }

    @Test
    void aMissingAppIdNamesTheKeyToSet() {
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", TestApp.writeKeyFile(dir, "app-pkcs1.pem")
                .toString());

        assertThatThrownBy(this::resolve).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.github.app-id is not set").hasMessageContaining(
                        "TOLLGATE_GITHUB_APP_ID");
    }

    @Test
    void aMissingKeyFileNamesTheKeyToSet() {
        env.put("TOLLGATE_GITHUB_APP_ID", "1");

        assertThatThrownBy(this::resolve).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TOLLGATE_GITHUB_PRIVATE_KEY_FILE");
    }

    @Test
    void anUnreadableKeyFileNamesTheKeyAndThePath() {
        env.put("TOLLGATE_GITHUB_APP_ID", "1");
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", dir.resolve("missing.pem").toString());

        assertThatThrownBy(this::resolve).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.github.private-key-file").hasMessageContaining(
                        "missing.pem");
    }

    @Test
    void aFileThatIsNotAKeySaysWhatWasExpectedWithoutEchoingIt() throws Exception {
        Path notKey = Files.writeString(dir.resolve("key.pem"), "ghp_notakeyatall");
        env.put("TOLLGATE_GITHUB_APP_ID", "1");
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", notKey.toString());

        assertThatThrownBy(this::resolve).hasMessageContaining("BEGIN RSA PRIVATE KEY")
                .hasMessageNotContaining("ghp_notakeyatall");
    }

    @Test
    void aUrlThatIsNotHttpIsRefused() {
        env.put("TOLLGATE_GITHUB_API_URL", "ftp://example.com");

        assertThatThrownBy(this::resolve).hasMessageContaining("tollgate.github.api-url");
    }

    @Test
    void aPlainHttpEnterpriseUrlIsRefusedNamingTheFix() {
        env.put("TOLLGATE_GITHUB_APP_ID", "1");
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", TestApp.writeKeyFile(dir, "app-pkcs1.pem")
                .toString());

        for (String url : new String[]{"http://ghe.example.com/api/v3", "http://10.0.0.5/api/v3",
                "http://127.0.0.1.nip.io/api/v3", "http://localhost.example.com/api/v3"}) {
            env.put("TOLLGATE_GITHUB_API_URL", url);

            assertThatThrownBy(this::resolve).as(url).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("TOLLGATE_GITHUB_API_URL").hasMessageContaining(
                            "must use https")
                    .hasMessageContaining("https://HOST/api/v3");
        }
    }

    @Test
    void plainHttpIsAcceptedOnlyOnLoopbackForAStandIn() {
        env.put("TOLLGATE_GITHUB_APP_ID", "1");
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", TestApp.writeKeyFile(dir, "app-pkcs1.pem")
                .toString());

        for (String url : new String[]{"http://127.0.0.1:8443", "http://localhost:9000/api/v3",
                "http://[::1]:8080", "http://127.9.9.9"}) {
            env.put("TOLLGATE_GITHUB_API_URL", url);

            assertThat(resolve().apiUrl().getScheme()).as(url).isEqualTo("http");
        }
    }

    @Test
    void theStaticFallbackNeedsItsTokenFileAndIsNeverPrinted() throws Exception {
        env.put("TOLLGATE_GITHUB_APP_ID", "1");
        env.put("TOLLGATE_GITHUB_PRIVATE_KEY_FILE", TestApp.writeKeyFile(dir, "app-pkcs1.pem")
                .toString());
        env.put("TOLLGATE_GITHUB_STATIC_TOKEN_FALLBACK_ENABLED", "true");
        assertThatThrownBy(this::resolve).hasMessageContaining("TOLLGATE_GITHUB_STATIC_TOKEN_FILE");

        env.put("TOLLGATE_GITHUB_STATIC_TOKEN_FILE", Files.writeString(dir.resolve("static"),
                "ghp_staticvalue").toString());
        GitHubAppConfig config = resolve();

        assertThat(config.staticFallbackToken()).contains("ghp_staticvalue");
        assertThat(config.toString()).doesNotContain("ghp_staticvalue").contains(
                "privateKey=redacted");
    }
}
