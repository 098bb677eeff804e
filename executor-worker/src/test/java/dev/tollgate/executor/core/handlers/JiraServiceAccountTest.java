package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.ForgeHostSettings;
import dev.tollgate.executor.JiraStandIn;
import dev.tollgate.executor.core.ClientCredentialsToken;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.HostCredential;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.executor.http.OkHttpTokenExchange;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Target;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.mock.env.MockEnvironment;

/**
 * JIRA through a service account's OAuth 2.0 client credentials, over real HTTP against the JIRA
 * stand-in's token endpoint and API: one access token for many calls, renewed when it expires and
 * when JIRA refuses it (a write then performed once), the client secret never sent to the API,
 * and a refused client answered before anything reaches JIRA.
 */
class JiraServiceAccountTest {

    private static final String CLIENT_ID = "svc-client-1";
    private static final String SECRET = "svc-secret-" + UUID.randomUUID();

    private final ExecutorHarness harness = new ExecutorHarness();
    private final List<JiraStandIn> sites = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        sites.forEach(JiraStandIn::close);
        harness.close();
    }

    private JiraStandIn site(JiraStandIn site, Duration lifetime) {
        sites.add(site);
        site.serviceAccount(CLIENT_ID, SECRET, lifetime);
        site.project("PROJ", "Project");
        return site;
    }

    private ToolCallExecutor executor(JiraStandIn jira, HostCredential credential) {
        ForgeHosts site = harness.forgeHost(Forge.JIRA, Target.JIRA, jira.apiUrl(), credential);
        return harness.executor(new InMemoryCompletionStore(100)).actingOn(site);
    }

    private ClientCredentialsToken token(JiraStandIn jira, String secret) {
        return new ClientCredentialsToken(new ClientCredentialsToken.Client(jira.tokenUrl(),
                CLIENT_ID, secret, null), OkHttpTokenExchange.withDefaults(),
                value -> GitHubRequest.Credential.JiraToken.bearer(value, jira
                        .edition() == JiraStandIn.Edition.CLOUD),
                "JIRA", "tollgate.jira.oauth", harness.clock);
    }

    private ToolCallCompleted run(ToolCallExecutor executor, String tool, String json) {
        PolicyDecided decision = harness.decisionFor(UUID.randomUUID().toString(), tool, json);
        decision.setRepositories(new ArrayList<>(List.of("PROJ")));
        decision.setInstallationId(null);
        decision.setPermissions(Map.of());
        return executor.execute(decision);
    }

    private Path secretFile(String secret) throws IOException {
        Path file = dir.resolve("client-secret");
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Test
    void aDataCenterSiteConfiguredWithClientCredentialsAsksItsOwnEndpointOnceForManyCalls()
            throws IOException {
        JiraStandIn jira = site(JiraStandIn.dataCenter(harness.clock), Duration.ofHours(1));
        String key = jira.issue("PROJ", "Flaky test", "fails one run in ten");
        MockEnvironment environment = new MockEnvironment().withProperty("tollgate.jira.api-url",
                jira.apiUrl().toString()).withProperty("tollgate.jira.oauth.client-id", CLIENT_ID)
                .withProperty("tollgate.jira.oauth.client-secret-file", secretFile(SECRET)
                        .toString())
                .withProperty("tollgate.jira.oauth.scope", "WRITE");
        ForgeHostSettings.Configured configured = ForgeHostSettings.all(environment).getFirst();
        ToolCallExecutor executor = executor(jira, configured.credential());

        ToolCallCompleted search = run(executor, "jira_search", "{\"project\":\"PROJ\"}");
        ToolCallCompleted comment = run(executor, "jira_add_comment", "{\"issue_key\":\"" + key
                + "\",\"body\":\"Looking into it\"}");

        assertThat(search.getStatus()).as(search.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(comment.getStatus()).as(comment.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(jira.comments(key)).containsExactly("Looking into it");
        assertThat(jira.tokensIssued()).as("one token for both calls").isEqualTo(1);
        assertThat(jira.received("POST", "/rest/oauth2/latest/token")).singleElement()
                .satisfies(asked -> assertThat(asked.body()).contains(
                        "grant_type=client_credentials", "client_id=" + CLIENT_ID,
                        "scope=WRITE"));
        assertThat(jira.received("GET", "/rest/api/2")).isNotEmpty().allSatisfy(
                received -> assertThat(received.authorization()).startsWith(
                        "Bearer atl-oauth-"));
        assertThat(jira.received()).filteredOn(received -> received.path().startsWith(
                "/rest/api/")).allSatisfy(received -> assertThat(received.toString())
                        .doesNotContain(SECRET));
        assertThat(search.getResultJson() + comment.getResultJson()).doesNotContain(SECRET)
                .doesNotContain("atl-oauth-");
    }

    @Test
    void anExpiredTokenIsRenewedBeforeUseAndARevokedOneAfterJirasRefusalWithTheWriteDoneOnce() {
        JiraStandIn jira = site(JiraStandIn.cloud(harness.clock), Duration.ofMinutes(10));
        String key = jira.issue("PROJ", "Flaky test", "fails one run in ten");
        ToolCallExecutor executor = executor(jira, token(jira, SECRET));

        assertThat(run(executor, "jira_get_issue", "{\"issue_key\":\"" + key + "\"}")
                .getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        int firstCall = jira.received("GET", "/rest/api/").size();
        harness.clock.advance(Duration.ofMinutes(10));
        assertThat(run(executor, "jira_get_issue", "{\"issue_key\":\"" + key + "\"}")
                .getStatus()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(jira.tokensIssued()).as("renewed before it expired").isEqualTo(2);
        assertThat(jira.received("GET", "/rest/api/").size() - firstCall).as(
                "the second call sent no request twice: its token was never refused").isEqualTo(
                        firstCall);
        assertThat(jira.received("GET", "/rest/api/").stream().map(
                JiraStandIn.Received::authorization).distinct()).hasSize(2);

        jira.revokeAccessTokens();
        harness.clock.advance(Duration.ofSeconds(30));
        int before = jira.received("POST", "/rest/api/2/issue/" + key + "/comment").size();
        ToolCallCompleted comment = run(executor, "jira_add_comment", "{\"issue_key\":\"" + key
                + "\",\"body\":\"Fixed in #12\"}");

        assertThat(comment.getStatus()).as(comment.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(jira.tokensIssued()).as("renewed after JIRA refused the revoked token")
                .isEqualTo(3);
        assertThat(jira.comments(key)).containsExactly("Fixed in #12");
        assertThat(jira.received("POST", "/rest/api/2/issue/" + key + "/comment").size()
                - before).as("the refused POST and the one that wrote").isLessThanOrEqualTo(2);
    }

    @Test
    void aRefusedClientIsAnsweredUnauthorizedAndJiraIsNeverAsked() {
        JiraStandIn jira = site(JiraStandIn.cloud(harness.clock), Duration.ofHours(1));
        ToolCallExecutor executor = executor(jira, token(jira, "wrong-secret"));

        ToolCallCompleted refused = run(executor, "jira_search", "{\"project\":\"PROJ\"}");

        assertThat(refused.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(refused.getErrorCode()).isEqualTo("unauthorized");
        assertThat(refused.getMessage()).contains("JIRA's token endpoint", "invalid_client",
                "tollgate.jira.oauth.client-secret-file").doesNotContain("wrong-secret");
        assertThat(jira.received()).noneMatch(received -> received.path().startsWith(
                "/rest/api/"));
    }

    @Test
    void aTokenEndpointThatRedirectsIsNotFollowedSoTheSecretGoesNowhereElse() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer();
                MockWebServer endpoint = new MockWebServer()) {
            elsewhere.start(java.net.InetAddress.getLoopbackAddress(), 0);
            endpoint.start(java.net.InetAddress.getLoopbackAddress(), 0);
            endpoint.enqueue(new MockResponse.Builder().code(307).addHeader("Location", elsewhere
                    .url("/steal").toString()).build());
            ClientCredentialsToken token = new ClientCredentialsToken(
                    new ClientCredentialsToken.Client(
                            URI.create(endpoint.url("/oauth/token").toString()), CLIENT_ID,
                            SECRET, null),
                    OkHttpTokenExchange.withDefaults(),
                    value -> GitHubRequest.Credential.JiraToken.bearer(value, true), "JIRA",
                    "tollgate.jira.oauth", harness.clock);

            org.assertj.core.api.Assertions.assertThatThrownBy(token::current).hasMessageContaining(
                    "not an OAuth 2.0 token response");
            assertThat(endpoint.getRequestCount()).isEqualTo(1);
            assertThat(elsewhere.getRequestCount()).as("the redirect was not followed")
                    .isZero();
        }
    }
}
