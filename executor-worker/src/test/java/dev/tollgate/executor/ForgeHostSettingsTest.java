package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.ForgeHostSettings.HostSetting;
import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.ForgeErrors;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.ResponseHeaders;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/** Forgejo hosts' settings: tokens from files only, HTTPS off loopback, and their errors. */
class ForgeHostSettingsTest {

    @TempDir
    Path dir;

    private Path tokenFile(String token) throws IOException {
        Path file = dir.resolve("token");
        Files.writeString(file, token + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void aHostIsReadWithItsTokenFromItsFileAndTheDefaultApiUrl() throws IOException {
        MockEnvironment environment = new MockEnvironment().withProperty(
                "tollgate.forgejo.hosts[0].host", "Codeberg.org").withProperty(
                        "tollgate.forgejo.hosts[0].token-file", tokenFile("secret-1").toString());

        List<ForgeHostSettings.Configured> hosts = ForgeHostSettings.read(environment,
                Forge.FORGEJO);

        assertThat(hosts).singleElement().satisfies(host -> {
            assertThat(host.host()).isEqualTo("codeberg.org");
            assertThat(host.apiUrl()).isEqualTo(URI.create("https://codeberg.org/api/v1"));
            assertThat(host.credential().current().authorization()).isEqualTo("token secret-1");
            assertThat(host.toString()).doesNotContain("secret-1");
            assertThat(host.credential().toString()).doesNotContain("secret-1");
        });
        assertThat(ForgeHostSettings.all(new MockEnvironment())).isEmpty();
    }

    @Test
    void aGitLabHostSpeaksV4WithABearerToken() throws IOException {
        MockEnvironment environment = new MockEnvironment().withProperty(
                "tollgate.gitlab.hosts[0].host", "gitlab.example.com").withProperty(
                        "tollgate.gitlab.hosts[0].token-file", tokenFile("glpat-1").toString());

        assertThat(ForgeHostSettings.all(environment)).singleElement().satisfies(host -> {
            assertThat(host.forge()).isEqualTo(Forge.GITLAB);
            assertThat(host.apiUrl()).isEqualTo(URI.create("https://gitlab.example.com/api/v4"));
            assertThat(host.credential().current().authorization()).isEqualTo("Bearer glpat-1");
        });
    }

    @Test
    void aTokenMayBeKeptToSomeRepositories() throws IOException {
        MockEnvironment environment = new MockEnvironment().withProperty(
                "tollgate.gitlab.hosts[0].host", "gitlab.com").withProperty(
                        "tollgate.gitlab.hosts[0].token-file", tokenFile("glpat-app").toString())
                .withProperty("tollgate.gitlab.hosts[0].repositories", "Group/App,group/sub/**");

        assertThat(ForgeHostSettings.all(environment)).singleElement().satisfies(
                host -> assertThat(host.repositories()).extracting(Glob::pattern).containsExactly(
                        "group/app", "group/sub/**"));
        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.GITLAB, "h[0]", new HostSetting(
                "gitlab.com", null, tokenFile("t"), null, List.of("no-slash")))).isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining(
                        "not a repository pattern");
    }

    @Test
    void aTokenGivenAsASettingIsRefused() {
        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.FORGEJO, "h[0]",
                new HostSetting("codeberg.org",
                        null, null, "secret", null)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("from a file only").hasMessageNotContaining("secret\"");
    }

    @Test
    void plainHttpIsRefusedOffLoopback() throws IOException {
        Path file = tokenFile("t");

        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.FORGEJO, "h[0]",
                new HostSetting("git.example.com",
                        URI.create("http://git.example.com/api/v1"), file, null, null)))
                .isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining("must be https://");
        assertThat(ForgeHostSettings.check(Forge.FORGEJO, "h[0]",
                new HostSetting("git.test", URI.create(
                        "http://127.0.0.1:3000/api/v1"), file, null, null))
                .apiUrl().getPort()).isEqualTo(3000);
        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.FORGEJO, "h[0]",
                new HostSetting("git.test",
                        URI.create("https://user:pw@git.test/api/v1"), file, null, null)))
                .isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining("must not carry");
    }

    @Test
    void aHostNeedsAValidNameAndATokenFile() {
        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.FORGEJO, "h[0]", new HostSetting(
                "https://codeberg.org", null, dir.resolve("x"), null, null))).isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining("not a host name");
        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.FORGEJO, "h[0]",
                new HostSetting("codeberg.org",
                        null, null, null, null)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("h[0].token-file is missing");
        assertThatThrownBy(() -> ForgeHostSettings.check(Forge.FORGEJO, "h[0]",
                new HostSetting(null, null, null,
                        null, null)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "h[0].host is missing");
    }

    @Test
    void gitLabsErrorBodiesReadAsOneMessageAndItsResetIsWhenToRetry() {
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        ForgeErrors errors = ForgeErrors.gitlab("gitlab.com");

        GitHubError scope = errors.classify(403, ResponseHeaders.of(Map.of()),
                "{\"error\":\"insufficient_scope\",\"error_description\":\"needs more\","
                        + "\"scope\":\"api\"}",
                now);
        GitHubError fields = errors.classify(422, ResponseHeaders.of(Map.of()),
                "{\"message\":[\"Source branch \\\"x\\\" does not exist\"]}", now);
        GitHubError table = errors.classify(400, ResponseHeaders.of(Map.of()),
                "{\"message\":{\"base\":[\"is invalid\"]}}", now);
        GitHubError reset = errors.classify(429, ResponseHeaders.of(Map.of("RateLimit-Reset",
                List.of(String.valueOf(now.getEpochSecond() + 42)))), "Retry later", now);

        assertThat(scope.errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(scope.message()).contains("insufficient_scope: needs more").contains(
                "needs scope api");
        assertThat(fields.message()).contains("Source branch \"x\" does not exist");
        assertThat(table.message()).isEqualTo("base: is invalid");
        assertThat(reset.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(reset.retryAt()).contains(now.plusSeconds(42));
    }

    @Test
    void forgejosLimitsAreRateLimitsAndItsFailuresNameTheHost() {
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        ForgeErrors errors = ForgeErrors.forgejo("codeberg.org");

        GitHubError withRetry = errors.classify(429, ResponseHeaders.of(Map.of("Retry-After", List
                .of("30"))), "{\"message\":\"slow down\"}", now);
        GitHubError without = errors.classify(429, ResponseHeaders.of(Map.of()), "", now);
        GitHubError notFound = errors.classify(404, ResponseHeaders.of(Map.of()),
                "{\"message\":\"GetContentsOrList\",\"errors\":[\"object does not exist\"]}", now);
        GitHubError unreachable = errors.classifyFailure(new ConnectException("refused"));

        assertThat(withRetry.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(withRetry.retryAt()).contains(now.plusSeconds(30));
        assertThat(withRetry.message()).contains("codeberg.org").contains("slow down");
        assertThat(without.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(without.retryAt()).isPresent();
        assertThat(notFound.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
        assertThat(unreachable.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(unreachable.message()).contains("codeberg.org").doesNotContain("GitHub");
    }

    @Test
    void theJiraSiteIsCloudWithAnEmailAndDataCenterWithout() throws IOException {
        MockEnvironment cloud = new MockEnvironment().withProperty("tollgate.jira.api-url",
                "https://example.atlassian.net/rest/api/2").withProperty(
                        "tollgate.jira.token-file", tokenFile("atl-token").toString())
                .withProperty("tollgate.jira.email", "bot@example.com");

        assertThat(ForgeHostSettings.all(cloud)).singleElement().satisfies(site -> {
            assertThat(site.forge()).isEqualTo(Forge.JIRA);
            assertThat(site.host()).isEqualTo("jira");
            assertThat(site.credential().current().authorization())
                    .isEqualTo("Basic " + java.util.Base64
                            .getEncoder().encodeToString("bot@example.com:atl-token".getBytes(
                                    java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(site.credential().toString()).doesNotContain("atl-token");
        });
        MockEnvironment dataCenter = new MockEnvironment().withProperty("tollgate.jira.api-url",
                "https://jira.example.com/rest/api/2").withProperty("tollgate.jira.token-file",
                        tokenFile("pat-1").toString());
        assertThat(ForgeHostSettings.all(dataCenter)).singleElement().satisfies(site -> {
            assertThat(site.credential().current().authorization()).isEqualTo("Bearer pat-1");
            assertThat(((GitHubRequest.Credential.JiraToken) site.credential().current()).cloud())
                    .as("a Data Center site: not atlassian.net").isFalse();
        });
        assertThat(ForgeHostSettings.all(cloud)).singleElement().satisfies(site -> assertThat(
                ((GitHubRequest.Credential.JiraToken) site.credential().current()).cloud())
                .isTrue());
        MockEnvironment stated = new MockEnvironment().withProperty("tollgate.jira.api-url",
                "http://127.0.0.1:8080/rest/api/2").withProperty("tollgate.jira.token-file",
                        tokenFile("oauth-1").toString())
                .withProperty(
                        "tollgate.jira.deployment", "cloud");
        assertThat(ForgeHostSettings.all(stated)).singleElement().satisfies(site -> {
            assertThat(site.credential().current().authorization()).isEqualTo("Bearer oauth-1");
            assertThat(((GitHubRequest.Credential.JiraToken) site.credential().current()).cloud())
                    .isTrue();
        });
        assertThatThrownBy(() -> ForgeHostSettings.all(new MockEnvironment().withProperty(
                "tollgate.jira.api-url", "https://jira.example.com/rest/api/2").withProperty(
                        "tollgate.jira.token-file", tokenFile("t").toString())
                .withProperty(
                        "tollgate.jira.deployment", "on-prem")))
                .hasMessageContaining(
                        "is cloud or data-center");
    }

    @Test
    void environmentVariablesConfigureForgesAsTheDeploymentsSetThem() throws IOException {
        String file = tokenFile("from-env").toString();
        org.springframework.core.env.StandardEnvironment environment = new org.springframework.core.env.StandardEnvironment();
        String name = org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
        Map<String, Object> variables = Map.of("TOLLGATE_GITLAB_HOSTS_0_HOST", "gitlab.example.com",
                "TOLLGATE_GITLAB_HOSTS_0_TOKEN_FILE", file, "TOLLGATE_JIRA_API_URL",
                "https://example.atlassian.net/rest/api/2", "TOLLGATE_JIRA_EMAIL",
                "bot@example.com", "TOLLGATE_JIRA_TOKEN_FILE", file);
        environment.getPropertySources().replace(name,
                new org.springframework.core.env.SystemEnvironmentPropertySource(name, variables));

        assertThat(ForgeHostSettings.all(environment))
                .extracting(ForgeHostSettings.Configured::forge,
                        ForgeHostSettings.Configured::host)
                .containsExactly(org.assertj.core.groups.Tuple
                        .tuple(Forge.GITLAB, "gitlab.example.com"),
                        org.assertj.core.groups.Tuple
                                .tuple(Forge.JIRA, "jira"));
        java.util.Map<String, String> asStrings = new java.util.HashMap<>();
        variables.forEach((key, value) -> asStrings.put(key, value.toString()));
        assertThat(ForgeHostSettings.anyGiven(key -> null, asStrings)).isTrue();
    }

    @Test
    void theJiraSiteNeedsAnHttpsUrlAndATokenFileNeverASetting() throws IOException {
        String file = tokenFile("t").toString();
        assertThatThrownBy(() -> ForgeHostSettings.all(new MockEnvironment().withProperty(
                "tollgate.jira.api-url", "https://x.atlassian.net/rest/api/2").withProperty(
                        "tollgate.jira.token", "t")))
                .isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining(
                        "tollgate.jira.token is refused");
        assertThatThrownBy(() -> ForgeHostSettings.all(new MockEnvironment().withProperty(
                "tollgate.jira.token-file", file))).hasMessageContaining(
                        "tollgate.jira.api-url is missing");
        assertThatThrownBy(() -> ForgeHostSettings.all(new MockEnvironment().withProperty(
                "tollgate.jira.api-url", "http://jira.example.com/rest/api/2").withProperty(
                        "tollgate.jira.token-file", file)))
                .hasMessageContaining("https://");
        assertThatThrownBy(() -> ForgeHostSettings.all(new MockEnvironment().withProperty(
                "tollgate.jira.api-url", "https://x.atlassian.net/rest/api/2").withProperty(
                        "tollgate.jira.token-file", file)
                .withProperty("tollgate.jira.email",
                        "a:b@example.com")))
                .hasMessageContaining(
                        "is not an e-mail address");
        assertThatThrownBy(() -> ForgeHostSettings.all(new MockEnvironment().withProperty(
                "tollgate.jira.api-url", "https://x.atlassian.net/rest/api/2")))
                .hasMessageContaining("tollgate.jira.token-file is missing");
    }

    @Test
    void aJiraServiceAccountsClientCredentialsComeFromAFileAndFindTheirTokenEndpoint()
            throws IOException {
        String secret = tokenFile("client-secret-1").toString();
        MockEnvironment cloud = new MockEnvironment().withProperty("tollgate.jira.api-url",
                "https://api.atlassian.com/ex/jira/1324a887-45db-1bf4-1e99-ef0ff456d421/rest/api/2")
                .withProperty("tollgate.jira.oauth.client-id", "client-1").withProperty(
                        "tollgate.jira.oauth.client-secret-file", secret);
        MockEnvironment dataCenter = new MockEnvironment().withProperty("tollgate.jira.api-url",
                "https://example.com/jira/rest/api/2").withProperty(
                        "tollgate.jira.oauth.client-id", "client-1")
                .withProperty("tollgate.jira.oauth.client-secret-file", secret);

        assertThat(ForgeHostSettings.all(cloud)).singleElement().satisfies(site -> assertThat(
                site.credential().toString()).contains("client-1",
                        "https://auth.atlassian.com/oauth/token")
                .doesNotContain(
                        "client-secret-1"));
        assertThat(ForgeHostSettings.all(dataCenter)).singleElement().satisfies(
                site -> assertThat(site.credential().toString()).contains(
                        "https://example.com/jira/rest/oauth2/latest/token"));
    }

    @Test
    void aJiraServiceAccountIsRefusedWhatWouldLeakOrNeverWork() throws IOException {
        String secret = tokenFile("client-secret-1").toString();
        java.util.function.Function<Map<String, String>, Throwable> refusal = properties -> {
            MockEnvironment environment = new MockEnvironment();
            properties.forEach(environment::withProperty);
            try {
                ForgeHostSettings.all(environment);
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        };
        String dc = "https://jira.example.com/rest/api/2";

        assertThat(refusal.apply(Map.of("tollgate.jira.api-url",
                "https://example.atlassian.net/rest/api/2", "tollgate.jira.oauth.client-id",
                "c", "tollgate.jira.oauth.client-secret-file", secret))).hasMessageContaining(
                        "https://api.atlassian.com/ex/jira/CLOUD_ID/rest/api/2");
        assertThat(refusal.apply(Map.of("tollgate.jira.api-url", dc,
                "tollgate.jira.oauth.client-id", "c", "tollgate.jira.oauth.client-secret",
                "s"))).isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "tollgate.jira.oauth.client-secret is refused");
        assertThat(refusal.apply(Map.of("tollgate.jira.api-url", dc,
                "tollgate.jira.oauth.client-secret-file", secret))).hasMessageContaining(
                        "tollgate.jira.oauth.client-id is missing");
        assertThat(refusal.apply(Map.of("tollgate.jira.api-url", dc,
                "tollgate.jira.oauth.client-id", "c"))).hasMessageContaining(
                        "tollgate.jira.oauth.client-secret-file is missing");
        assertThat(refusal.apply(Map.of("tollgate.jira.api-url", dc, "tollgate.jira.token-file",
                secret, "tollgate.jira.oauth.client-id", "c",
                "tollgate.jira.oauth.client-secret-file", secret))).hasMessageContaining(
                        "not both");
        assertThat(refusal.apply(Map.of("tollgate.jira.api-url", "https://jira.example.com/api",
                "tollgate.jira.oauth.client-id", "c", "tollgate.jira.oauth.client-secret-file",
                secret))).hasMessageContaining("tollgate.jira.oauth.token-url is missing");
        assertThat(refusal.apply(Map.of("tollgate.jira.api-url", dc,
                "tollgate.jira.oauth.client-id", "c", "tollgate.jira.oauth.client-secret-file",
                secret, "tollgate.jira.oauth.token-url", "http://sso.example.com/token")))
                .hasMessageContaining("tollgate.jira.oauth.token-url").hasMessageContaining(
                        "must be https://");
    }

    @Test
    void aTokenFilesVersionChangesWhenASecretIsSwappedAsKubernetesDoesAndNotOtherwise()
            throws IOException {
        // a Secret volume: token -> ..data/token, ..data -> ..2026_12_05_one (swapped whole)
        Path one = Files.createDirectory(dir.resolve("..2026_12_05_one"));
        Files.writeString(one.resolve("token"), "glpat-one\n");
        Path two = Files.createDirectory(dir.resolve("..2026_12_05_two"));
        Files.writeString(two.resolve("token"), "glpat-two\n");
        Path data = Files.createSymbolicLink(dir.resolve("..data"), one.getFileName());
        Path token = Files.createSymbolicLink(dir.resolve("token"), Path.of("..data", "token"));

        Object first = ForgeHostSettings.version(token);
        assertThat(ForgeHostSettings.version(token)).as("unchanged").isEqualTo(first);
        Path swapping = Files.createSymbolicLink(dir.resolve("..data_tmp"), two.getFileName());
        Files.move(swapping, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThat(ForgeHostSettings.version(token)).as("swapped").isNotNull().isNotEqualTo(
                first);
        assertThat(ForgeHostSettings.version(dir.resolve("missing"))).isNull();
    }

    @Test
    void jirasErrorBodiesReadAsOneMessageAndItsResetIsWhenToRetry() {
        Instant now = Instant.parse("2026-12-05T10:00:00Z");
        ForgeErrors errors = ForgeErrors.jira("JIRA");

        GitHubError fields = errors.classify(400, ResponseHeaders.of(Map.of()),
                "{\"errorMessages\":[],\"errors\":{\"summary\":\"You must specify a summary of"
                        + " the issue.\"}}",
                now);
        GitHubError missing = errors.classify(404, ResponseHeaders.of(Map.of()),
                "{\"errorMessages\":[\"Issue does not exist or you do not have permission to see"
                        + " it.\"],\"errors\":{}}",
                now);
        GitHubError reset = errors.classify(429, ResponseHeaders.of(Map.of("X-RateLimit-Reset",
                List.of("2026-12-05T10:01:00Z"))), "{\"errorMessages\":[\"Rate limit"
                        + " exceeded.\"],\"errors\":{}}",
                now);
        GitHubError retry = errors.classify(429, ResponseHeaders.of(Map.of("Retry-After", List
                .of("7"))), "", now);

        assertThat(fields.message()).contains("summary: You must specify a summary");
        assertThat(missing.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
        assertThat(missing.message()).contains("Issue does not exist");
        assertThat(reset.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(reset.retryAt()).contains(now.plusSeconds(60));
        assertThat(retry.retryAt()).contains(now.plusSeconds(7));
    }
}
