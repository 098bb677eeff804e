package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Search inside the one repository named, against the stand-in's search (which, like GitHub,
 * searches every repository a token sees and every public one unless {@code repo:} says
 * otherwise): the gateway adds {@code repo:}, mints for that repository only and drops anything
 * else GitHub might answer with.
 */
class SearchToolsTest extends HarnessTest {

    private static String query(GitHubStandIn.Received request) {
        String target = request.path();
        String q = target.substring(target.indexOf("q=") + 2);
        return URLDecoder.decode(q.substring(0, q.indexOf('&')), StandardCharsets.UTF_8);
    }

    @Test
    void searchCodeFindsFilesOfTheNamedRepositoryOnlyWithContentsRead() {
        hello.files.put("src/Token.java", "class Token { String secretHandling; }");
        hello.files.put("README.md", "nothing here");
        github.repo("octo", "world").files.put("src/Leak.java", "secretHandling too");
        GitHubStandIn.Repo open = github.repository("public", "lib", 99);
        open.publicRepo = true;
        open.files.put("Lib.java", "secretHandling in public");

        JsonNode found = result(run(harness.decision("search_code",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"query\":\"secretHandling\"}")));

        assertThat(found.path("total_count").asLong()).isEqualTo(1);
        assertThat(found.path("items")).singleElement().satisfies(item -> {
            assertThat(item.path("path").asString()).isEqualTo("src/Token.java");
            assertThat(item.has("repository")).as("trimmed to what the agent needs").isFalse();
        });
        assertThat(found.has("dropped_outside_repository")).isFalse();
        assertThat(github.requests("GET", "/search/code")).singleElement().satisfies(
                request -> assertThat(query(request)).isEqualTo(
                        "secretHandling repo:octo/hello"));
        assertThat(github.mints()).singleElement().satisfies(mint -> {
            assertThat(mint.permissions()).isEqualTo(Map.of("contents", "read"));
            assertThat(mint.repositories()).containsExactly("hello");
        });
    }

    @Test
    void whatGitHubAnswersFromAnotherRepositoryIsDropped() {
        ObjectNode answer = JSON.createObjectNode().put("total_count", 2).put(
                "incomplete_results", false);
        answer.putArray("items").add(codeItem("octo/hello", "a.txt")).add(codeItem("public/lib",
                "b.txt"));
        github.script("GET", "/search/code", GitHubStandIn.json(200, answer));

        JsonNode found = result(run(harness.decision("search_code",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"query\":\"x\"}")));

        assertThat(found.path("items")).extracting(item -> item.path("path").asString())
                .containsExactly("a.txt");
        assertThat(found.path("dropped_outside_repository").asInt()).isEqualTo(1);
    }

    private static ObjectNode codeItem(String fullName, String path) {
        ObjectNode item = JSON.createObjectNode().put("name", path).put("path", path).put("sha",
                "0123456789abcdef0123456789abcdef01234567");
        item.putObject("repository").put("full_name", fullName);
        return item;
    }

    @Test
    void searchIssuesFindsIssuesAndPullRequestsOfTheNamedRepository() {
        hello.issues.add(issue(1, "Crash on start", "open", false));
        hello.issues.add(issue(2, "Fix the crash", "open", true));
        hello.issues.add(issue(3, "Old crash", "closed", false));
        github.repo("octo", "world").issues.add(issue(1, "crash elsewhere", "open", false));

        JsonNode found = result(run(harness.decision("search_issues",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"query\":\"crash is:open\"}")));

        assertThat(found.path("items")).extracting(item -> item.path("number").asInt() + " "
                + item.path("pull_request").asBoolean() + " " + item.path("author").asString())
                .containsExactly("1 false octocat", "2 true octocat");
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("issues", "read", "pull_requests", "read")));
        assertThat(github.requests("GET", "/search/issues")).singleElement().satisfies(
                request -> assertThat(query(request)).isEqualTo(
                        "crash is:open repo:octo/hello"));
    }

    private static ObjectNode issue(int number, String title, String state, boolean pull) {
        ObjectNode issue = JSON.createObjectNode().put("number", number).put("title", title).put(
                "body", "").put("state", state).put("html_url", "https://github.com/x/" + number);
        issue.putObject("user").put("login", "octocat");
        issue.putArray("labels").addObject().put("name", "bug");
        if (pull) {
            issue.putObject("pull_request").put("url", "x");
        }
        return issue;
    }

    @Test
    void aDecisionWhoseQueryChoosesWhereToSearchIsRefusedWithoutCallingGitHub() {
        for (String query : new String[]{"secret repo:other/app", "x org:acme", "USER:me y",
                "a OR(repo:x/y)", "\"repo:quoted/too\"", "owner :acme"}) {
            ToolCallCompleted answer = run(harness.decision("search_code", "{\"owner\":\"octo\","
                    + "\"repo\":\"hello\",\"query\":" + JSON.writeValueAsString(query) + "}"));

            assertThat(answer.getStatus()).as(query).isEqualTo(CallStatus.FAILED);
            assertThat(answer.getMessage()).as(query).contains("must not choose where to search");
        }
        assertThat(github.requests("GET", "/search/code")).isEmpty();
        assertThat(github.mints()).isEmpty();
    }
}
