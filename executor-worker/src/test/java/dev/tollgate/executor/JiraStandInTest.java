package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The JIRA stand-in, Cloud and Data Center, through real HTTP on loopback. */
class JiraStandInTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String EMAIL = "agent@example.com";
    private static final String API_TOKEN = "cloud-api-token";
    private static final String PAT = "dc-personal-access-token";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((EMAIL + ":"
            + API_TOKEN).getBytes(StandardCharsets.UTF_8));
    private static final String BEARER = "Bearer " + PAT;
    private static final String UNAUTHENTICATED = "{\"errorMessages\":[\"You are not authenticated. Authentication required to perform this operation.\"],\"errors\":{}}";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:20Z"));
    private final JiraStandIn cloud = JiraStandIn.cloud(clock);
    private final JiraStandIn dc = JiraStandIn.dataCenter(clock);
    private final HttpClient http = HttpClient.newHttpClient();

    JiraStandInTest() {
        cloud.credentials(EMAIL, API_TOKEN);
        dc.token(PAT);
        for (JiraStandIn jira : List.of(cloud, dc)) {
            jira.project("tg", "Tollgate");
            jira.project("OPS", "Operations");
        }
    }

    @AfterEach
    void stop() {
        cloud.close();
        dc.close();
        http.close();
    }

    @Test
    void authenticatesCloudByBasicEmailAndApiTokenAndNamesTheUserByAccountId() throws Exception {
        HttpResponse<String> myself = call(cloud, "GET", "/myself", BASIC, null);
        HttpResponse<String> wrongToken = call(cloud, "GET", "/myself", basic(EMAIL, "nope"),
                null);
        HttpResponse<String> none = call(cloud, "GET", "/myself", null, null);
        HttpResponse<String> bearer = call(cloud, "GET", "/myself", "Bearer " + API_TOKEN, null);

        assertThat(cloud.apiUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+/rest/api/2");
        assertThat(myself.statusCode()).isEqualTo(200);
        JsonNode user = JSON.readTree(myself.body());
        assertThat(user.path("accountId").asString()).isNotBlank();
        assertThat(user.path("displayName").asString()).isEqualTo(JiraStandIn.USER);
        assertThat(user.path("emailAddress").asString()).isEqualTo(EMAIL);
        assertThat(user.has("name")).isFalse();
        for (HttpResponse<String> refused : List.of(wrongToken, none, bearer)) {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).isEqualTo(UNAUTHENTICATED);
        }
        assertThat(cloud.received("GET", "/rest/api/2/myself")).extracting(
                JiraStandIn.Received::authorization).containsExactly(BASIC, basic(EMAIL, "nope"),
                        null, "Bearer " + API_TOKEN);
    }

    @Test
    void authenticatesDataCenterByBearerPatAndNamesTheUserByNameAndKey() throws Exception {
        HttpResponse<String> myself = call(dc, "GET", "/myself", BEARER, null);
        HttpResponse<String> wrong = call(dc, "GET", "/myself", "Bearer nope", null);
        HttpResponse<String> basic = call(dc, "GET", "/myself", basic("tollgate", PAT), null);

        JsonNode user = JSON.readTree(myself.body());
        assertThat(user.path("name").asString()).isEqualTo("tollgate");
        assertThat(user.path("key").asString()).isNotBlank();
        assertThat(user.path("displayName").asString()).isEqualTo(JiraStandIn.USER);
        assertThat(user.has("emailAddress")).isTrue();
        assertThat(user.has("accountId")).isFalse();
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo(UNAUTHENTICATED);
        assertThat(basic.statusCode()).isEqualTo(401);
    }

    @Test
    void servesAnIssueByKeyOrIdWithItsFieldsAndHonoursTheFieldsList() throws Exception {
        for (JiraStandIn jira : List.of(cloud, dc)) {
            String key = jira.issue("TG", "Broken build", "h1. Steps\n* run it", "ci", "urgent");

            JsonNode issue = JSON.readTree(get(jira, "/issue/" + key).body());
            JsonNode byId = JSON.readTree(get(jira, "/issue/" + issue.path("id").asString())
                    .body());
            JsonNode some = JSON.readTree(get(jira, "/issue/tg-1?fields=summary,labels").body());

            assertThat(key).isEqualTo("TG-1");
            assertThat(issue.path("self").asString()).isEqualTo(jira.apiUrl() + "/issue/"
                    + issue.path("id").asString());
            JsonNode fields = issue.path("fields");
            assertThat(fields.path("summary").asString()).isEqualTo("Broken build");
            assertThat(fields.path("description").asString()).isEqualTo("h1. Steps\n* run it");
            assertThat(fields.path("status").path("name").asString()).isEqualTo("To Do");
            assertThat(fields.path("status").path("statusCategory").path("key").asString())
                    .isEqualTo("new");
            assertThat(fields.path("issuetype").path("name").asString()).isEqualTo("Task");
            assertThat(fields.path("project").path("key").asString()).isEqualTo("TG");
            assertThat(fields.path("project").path("name").asString()).isEqualTo("Tollgate");
            assertThat(fields.path("labels").toString()).isEqualTo("[\"ci\",\"urgent\"]");
            assertThat(fields.path("created").asString()).isEqualTo(
                    "2026-03-01T10:00:20.000+0000");
            assertThat(fields.path("reporter").path("displayName").asString()).isEqualTo(
                    JiraStandIn.ADMIN);
            assertThat(byId.path("key").asString()).isEqualTo("TG-1");
            assertThat(some.path("key").asString()).isEqualTo("TG-1");
            assertThat(some.path("fields").propertyNames()).containsExactlyInAnyOrder("summary",
                    "labels");
        }
    }

    @Test
    void answersAnAbsentOrHiddenIssueWith404() throws Exception {
        String secret = cloud.issue("OPS", "Secret", null);
        cloud.hide("OPS");

        HttpResponse<String> absent = get(cloud, "/issue/TG-99");
        HttpResponse<String> hidden = get(cloud, "/issue/" + secret);
        HttpResponse<String> comment = post(cloud, "/issue/" + secret + "/comment",
                "{\"body\":\"hi\"}");

        String body = "{\"errorMessages\":[\"Issue does not exist or you do not have permission to see it.\"],\"errors\":{}}";
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(absent.body()).isEqualTo(body);
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(hidden.body()).isEqualTo(body);
        assertThat(comment.statusCode()).isEqualTo(404);
        assertThat(cloud.comments(secret)).isEmpty();
    }

    @Test
    void createsIssuesNumberedPerProjectInToDoReportedByTheUser() throws Exception {
        for (JiraStandIn jira : List.of(cloud, dc)) {
            jira.issue("OPS", "Earlier", null);

            HttpResponse<String> first = post(jira, "/issue", create("tg", "First", "Bug",
                    "d", "a", "b"));
            HttpResponse<String> second = post(jira, "/issue", create("TG", "Second", "story",
                    null));
            HttpResponse<String> third = post(jira, "/issue", create("OPS", "Third", "Task",
                    null));

            assertThat(first.statusCode()).isEqualTo(201);
            JsonNode created = JSON.readTree(first.body());
            assertThat(created.path("key").asString()).isEqualTo("TG-1");
            assertThat(created.path("self").asString()).isEqualTo(jira.apiUrl() + "/issue/"
                    + created.path("id").asString());
            assertThat(JSON.readTree(second.body()).path("key").asString()).isEqualTo("TG-2");
            assertThat(JSON.readTree(third.body()).path("key").asString()).isEqualTo("OPS-2");
            assertThat(jira.issues("TG")).containsExactly("TG-1", "TG-2");
            assertThat(jira.status("TG-1")).isEqualTo("To Do");
            assertThat(jira.labels("TG-1")).containsExactly("a", "b");
            JsonNode fields = JSON.readTree(get(jira, "/issue/TG-2").body()).path("fields");
            assertThat(fields.path("issuetype").path("name").asString()).isEqualTo("Story");
            assertThat(fields.path("description").isNull()).isTrue();
            assertThat(fields.path("reporter").path("displayName").asString()).isEqualTo(
                    JiraStandIn.USER);
        }
    }

    @Test
    void refusesAnIssueWithoutSummaryOrWithAnUnknownTypeOrProject() throws Exception {
        cloud.project("SEC", "Secret");
        cloud.hide("SEC");
        cloud.readOnly("OPS");

        HttpResponse<String> bad = post(cloud, "/issue", create("TG", "", "Incident", null));
        HttpResponse<String> unknown = post(cloud, "/issue", create("NOPE", "x", "Task", null));
        HttpResponse<String> hidden = post(cloud, "/issue", create("SEC", "x", "Task", null));
        HttpResponse<String> readOnly = post(cloud, "/issue", create("OPS", "x", "Task", null));
        HttpResponse<String> notJson = post(cloud, "/issue", "{nope");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo("{\"errorMessages\":[],\"errors\":{\"issuetype\":"
                + "\"Specify a valid issue type\",\"summary\":\"You must specify a summary of the"
                + " issue.\"}}");
        String noProject = "{\"errorMessages\":[],\"errors\":{\"project\":\"valid project is required\"}}";
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).isEqualTo(noProject);
        assertThat(hidden.body()).isEqualTo(noProject);
        assertThat(readOnly.statusCode()).isEqualTo(400);
        assertThat(readOnly.body()).isEqualTo("{\"errorMessages\":[],\"errors\":{\"project\":"
                + "\"You do not have permission to create issues in this project.\"}}");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(cloud.issues("TG")).isEmpty();
        assertThat(cloud.issues("OPS")).isEmpty();
    }

    @Test
    void addsCommentsWithPropertiesAndListsThemOnlyWhenExpanded() throws Exception {
        for (JiraStandIn jira : List.of(cloud, dc)) {
            String key = jira.issue("TG", "Flaky test", null);

            HttpResponse<String> added = post(jira, "/issue/" + key + "/comment",
                    "{\"body\":\"First *look*\",\"properties\":[{\"key\":\"tollgate\","
                            + "\"value\":{\"agent\":\"a-1\",\"call\":7}}]}");
            post(jira, "/issue/" + key + "/comment", "{\"body\":\"Second\"}");
            post(jira, "/issue/" + key + "/comment", "{\"body\":\"Third\"}");
            JsonNode plain = JSON.readTree(get(jira, "/issue/" + key + "/comment").body());
            JsonNode expanded = JSON.readTree(get(jira, "/issue/" + key
                    + "/comment?expand=properties&maxResults=1").body());
            JsonNode second = JSON.readTree(get(jira, "/issue/" + key
                    + "/comment?startAt=1&maxResults=1").body());
            HttpResponse<String> blank = post(jira, "/issue/" + key + "/comment",
                    "{\"body\":\" \"}");

            assertThat(added.statusCode()).isEqualTo(201);
            JsonNode comment = JSON.readTree(added.body());
            assertThat(comment.path("body").asString()).isEqualTo("First *look*");
            assertThat(comment.path("author").path("displayName").asString()).isEqualTo(
                    JiraStandIn.USER);
            assertThat(comment.path("created").asString()).isEqualTo(
                    "2026-03-01T10:00:20.000+0000");
            assertThat(comment.path("self").asString()).startsWith(jira.apiUrl() + "/issue/");
            assertThat(comment.has("properties")).isFalse();
            assertThat(plain.path("total").asInt()).isEqualTo(3);
            assertThat(plain.path("comments")).hasSize(3);
            assertThat(plain.path("comments").get(0).has("properties")).isFalse();
            assertThat(expanded.path("maxResults").asInt()).isEqualTo(1);
            assertThat(expanded.path("comments").get(0).path("properties").toString()).isEqualTo(
                    "[{\"key\":\"tollgate\",\"value\":{\"agent\":\"a-1\",\"call\":7}}]");
            assertThat(second.path("startAt").asInt()).isEqualTo(1);
            assertThat(second.path("comments").get(0).path("body").asString()).isEqualTo(
                    "Second");
            assertThat(blank.statusCode()).isEqualTo(400);
            assertThat(blank.body()).isEqualTo(
                    "{\"errorMessages\":[],\"errors\":{\"comment\":\"Comment body can not be empty!\"}}");
            assertThat(jira.comments(key)).containsExactly("First *look*", "Second", "Third");
            assertThat(jira.commentProperty(key, 0, "tollgate").orElseThrow().path("call")
                    .asInt()).isEqualTo(7);
            assertThat(jira.commentProperty(key, 1, "tollgate")).isEmpty();
        }
    }

    @Test
    void offersEveryTransitionButTheCurrentStatusAndMovesTheIssue() throws Exception {
        for (JiraStandIn jira : List.of(cloud, dc)) {
            String key = jira.issue("TG", "Ship it", null);

            JsonNode offered = JSON.readTree(get(jira, "/issue/" + key + "/transitions").body());
            HttpResponse<String> start = post(jira, "/issue/" + key + "/transitions",
                    "{\"transition\":{\"id\":\"21\"}}");
            JsonNode afterStart = JSON.readTree(get(jira, "/issue/" + key + "/transitions")
                    .body());
            HttpResponse<String> again = post(jira, "/issue/" + key + "/transitions",
                    "{\"transition\":{\"id\":21}}");
            HttpResponse<String> unknown = post(jira, "/issue/" + key + "/transitions",
                    "{\"transition\":{\"id\":\"99\"}}");
            HttpResponse<String> done = post(jira, "/issue/" + key + "/transitions",
                    "{\"transition\":{\"id\":31}}");

            assertThat(each(offered.path("transitions"), "id")).containsExactly(
                    "21", "31");
            JsonNode toProgress = offered.path("transitions").get(0);
            assertThat(toProgress.path("name").asString()).isEqualTo("In Progress");
            assertThat(toProgress.path("to").path("name").asString()).isEqualTo("In Progress");
            assertThat(toProgress.path("to").path("statusCategory").path("key").asString())
                    .isEqualTo("indeterminate");
            assertThat(start.statusCode()).isEqualTo(204);
            assertThat(start.body()).isEmpty();
            assertThat(each(afterStart.path("transitions"), "id")).containsExactly(
                    "11", "31");
            assertThat(again.statusCode()).isEqualTo(400);
            assertThat(again.body()).isEqualTo("{\"errorMessages\":[\"Transition id '21' is not"
                    + " valid for this issue.\"],\"errors\":{}}");
            assertThat(unknown.body()).contains("Transition id '99' is not valid for this issue.");
            assertThat(done.statusCode()).isEqualTo(204);
            assertThat(jira.status(key)).isEqualTo("Done");
            assertThat(JSON.readTree(get(jira, "/issue/" + key).body()).path("fields").path(
                    "status").path("statusCategory").path("key").asString()).isEqualTo("done");
        }
    }

    @Test
    void letsAReadOnlyProjectBeBrowsedButNotCommentedOrTransitioned() throws Exception {
        String key = dc.issue("OPS", "Watch only", null);
        dc.readOnly("OPS");

        HttpResponse<String> read = get(dc, "/issue/" + key);
        HttpResponse<String> comment = post(dc, "/issue/" + key + "/comment", "{\"body\":\"x\"}");
        JsonNode offered = JSON.readTree(get(dc, "/issue/" + key + "/transitions").body());
        HttpResponse<String> transition = post(dc, "/issue/" + key + "/transitions",
                "{\"transition\":{\"id\":\"21\"}}");

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(comment.statusCode()).isEqualTo(403);
        assertThat(comment.body()).isEqualTo("{\"errorMessages\":[\"You do not have the permission"
                + " to comment on this issue.\"],\"errors\":{}}");
        assertThat(offered.path("transitions")).isEmpty();
        assertThat(transition.statusCode()).isEqualTo(403);
        assertThat(transition.body()).isEqualTo("{\"errorMessages\":[\"You do not have permission"
                + " to transition this issue.\"],\"errors\":{}}");
        assertThat(dc.comments(key)).isEmpty();
        assertThat(dc.status(key)).isEqualTo("To Do");
    }

    @Test
    void pagesCloudSearchByNextPageTokenWithoutATotal() throws Exception {
        for (int i = 1; i <= 5; i++) {
            cloud.issue("TG", "Issue " + i, null);
        }
        cloud.issue("OPS", "Elsewhere", null);

        List<String> keys = new ArrayList<>();
        List<JsonNode> pages = new ArrayList<>();
        String token = null;
        do {
            JsonNode page = JSON.readTree(get(cloud, "/search/jql?jql=" + encode("project = TG")
                    + "&maxResults=2&fields=summary,status" + (token == null
                            ? ""
                            : "&nextPageToken=" + token))
                    .body());
            pages.add(page);
            page.path("issues").forEach(issue -> keys.add(issue.path("key").asString()));
            token = page.has("nextPageToken") ? page.path("nextPageToken").asString() : null;
        } while (token != null);
        JsonNode idsOnly = JSON.readTree(get(cloud, "/search/jql?jql=" + encode("project = TG"))
                .body());

        assertThat(keys).containsExactly("TG-5", "TG-4", "TG-3", "TG-2", "TG-1");
        assertThat(pages).hasSize(3);
        assertThat(pages.get(0).path("isLast").asBoolean()).isFalse();
        assertThat(pages.get(2).path("isLast").asBoolean()).isTrue();
        assertThat(pages.get(2).has("nextPageToken")).isFalse();
        assertThat(pages.get(0).has("total")).isFalse();
        assertThat(pages.get(0).path("issues").get(0).path("fields").propertyNames())
                .containsExactlyInAnyOrder("summary", "status");
        assertThat(idsOnly.path("issues")).hasSize(5);
        assertThat(idsOnly.path("issues").get(0).propertyNames()).containsExactly("id");
    }

    @Test
    void refusesCloudsRemovedSearchUnboundedQueriesAndForgedPageTokens() throws Exception {
        HttpResponse<String> removed = get(cloud, "/search?jql=" + encode("project = TG"));
        HttpResponse<String> unbounded = get(cloud, "/search/jql?jql=" + encode(
                "ORDER BY created DESC"));
        HttpResponse<String> forged = get(cloud, "/search/jql?jql=" + encode("project = TG")
                + "&nextPageToken=bm9wZQ");

        assertThat(removed.statusCode()).isEqualTo(410);
        assertThat(removed.body()).isEqualTo("{\"errorMessages\":[\"The requested API has been"
                + " removed. Please migrate to the /rest/api/3/search/jql API. A full migration"
                + " guideline is available at https://developer.atlassian.com/changelog/"
                + "#CHANGE-2046\"],\"errors\":{}}");
        assertThat(unbounded.statusCode()).isEqualTo(400);
        assertThat(unbounded.body()).contains("Unbounded JQL queries are not allowed here.");
        assertThat(forged.statusCode()).isEqualTo(400);
    }

    @Test
    void pagesDataCenterSearchByStartAtWithATotalOfAtMostAHundredAPage() throws Exception {
        for (int i = 1; i <= 105; i++) {
            dc.issue("TG", "Issue " + i, null);
        }

        JsonNode all = JSON.readTree(get(dc, "/search").body());
        JsonNode big = JSON.readTree(get(dc, "/search?jql=" + encode("project = TG")
                + "&maxResults=500").body());
        JsonNode last = JSON.readTree(get(dc, "/search?jql=" + encode(
                "project = TG ORDER BY key ASC") + "&startAt=100&maxResults=100").body());
        HttpResponse<String> enhanced = get(dc, "/search/jql?jql=" + encode("project = TG"));

        assertThat(all.path("startAt").asInt()).isZero();
        assertThat(all.path("maxResults").asInt()).isEqualTo(50);
        assertThat(all.path("total").asInt()).isEqualTo(105);
        assertThat(all.path("issues")).hasSize(50);
        assertThat(all.path("issues").get(0).path("key").asString()).isEqualTo("TG-105");
        assertThat(all.path("issues").get(0).path("fields").path("summary").asString())
                .isEqualTo("Issue 105");
        assertThat(big.path("maxResults").asInt()).isEqualTo(100);
        assertThat(big.path("issues")).hasSize(100);
        assertThat(each(last.path("issues"), "key")).containsExactly("TG-101",
                "TG-102", "TG-103", "TG-104", "TG-105");
        assertThat(enhanced.statusCode()).isEqualTo(404);
    }

    @Test
    void bindsAndTighterThanOrAndHonoursParenthesesAndNot() throws Exception {
        dc.issue("TG", "Alpha", null, "ci");
        dc.issue("TG", "Beta", null);
        dc.issue("OPS", "Gamma", null, "ci");
        dc.issue("OPS", "Delta", null);
        dc.move("TG-2", "Done");

        assertThat(keys(dc, "project = OPS OR project = TG AND labels = ci")).containsExactly(
                "OPS-2", "OPS-1", "TG-1");
        assertThat(keys(dc, "(project = OPS OR project = TG) AND labels = ci")).containsExactly(
                "OPS-1", "TG-1");
        assertThat(keys(dc, "project = TG && NOT status = Done")).containsExactly("TG-1");
        assertThat(keys(dc, "project in (tg, \"Operations\") AND status not in ('Done')"))
                .containsExactly("OPS-2", "OPS-1", "TG-1");
        assertThat(keys(dc, "labels != ci")).as("an unlabelled issue is not != anything")
                .isEmpty();
        assertThat(keys(dc, "summary ~ \"ALP\" || text ~ elt")).containsExactly("OPS-2",
                "TG-1");
        assertThat(keys(dc, "issuetype = Task and key != TG-1 order by summary asc"))
                .containsExactly("TG-2", "OPS-2", "OPS-1");
        assertThat(keys(dc, "project = TG ORDER BY status DESC, key")).containsExactly("TG-2",
                "TG-1");
    }

    @Test
    void filtersByReporterAndCreatedDate() throws Exception {
        cloud.issue("TG", "By admin", null);
        clock.advance(Duration.ofDays(1));
        post(cloud, "/issue", create("TG", "By agent", "Task", null));

        assertThat(keys(cloud, "reporter = currentUser()")).containsExactly("TG-2");
        assertThat(keys(cloud, "reporter != currentUser()")).containsExactly("TG-1");
        assertThat(keys(cloud, "created >= \"2026-03-02\"")).containsExactly("TG-2");
        assertThat(keys(cloud, "created < 2026/03/02 AND project = TG")).containsExactly("TG-1");
    }

    @Test
    void answersJqlMistakesAsJiraDoes() throws Exception {
        dc.project("SEC", "Secret");
        dc.issue("SEC", "Hidden", null);
        dc.hide("SEC");

        assertThat(jqlError(dc, "project TG")).isEqualTo("Error in the JQL Query: Expecting"
                + " operator but got 'TG'. The valid operators are '=', '!=', '<', '>', '<=',"
                + " '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)");
        assertThat(jqlError(dc, "project = ")).isEqualTo("Error in the JQL Query: Expecting"
                + " either a value, list or function before the end of the query. (line 1,"
                + " character 11)");
        assertThat(jqlError(dc, "(project = TG")).startsWith(
                "Error in the JQL Query: Expecting ')' before the end of the query.");
        assertThat(jqlError(dc, "project = TG status = Done")).startsWith(
                "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'status'.");
        assertThat(jqlError(dc, "summary ~ \"open")).startsWith(
                "Error in the JQL Query: Missing end quote");
        assertThat(jqlError(dc, "project = TG%")).startsWith(
                "Error in the JQL Query: The character '%' is a reserved JQL character.");
        assertThat(jqlError(dc, "labels = and")).startsWith(
                "Error in the JQL Query: 'and' is a reserved JQL word.");
        assertThat(jqlError(dc, "colour = red")).isEqualTo(
                "Field 'colour' does not exist or you do not have permission to view it.");
        assertThat(jqlError(dc, "project = TG ORDER BY colour")).isEqualTo(
                "Field 'colour' does not exist or you do not have permission to view it.");
        assertThat(jqlError(dc, "project = SEC")).isEqualTo(
                "The value 'SEC' does not exist for the field 'project'.");
        assertThat(jqlError(dc, "project in (TG, NOPE)")).isEqualTo(
                "The value 'NOPE' does not exist for the field 'project'.");
        assertThat(jqlError(dc, "status = Blocked")).isEqualTo(
                "The value 'Blocked' does not exist for the field 'status'.");
        assertThat(jqlError(dc, "summary = x")).isEqualTo(
                "The operator '=' is not supported by the 'summary' field.");
        assertThat(jqlError(dc, "key = SEC-1")).isEqualTo(
                "An issue with key 'SEC-1' does not exist for field 'key'.");
        assertThat(keys(dc, "summary ~ Hidden")).as("hidden projects never match").isEmpty();
    }

    @Test
    void answers501ForJqlItDoesNotModel() throws Exception {
        for (String jql : List.of("assignee = currentUser()", "project = TG AND status IS EMPTY",
                "project in projectsLeadByUser()", "created > -7d", "reporter = admin",
                "summary !~ draft")) {
            HttpResponse<String> response = get(dc, "/search?jql=" + encode(jql));

            assertThat(response.statusCode()).as(jql).isEqualTo(501);
            assertThat(response.body()).contains("does not model");
        }
    }

    @Test
    void throttlesPastTheRateLimitWithRetryAfterAndCloudsResetTimestamp() throws Exception {
        cloud.rateLimit(2);
        dc.rateLimit(1);

        get(cloud, "/myself");
        get(cloud, "/myself");
        HttpResponse<String> throttled = get(cloud, "/myself");
        get(dc, "/myself");
        HttpResponse<String> throttledDc = get(dc, "/myself");
        clock.advance(Duration.ofSeconds(40));
        HttpResponse<String> nextWindow = get(cloud, "/myself");

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.body()).isEqualTo(
                "{\"errorMessages\":[\"Rate limit exceeded.\"],\"errors\":{}}");
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("40");
        assertThat(throttled.headers().firstValue("X-RateLimit-Reset")).hasValue(
                "2026-03-01T10:01Z");
        assertThat(throttledDc.statusCode()).isEqualTo(429);
        assertThat(throttledDc.headers().firstValue("Retry-After")).hasValue("40");
        assertThat(throttledDc.headers().firstValue("X-RateLimit-Reset")).isEmpty();
        assertThat(nextWindow.statusCode()).isEqualTo(200);
        assertThat(cloud.received()).hasSize(4);
    }

    @Test
    void answersScriptedFailuresFirstThenTheModel() throws Exception {
        String key = cloud.issue("TG", "Scripted", null);
        cloud.failNext(1, 503, Map.of("Retry-After", "3"), "{\"errorMessages\":[\"busy\"]}");
        cloud.failNext("POST", "/rest/api/2/issue/" + key + "/comment", 1, 500, null, "boom");

        HttpResponse<String> unavailable = get(cloud, "/issue/" + key);
        HttpResponse<String> read = get(cloud, "/issue/" + key);
        HttpResponse<String> failed = post(cloud, "/issue/" + key + "/comment", "{\"body\":\"a\"}");
        HttpResponse<String> retried = post(cloud, "/issue/" + key + "/comment",
                "{\"body\":\"a\"}");

        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(unavailable.body()).isEqualTo("{\"errorMessages\":[\"busy\"]}");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).isEqualTo("boom");
        assertThat(retried.statusCode()).isEqualTo(201);
        assertThat(cloud.comments(key)).containsExactly("a");
        assertThat(cloud.received("POST", "/rest/api/2/issue/")).extracting(
                JiraStandIn.Received::body).containsExactly("{\"body\":\"a\"}",
                        "{\"body\":\"a\"}");
    }

    @Test
    void answers501ForRoutesItDoesNotModel() throws Exception {
        String key = dc.issue("TG", "Edit me", null);

        HttpResponse<String> edit = call(dc, "PUT", "/issue/" + key, BEARER, "{}");
        HttpResponse<String> project = get(dc, "/project/TG");
        HttpResponse<String> anonymous = call(dc, "GET", "/priority", null, null);

        assertThat(edit.statusCode()).isEqualTo(501);
        assertThat(edit.body()).isEqualTo("{\"errorMessages\":[\"the JIRA stand-in does not model"
                + " PUT /rest/api/2/issue/TG-1\"],\"errors\":{}}");
        assertThat(project.statusCode()).isEqualTo(501);
        assertThat(anonymous.statusCode()).as("unmodelled before unauthenticated").isEqualTo(501);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private List<String> keys(JiraStandIn jira, String jql) throws IOException,
            InterruptedException {
        String path = jira.edition() == JiraStandIn.Edition.CLOUD
                ? "/search/jql?fields=key&jql="
                : "/search?jql=";
        HttpResponse<String> response = get(jira, path + encode(jql));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return each(JSON.readTree(response.body()).path("issues"), "key");
    }

    private String jqlError(JiraStandIn jira, String jql) throws IOException,
            InterruptedException {
        HttpResponse<String> response = get(jira, "/search?jql=" + encode(jql));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("errors").isEmpty()).isTrue();
        return body.path("errorMessages").get(0).asString();
    }

    private HttpResponse<String> get(JiraStandIn jira, String path) throws IOException,
            InterruptedException {
        return call(jira, "GET", path, auth(jira), null);
    }

    private HttpResponse<String> post(JiraStandIn jira, String path, String body)
            throws IOException, InterruptedException {
        return call(jira, "POST", path, auth(jira), body);
    }

    private HttpResponse<String> call(JiraStandIn jira, String method, String path,
            String authorization, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(jira.apiUrl() + path))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String auth(JiraStandIn jira) {
        return jira.edition() == JiraStandIn.Edition.CLOUD ? BASIC : BEARER;
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(
                StandardCharsets.UTF_8));
    }

    private static String create(String project, String summary, String type,
            String description, String... labels) {
        var fields = JSON.createObjectNode();
        fields.putObject("project").put("key", project);
        fields.put("summary", summary);
        fields.putObject("issuetype").put("name", type);
        if (description != null) {
            fields.put("description", description);
        }
        if (labels.length > 0) {
            var list = fields.putArray("labels");
            for (String label : labels) {
                list.add(label);
            }
        }
        var body = JSON.createObjectNode();
        body.set("fields", fields);
        return JSON.writeValueAsString(body);
    }

    private static List<String> each(JsonNode list, String field) {
        List<String> values = new ArrayList<>();
        list.forEach(item -> values.add(item.path(field).asString()));
        return values;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
