package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.ExecutorHarness;
import dev.tollgate.executor.JiraStandIn;
import dev.tollgate.executor.core.ForgeHosts;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Target;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JIRA tools performed by a real executor against the JIRA stand-in, Cloud and Data Center:
 * a search kept inside the decided project, the site's own credential on every call, issues,
 * comments and transitions written once, redeliveries that find their earlier write, an issue
 * moved to another project refused, and JIRA's errors and rate limits classified for the agent.
 */
class JiraToolsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String EMAIL = "bot@example.com";
    private static final String TOKEN = "atl-test-" + UUID.randomUUID();

    private final ExecutorHarness harness = new ExecutorHarness();
    private JiraStandIn jira = JiraStandIn.cloud(harness.clock);

    JiraToolsTest() {
        jira.credentials(EMAIL, TOKEN);
        jira.project("PROJ", "Project");
        jira.project("OTHER", "Other project");
    }

    @AfterEach
    void stop() {
        jira.close();
        harness.close();
    }

    private GitHubRequest.Credential credential() {
        return jira.edition() == JiraStandIn.Edition.CLOUD
                ? GitHubRequest.Credential.JiraToken.basic(EMAIL, TOKEN, true)
                : GitHubRequest.Credential.JiraToken.bearer(TOKEN, false);
    }

    private ToolCallExecutor executor() {
        ForgeHosts site = harness.forgeHost(Forge.JIRA, Target.JIRA, jira.apiUrl(),
                credential());
        return harness.executor(new InMemoryCompletionStore(100)).actingOn(site);
    }

    private PolicyDecided decision(String requestId, String tool, String json) {
        PolicyDecided decision = harness.decisionFor(requestId, tool, json);
        decision.setRepositories(new ArrayList<>(List.of("PROJ")));
        decision.setInstallationId(null);
        decision.setPermissions(Map.of());
        return decision;
    }

    private ToolCallCompleted run(String tool, String json) {
        return executor().execute(decision(UUID.randomUUID().toString(), tool, json));
    }

    private static JsonNode result(ToolCallCompleted completed) {
        assertThat(completed.getStatus()).as(completed.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
        return JSON.readTree(completed.getResultJson());
    }

    private List<String> sentQueries() {
        return jira.received("GET", "/rest/api/2/search").stream().map(received -> {
            String query = received.path().substring(received.path().indexOf("jql=") + 4);
            int end = query.indexOf('&');
            return URLDecoder.decode(end < 0 ? query : query.substring(0, end),
                    StandardCharsets.UTF_8);
        }).toList();
    }

    @Test
    void aSearchStaysInsideTheDecidedProjectWithTheSitesOwnCredential() {
        String mine = jira.issue("PROJ", "Login fails", "stack trace", "backend");
        jira.issue("PROJ", "Docs", "typo");
        jira.issue("OTHER", "Login fails elsewhere", "secret roadmap", "backend");

        JsonNode found = result(run("jira_search", "{\"project\":\"PROJ\",\"jql\":"
                + "\"labels = backend OR project = OTHER\"}"));

        assertThat(found.path("issues")).singleElement().satisfies(issue -> {
            assertThat(issue.path("key").asString()).isEqualTo(mine);
            assertThat(issue.path("labels").toString()).contains("backend");
            assertThat(issue.path("status").asString()).isEqualTo("To Do");
        });
        assertThat(sentQueries()).containsExactly("project = \"PROJ\" AND (labels = backend OR"
                + " project = OTHER) ORDER BY created DESC");
        assertThat(jira.received("GET", "/rest/api/2/search/jql")).hasSize(1);
        assertThat(jira.received()).allSatisfy(received -> assertThat(received.authorization())
                .startsWith("Basic ").doesNotContain(TOKEN));
        assertThat(harness.github.requests()).as("GitHub").isEmpty();
    }

    /**
     * Neither a count of what was dropped nor a next page: either would tell how many of another
     * project's issues match a query the agent chose (JIRA answering a project named like the
     * granted key, which no project has).
     */
    @Test
    void anAnswerOutsideTheProjectIsWithheldUncountedAndEndsTheSearch() {
        jira.failNext("GET", "/rest/api/2/search/jql", 1, 200, Map.of("Content-Type",
                "application/json"),
                "{\"issues\":[{\"id\":\"9\",\"key\":\"OTHER-1\",\"fields\":"
                        + "{\"summary\":\"roadmap\",\"project\":{\"key\":\"OTHER\"}}},{\"id\":"
                        + "\"1\",\"key\":\"PROJ-1\",\"fields\":{\"summary\":\"ok\",\"project\":"
                        + "{\"key\":\"PROJ\"}}}],\"isLast\":false,\"nextPageToken\":\"p2\"}");

        JsonNode found = result(run("jira_search", "{\"project\":\"PROJ\"}"));

        assertThat(found.path("issues")).singleElement().satisfies(issue -> assertThat(issue
                .path("key").asString()).isEqualTo("PROJ-1"));
        assertThat(found.has("withheld_outside_project")).as(found.toString()).isFalse();
        assertThat(found.path("next_page").isNull()).as(found.toString()).isTrue();
        assertThat(found.toString()).doesNotContain("roadmap").doesNotContain("OTHER");
    }

    @Test
    void aDataCenterPageOutsideTheProjectTellsNothingOfJirasTotal() {
        jira.close();
        jira = JiraStandIn.dataCenter(harness.clock);
        jira.token(TOKEN);
        jira.failNext("GET", "/rest/api/2/search", 1, 200, Map.of("Content-Type",
                "application/json"),
                "{\"startAt\":40,\"total\":57,\"issues\":[{\"id\":\"9\",\"key\":"
                        + "\"OTHER-41\",\"fields\":{\"summary\":\"layoffs\",\"project\":"
                        + "{\"key\":\"OTHER\"}}}]}");

        JsonNode found = result(run("jira_search", "{\"project\":\"PROJ\",\"next_page\":"
                + "\"40\",\"max_results\":1}"));

        assertThat(found.path("issues")).as(found.toString()).isEmpty();
        assertThat(found.path("next_page").isNull()).as("past JIRA's total or not, the same"
                + " answer: " + found).isTrue();
        assertThat(found.toString()).doesNotContain("57").doesNotContain("layoffs");
    }

    @Test
    void dataCenterSearchesPageByStartAtWithABearerToken() {
        jira.close();
        jira = JiraStandIn.dataCenter(harness.clock);
        jira.token(TOKEN);
        jira.project("PROJ", "Project");
        for (int i = 1; i <= 3; i++) {
            jira.issue("PROJ", "Issue " + i, "d");
        }

        JsonNode first = result(run("jira_search", "{\"project\":\"PROJ\",\"max_results\":2}"));
        JsonNode second = result(run("jira_search", "{\"project\":\"PROJ\",\"max_results\":2,"
                + "\"next_page\":\"" + first.path("next_page").asString() + "\"}"));

        assertThat(first.path("issues")).hasSize(2);
        assertThat(first.path("next_page").asString()).isEqualTo("2");
        assertThat(second.path("issues")).hasSize(1);
        assertThat(second.path("next_page").isNull()).isTrue();
        assertThat(jira.received()).allSatisfy(received -> assertThat(received.authorization())
                .isEqualTo("Bearer " + TOKEN));
        assertThat(jira.received("GET", "/rest/api/2/search/jql")).isEmpty();
    }

    @Test
    void readsAnIssueWithItsCommentsAndTheTransitionsItOffers() {
        String key = jira.issue("PROJ", "Login fails", "It *fails*", "backend");
        result(run("jira_add_comment", "{\"issue_key\":\"" + key + "\",\"body\":\"First\"}"));
        result(run("jira_add_comment", "{\"issue_key\":\"" + key + "\",\"body\":\"Seen it\"}"));

        JsonNode issue = result(run("jira_get_issue", "{\"issue_key\":\"" + key.toLowerCase(
                java.util.Locale.ROOT) + "\"}"));

        assertThat(issue.path("summary").asString()).isEqualTo("Login fails");
        assertThat(issue.path("description").asString()).isEqualTo("It *fails*");
        assertThat(issue.path("comments")).extracting(comment -> comment.path("body")
                .asString()).as("newest first").containsExactly("Seen it", "First");
        assertThat(issue.path("comment_total").asInt()).isEqualTo(2);
        assertThat(issue.path("transitions").toString()).contains("In Progress").contains(
                "Done");
    }

    @Test
    void anIssueMovedToAnotherProjectIsRefusedBeforeAnythingIsWritten() {
        jira.issue("PROJ", "Was here", "d");
        jira.failNext("GET", "/rest/api/2/issue/PROJ-1", 1, 200, Map.of("Content-Type",
                "application/json"),
                "{\"id\":\"7\",\"key\":\"OTHER-4\",\"fields\":{\"project\":"
                        + "{\"key\":\"OTHER\"},\"summary\":\"secret\"}}");

        ToolCallCompleted refused = run("jira_add_comment", "{\"issue_key\":\"PROJ-1\","
                + "\"body\":\"hello\"}");

        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains("PROJ-1 has moved to another project")
                .as("not where it went").doesNotContain("OTHER");
        assertThat(jira.received("POST", "/rest/api/2/issue")).isEmpty();
        assertThat(jira.comments("PROJ-1")).isEmpty();
    }

    @Test
    void createsAnIssueOnceAndARedeliveryFindsItByItsLabel() {
        String requestId = UUID.randomUUID().toString();
        String json = "{\"project\":\"PROJ\",\"summary\":\"Flaky test\",\"description\":"
                + "\"It flakes\",\"labels\":[\"ci\"]}";

        JsonNode created = result(executor().execute(decision(requestId, "jira_create_issue",
                json)));
        JsonNode again = result(executor().execute(decision(requestId, "jira_create_issue",
                json)));

        assertThat(created.path("key").asString()).isEqualTo("PROJ-1");
        assertThat(jira.labels("PROJ-1")).containsExactly("ci", "tollgate-request-"
                + requestId);
        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(again.path("key").asString()).isEqualTo("PROJ-1");
        assertThat(jira.issues("PROJ")).containsExactly("PROJ-1");
        assertThat(jira.received("POST", "/rest/api/2/issue")).hasSize(1);
    }

    @Test
    void commentsOnceAndARedeliveryFindsTheCommentByItsProperty() {
        String key = jira.issue("PROJ", "Bug", "d");
        String requestId = UUID.randomUUID().toString();
        String json = "{\"issue_key\":\"" + key + "\",\"body\":\"Looking into it\"}";

        result(executor().execute(decision(requestId, "jira_add_comment", json)));
        JsonNode again = result(executor().execute(decision(requestId, "jira_add_comment",
                json)));

        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(jira.comments(key)).containsExactly("Looking into it");
        assertThat(jira.commentProperty(key, 0, "tollgate.request")).hasValueSatisfying(
                value -> assertThat(value.path("id").asString()).isEqualTo(requestId));
    }

    @Test
    void transitionsByNameOnceAndRefusesOneTheIssueDoesNotOffer() {
        String key = jira.issue("PROJ", "Bug", "d");

        JsonNode moved = result(run("jira_transition_issue", "{\"issue_key\":\"" + key
                + "\",\"transition\":\"in progress\"}"));
        JsonNode again = result(run("jira_transition_issue", "{\"issue_key\":\"" + key
                + "\",\"transition\":\"In Progress\"}"));
        ToolCallCompleted unknown = run("jira_transition_issue", "{\"issue_key\":\"" + key
                + "\",\"transition\":\"Reopen\"}");

        assertThat(moved.path("status").asString()).isEqualTo("In Progress");
        assertThat(jira.status(key)).isEqualTo("In Progress");
        assertThat(again.path("already_done").asBoolean()).isTrue();
        assertThat(jira.received("POST", "/rest/api/2/issue/" + key + "/transitions")).hasSize(
                1);
        assertThat(unknown.getStatus()).isNotEqualTo(CallStatus.SUCCEEDED);
        assertThat(unknown.getMessage()).contains("offers no transition 'Reopen'").contains(
                "Done (31)");
    }

    @Test
    void jirasErrorsReachTheAgentClassified() {
        ToolCallCompleted missing = run("jira_get_issue", "{\"issue_key\":\"PROJ-99\"}");
        jira.readOnly("PROJ");
        ToolCallCompleted readOnly = run("jira_create_issue", "{\"project\":\"PROJ\","
                + "\"summary\":\"s\"}");
        jira.failNext("GET", "/rest/api/2/search", 5, 429, Map.of("Retry-After", "120"),
                "{\"errorMessages\":[\"Rate limit exceeded.\"],\"errors\":{}}");
        ToolCallCompleted limited = run("jira_search", "{\"project\":\"PROJ\"}");

        assertThat(missing.getErrorCode()).isEqualTo("not_found");
        assertThat(missing.getMessage()).contains("Issue does not exist");
        assertThat(readOnly.getStatus()).isNotEqualTo(CallStatus.SUCCEEDED);
        assertThat(readOnly.getMessage()).contains("project: You do not have permission to"
                + " create issues");
        assertThat(limited.getErrorCode()).isEqualTo("rate_limited");
        assertThat(limited.getRetryable()).isTrue();
        assertThat(jira.issues("PROJ")).isEmpty();
    }

    @Test
    void jiraRefusesGitHubsMediaTypeSoAForgesTransportAsksForJson() {
        ForgeHosts gitHubStyle = ForgeHosts.of(List.of(new ForgeHosts.Host(Forge.JIRA,
                Target.JIRA, new dev.tollgate.executor.http.OkHttpTransport(jira.apiUrl(),
                        dev.tollgate.executor.http.OkHttpTransport.defaultClient()),
                credential())));

        ToolCallCompleted refused = harness.executor(new InMemoryCompletionStore(10)).actingOn(
                gitHubStyle).execute(
                        decision(UUID.randomUUID().toString(), "jira_search",
                                "{\"project\":\"PROJ\"}"));
        ToolCallCompleted answered = run("jira_search", "{\"project\":\"PROJ\"}");

        assertThat(refused.getStatus()).as("Accept: application/vnd.github+json").isNotEqualTo(
                CallStatus.SUCCEEDED);
        assertThat(answered.getStatus()).as(answered.getMessage()).isEqualTo(
                CallStatus.SUCCEEDED);
    }

    @Test
    void anExecutorWithoutAGitHubAppActsOnJiraAndAnswersGitHubCallsNotConfigured() {
        ToolCallExecutor forgesOnly = ToolCallExecutor.withoutGitHub(new InMemoryCompletionStore(
                10), harness.clock).actingOn(harness.forgeHost(Forge.JIRA, Target.JIRA,
                        jira
                                .apiUrl(),
                        credential()));

        ToolCallCompleted search = forgesOnly.execute(decision(UUID.randomUUID().toString(),
                "jira_search", "{\"project\":\"PROJ\"}"));
        ToolCallCompleted github = forgesOnly.execute(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"README.md\"}"));
        PolicyDecided denied = harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"README.md\"}");
        denied.setAllowed(false);
        denied.setReason("no grant");

        assertThat(search.getStatus()).as(search.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.getErrorCode()).isEqualTo("github_not_configured");
        assertThat(github.getMessage()).contains("no GitHub App", "jira:jira");
        assertThat(forgesOnly.execute(denied).getMessage()).as("a refusal stays a refusal")
                .contains("did not allow");
        assertThat(harness.github.requests()).isEmpty();
    }

    @Test
    void anExecutorWithoutAJiraSiteRefusesNamingTheSettings() {
        ToolCallCompleted refused = harness.executor(new InMemoryCompletionStore(10)).actingOn(
                ForgeHosts.NONE).execute(
                        decision(UUID.randomUUID().toString(), "jira_search",
                                "{\"project\":\"PROJ\"}"));

        assertThat(refused.getErrorCode()).isEqualTo("forbidden");
        assertThat(refused.getMessage()).contains("tollgate.jira.api-url");
        assertThat(jira.received()).isEmpty();
    }
}
