package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.ObjectNode;

/**
 * Promise 9: a policy means the same thing for every way of reaching the same data. The ways an
 * agent with read access would try to get around a path deny or a per-pull-request grant, through
 * a real MCP client: each is refused with the rule's reason, and none reaches GitHub.
 */
@ExtendWith(Standalone.Extension.class)
class APolicyMeansTheSameForEveryWayToTheSameDataTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private final Standalone tollgate;

    APolicyMeansTheSameForEveryWayToTheSameDataTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void aPathDenyHoldsForEveryReadThatCanRevealTheFile() {
        int githubBefore = tollgate.github().requests().size();
        List<Map<String, Object>> ways = List.of(
                Map.of("path", "/repos/acme/app/contents/secrets/prod.env"),
                Map.of("path", "/repos/acme/app/CONTENTS/secrets/prod.env"),
                Map.of("path", "/repos/acme/app/contents/secrets/prod.env", "query", Map.of("ref",
                        "main")),
                Map.of("path", "/repos/acme/app/git/trees/main", "query", Map.of("recursive",
                        "1")),
                Map.of("path", "/repos/acme/app/git/trees/" + SHA),
                Map.of("path", "/repos/acme/app/git/blobs/" + SHA),
                Map.of("path", "/repos/acme/app/commits/main"),
                Map.of("path", "/repos/acme/app/compare/main...agent-x"),
                Map.of("path", "/repos/acme/app/pulls/1/files"),
                Map.of("path", "/repos/acme/app/readme"),
                Map.of("path", "/repos/acme/app/some/route/nobody/catalogued"));

        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            Map<String, Object> direct = reader.call("get_file", Map.of("owner", "acme", "repo",
                    "app", "path", "secrets/prod.env"));
            Map<String, Object> bySha = reader.call("get_file", Map.of("owner", "acme", "repo",
                    "app", "path", "secrets/prod.env", "ref", SHA));

            assertThat(List.of(direct, bySha)).allSatisfy(answer -> assertThat((String) answer
                    .get("message")).as(answer.toString()).contains(
                            "secret files are read by humans only"));
            for (Map<String, Object> arguments : ways) {
                Map<String, Object> answer = reader.call("github_api_get", arguments);

                assertThat(answer.get("status")).as(arguments + ": " + answer).isEqualTo(
                        "denied");
                assertThat((String) answer.get("message")).as(arguments.toString()).contains(
                        "secret files are read by humans only");
            }
            Map<String, Object> allowed = reader.call("github_api_get", Map.of("path",
                    "/repos/acme/app/contents/src/Main.java"));
            assertThat(allowed.get("status")).as(allowed.toString()).isEqualTo("succeeded");
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).as("only the allowed read reached GitHub").noneMatch(
                        request -> request.path().contains("secrets") || request.path()
                                .contains("/git/") || request.path().contains("/compare/"));
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void aGrantNarrowedToOnePullRequestRevealsNoOther() {
        int githubBefore = tollgate.github().requests().size();

        try (Standalone.Agent reviewer = tollgate.agent(tollgate.mint("reviewer"))) {
            for (String path : List.of("/repos/acme/app/pulls/99",
                    "/repos/acme/app/pulls/99/commits",
                    "/repos/acme/app/issues/99/comments", "/repos/acme/app/pulls",
                    "/repos/acme/app/issues", "/repos/acme/app/issues/comments/5",
                    "/repos/acme/app/events")) {
                Map<String, Object> answer = reviewer.call("github_api_get", Map.of("path",
                        path));

                assertThat(answer.get("status")).as(path + ": " + answer).isEqualTo("denied");
                // the repository's events also carry review comments' diff hunks (every path),
                // so the deny rule on secret files, evaluated before the grants, answers first
                assertThat((String) answer.get("message")).as(path).containsAnyOf(
                        "#99 is not one of them", "can reveal every issue and pull request",
                        path.endsWith("/events")
                                ? "can reveal every file without naming its path"
                                : "#99 is not one of them");
            }
            for (Map.Entry<String, Map<String, Object>> byRef : List.of(
                    Map.entry("get_file", Map.<String, Object>of("owner", "acme", "repo", "app",
                            "path", "src/Main.java", "ref", "pull/99/head")),
                    Map.entry("get_file", Map.<String, Object>of("owner", "acme", "repo", "app",
                            "path", "src/Main.java", "ref", "pull/99/merge")),
                    Map.entry("github_api_get", Map.<String, Object>of("path",
                            "/repos/acme/app/contents/src/Main.java", "query", Map.of("ref",
                                    "refs/pull/99/head"))),
                    Map.entry("list_commits", Map.<String, Object>of("owner", "acme", "repo",
                            "app", "sha", "pull/99/head")))) {
                Map<String, Object> answer = reviewer.call(byRef.getKey(), byRef.getValue());

                assertThat(answer.get("status")).as(byRef + ": " + answer).isEqualTo("denied");
                assertThat((String) answer.get("message")).as(byRef.toString()).contains(
                        "#99 is not one of them");
            }
            Map<String, Object> itsOwnHead = reviewer.call("get_file", Map.of("owner", "acme",
                    "repo", "app", "path", "src/Main.java", "ref", "pull/42/head"));
            assertThat(itsOwnHead.get("status")).as(itsOwnHead.toString()).isNotEqualTo(
                    "denied");
            Map<String, Object> listing = reviewer.call("list_pull_requests", Map.of("owner",
                    "acme", "repo", "app"));
            Map<String, Object> itsOwn = reviewer.call("github_api_get", Map.of("path",
                    "/repos/acme/app/pulls/42"));

            assertThat(listing.get("status")).isEqualTo("denied");
            assertThat(itsOwn.get("status")).as(itsOwn.toString()).isNotEqualTo("denied");
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).noneMatch(request -> request.path().contains("/99")
                        || request.path().contains("%2F99")
                        || request
                                .path().endsWith("/pulls")
                        || request.path().contains("/issues"));
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void aPullRequestOpenedIntoADeniedBranchIsNotUpdatedByNamingAnotherBase() {
        GitHubStandIn.Repo app = tollgate.github().repo("acme", "app");
        String head = app.refs.get("main");
        app.refs.put("embargo-cve", head);
        app.refs.put("agent-hotfix", head);
        ObjectNode pull = Standalone.JSON.createObjectNode().put("number", app.issues.size() + 1)
                .put("title", "a human's hotfix into the embargo").put("state", "open").put(
                        "draft", false);
        pull.putObject("user").put("login", "security-lead");
        pull.putObject("pull_request").put("url", "x");
        pull.putObject("head").put("ref", "agent-hotfix").putObject("repo").put("full_name",
                "acme/app");
        pull.putObject("base").put("ref", "embargo-cve");
        app.issues.add(pull);
        long number = app.issues.size();
        int githubBefore = tollgate.github().requests().size();

        try (Standalone.Agent updater = tollgate.agent(tollgate.mint("updater"))) {
            Map<String, Object> namingItsBase = updater.call("update_pull_request_branch", Map
                    .of("owner", "acme", "repo", "app", "pull_number", number, "branch",
                            "agent-hotfix", "base", "embargo-cve", "expected_head_sha", head));
            Map<String, Object> namingAnother = updater.call("update_pull_request_branch", Map
                    .of("owner", "acme", "repo", "app", "pull_number", number, "branch",
                            "agent-hotfix", "base", "main", "expected_head_sha", head));
            Map<String, Object> namingNone = updater.call("update_pull_request_branch", Map.of(
                    "owner", "acme", "repo", "app", "pull_number", number, "branch",
                    "agent-hotfix", "expected_head_sha", head));

            assertThat(namingItsBase.get("status")).as(namingItsBase.toString()).isEqualTo(
                    "denied");
            assertThat((String) namingItsBase.get("message")).contains(
                    "embargoed security fixes stay with the security team");
            assertThat(namingAnother.get("error_code")).as(namingAnother.toString()).isEqualTo(
                    "forbidden");
            assertThat((String) namingAnother.get("message")).contains("base branch is"
                    + " 'embargo-cve', not 'main'");
            assertThat(namingNone.get("status")).as(namingNone.toString()).isEqualTo(
                    "invalid_arguments");
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).as("requests that reached GitHub").noneMatch(
                        request -> request.method().equals("PUT"));
        assertThat(app.refs.get("agent-hotfix")).isEqualTo(head);
        tollgate.assertTheCanaryIsStillAnswered();
    }
}
