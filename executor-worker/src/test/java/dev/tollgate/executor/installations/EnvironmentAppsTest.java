package dev.tollgate.executor.installations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.installations.AppEnvironments;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class EnvironmentAppsTest {

    @TempDir
    Path dir;

    private static StandardEnvironment environment(Map<String, Object> properties) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return environment;
    }

    @Test
    void readsEachEnvironmentsOwnAppWithoutFallingBackToTheDefaultOne() {
        String key = TestApp.writeKeyFile(dir, "app-pkcs1.pem").toString();

        EnvironmentApps apps = EnvironmentApps.from(environment(Map.of(
                "tollgate.github.app-id", "default-app",
                "tollgate.github.api-url", "https://github.example/api/v3",
                "tollgate.github.environments.prod.app-id", "prod-app",
                "tollgate.github.environments.prod.private-key-file", key,
                "tollgate.github.environments.staging.webhook-secret", "s")));

        assertThat(apps.environments().dedicated()).containsExactlyInAnyOrder("prod", "staging");
        assertThat(apps.environments().appEnvironment("dev")).isEqualTo(AppEnvironments.DEFAULT);
        assertThat(apps.apps()).containsOnlyKeys("prod");
        assertThat(apps.apps().get("prod").appId()).isEqualTo("prod-app");
        assertThat(apps.apps().get("prod").apiUrl().toString()).isEqualTo(
                "https://api.github.com");
    }

    @Test
    void anEnvironmentWithAnAppIdButNoKeyStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> EnvironmentApps.from(environment(Map.of(
                "tollgate.github.environments.prod.app-id", "prod-app")))).isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining(
                        "tollgate.github.environments.prod.private-key-file");
    }

    @Test
    void eachSyncLeavesAloneTheEnvironmentsOfItsOwnAppAndOfOtherHostsOnly() {
        java.security.interfaces.RSAPrivateKey key = TestApp.privateKey();
        java.util.function.BiFunction<String, String, dev.tollgate.executor.core.GitHubAppConfig> app = (
                url, id) -> new dev.tollgate.executor.core.GitHubAppConfig(java.net.URI.create(
                        url), id, key, java.util.Optional.empty());
        Map<String, dev.tollgate.executor.core.GitHubAppConfig> apps = new java.util.LinkedHashMap<>();
        apps.put(AppEnvironments.DEFAULT, app.apply("https://api.github.com", "100"));
        apps.put("prod", app.apply("https://api.github.com", "200"));
        apps.put("mirror", app.apply("https://api.github.com", "100"));
        apps.put("onprem", app.apply("https://ghe.example/api/v3", "100"));

        assertThat(ExecutorInstallationsConfiguration.leftAlone(AppEnvironments.DEFAULT, apps))
                .containsExactlyInAnyOrder("mirror", "onprem");
        assertThat(ExecutorInstallationsConfiguration.leftAlone("prod", apps))
                .containsExactly("onprem");
        assertThat(ExecutorInstallationsConfiguration.leftAlone("onprem", apps))
                .containsExactlyInAnyOrder(AppEnvironments.DEFAULT, "prod", "mirror");
    }
}
