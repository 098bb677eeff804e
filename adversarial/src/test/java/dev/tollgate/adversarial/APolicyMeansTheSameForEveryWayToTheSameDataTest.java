package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
            Map<String, Object> listing = reviewer.call("list_pull_requests", Map.of("owner",
                    "acme", "repo", "app"));
            Map<String, Object> itsOwn = reviewer.call("github_api_get", Map.of("path",
                    "/repos/acme/app/pulls/42"));

            assertThat(listing.get("status")).isEqualTo("denied");
            assertThat(itsOwn.get("status")).as(itsOwn.toString()).isNotEqualTo("denied");
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).noneMatch(request -> request.path().contains("/99")
                        || request
                                .path().endsWith("/pulls")
                        || request.path().contains("/issues"));
        tollgate.assertTheCanaryIsStillAnswered();
    }
}
