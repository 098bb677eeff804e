package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tool;
import io.modelcontextprotocol.spec.McpError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 2: deny by default, hard blocks no policy can lift, a reason the agent can read. Every
 * refused call leaves GitHub untouched and the canary answered.
 */
@ExtendWith(Standalone.Extension.class)
class DenyByDefaultTest {

    /** A valid call of every tool that reaches GitHub, on acme/app. */
    static final Map<Tool, Map<String, Object>> EVERY_TOOL = Map.ofEntries(
            Map.entry(Tool.READ_REPO, Map.of("owner", "acme", "repo", "app")),
            Map.entry(Tool.GET_FILE, Map.of("owner", "acme", "repo", "app", "path", "README.md")),
            Map.entry(Tool.LIST_PULL_REQUESTS, Map.of("owner", "acme", "repo", "app")),
            Map.entry(Tool.LIST_BRANCHES, Map.of("owner", "acme", "repo", "app")),
            Map.entry(Tool.GITHUB_API_GET, Map.of("path", "/repos/acme/app/issues/1")),
            Map.entry(Tool.GET_ISSUE, Map.of("owner", "acme", "repo", "app", "issue_number", 1)),
            Map.entry(Tool.LIST_ISSUES, Map.of("owner", "acme", "repo", "app")),
            Map.entry(Tool.LIST_ISSUE_COMMENTS, Map.of("owner", "acme", "repo", "app",
                    "issue_number", 1)),
            Map.entry(Tool.GET_PULL_REQUEST, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1)),
            Map.entry(Tool.LIST_PULL_REQUEST_FILES, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1)),
            Map.entry(Tool.LIST_CHECK_RUNS, Map.of("owner", "acme", "repo", "app", "ref",
                    "main")),
            Map.entry(Tool.LIST_COMMIT_STATUSES, Map.of("owner", "acme", "repo", "app", "ref",
                    "main")),
            Map.entry(Tool.LIST_WORKFLOW_RUNS, Map.of("owner", "acme", "repo", "app", "branch",
                    "main")),
            Map.entry(Tool.LIST_WORKFLOW_JOBS, Map.of("owner", "acme", "repo", "app", "run_id",
                    12)),
            Map.entry(Tool.GET_JOB_LOG, Map.of("owner", "acme", "repo", "app", "job_id", 34)),
            Map.entry(Tool.LIST_COMMITS, Map.of("owner", "acme", "repo", "app")),
            Map.entry(Tool.COMPARE_REFS, Map.of("owner", "acme", "repo", "app", "base", "main",
                    "head", "agent-x")),
            Map.entry(Tool.GET_TREE, Map.of("owner", "acme", "repo", "app")),
            Map.entry(Tool.UPDATE_PENDING_REVIEW, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "review_id", 5, "body", "b")),
            Map.entry(Tool.DISCARD_PENDING_REVIEW, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "review_id", 5)),
            Map.entry(Tool.SUBMIT_PENDING_REVIEW, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "review_id", 5)),
            Map.entry(Tool.SEARCH_CODE, Map.of("owner", "acme", "repo", "app", "query",
                    "token")),
            Map.entry(Tool.SEARCH_ISSUES, Map.of("owner", "acme", "repo", "app", "query",
                    "crash is:open")),
            Map.entry(Tool.COMMENT_ON_ISSUE, Map.of("owner", "acme", "repo", "app",
                    "issue_number", 1, "body", "b")),
            Map.entry(Tool.UPDATE_ISSUE, Map.of("owner", "acme", "repo", "app", "issue_number",
                    1, "title", "t")),
            Map.entry(Tool.CREATE_ISSUE, Map.of("owner", "acme", "repo", "app", "title", "t")),
            Map.entry(Tool.CREATE_PR, Map.of("owner", "acme", "repo", "app", "title", "t",
                    "head", "agent-x", "base", "main")),
            Map.entry(Tool.CREATE_PULL_REQUEST_COMMENT, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "body", "b")),
            Map.entry(Tool.LIST_REVIEW_COMMENTS, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1)),
            Map.entry(Tool.REPLY_TO_REVIEW_COMMENT, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "comment_id", 7, "body", "b")),
            Map.entry(Tool.REQUEST_REVIEWERS, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "reviewers", List.of("octocat"))),
            Map.entry(Tool.MARK_READY_FOR_REVIEW, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1)),
            Map.entry(Tool.CREATE_CHECK_RUN, Map.of("owner", "acme", "repo", "app", "name", "c",
                    "head_sha", "0123456789abcdef0123456789abcdef01234567", "conclusion",
                    "success")),
            Map.entry(Tool.CREATE_PENDING_REVIEW, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1)),
            Map.entry(Tool.CREATE_BRANCH, Map.of("owner", "acme", "repo", "app", "branch",
                    "agent-x")),
            Map.entry(Tool.UPDATE_PULL_REQUEST_BRANCH, Map.of("owner", "acme", "repo", "app",
                    "pull_number", 1, "branch", "agent-x", "base", "main", "expected_head_sha",
                    "0123456789abcdef0123456789abcdef01234567")),
            Map.entry(Tool.PUSH_FILES, Map.of("owner", "acme", "repo", "app", "branch",
                    "agent-x", "message", "m", "files", List.of(Map.of("path", "a.txt",
                            "content", "x")))),
            Map.entry(Tool.FORGEJO_GET_FILE, Map.of("host", "codeberg.org", "owner", "acme",
                    "repo", "app", "path", "README.md")),
            Map.entry(Tool.FORGEJO_LIST_PULL_REQUESTS, Map.of("host", "codeberg.org", "owner",
                    "acme", "repo", "app")),
            Map.entry(Tool.FORGEJO_LIST_ISSUES, Map.of("host", "codeberg.org", "owner", "acme",
                    "repo", "app")),
            Map.entry(Tool.FORGEJO_API_GET, Map.of("host", "codeberg.org", "path",
                    "/repos/acme/app/issues/1")),
            Map.entry(Tool.FORGEJO_PUSH_FILES, Map.of("host", "codeberg.org", "owner", "acme",
                    "repo", "app", "branch", "agent-x", "message", "m", "files", List.of(Map.of(
                            "path", "a.txt", "content", "x")))),
            Map.entry(Tool.FORGEJO_CREATE_PR, Map.of("host", "codeberg.org", "owner", "acme",
                    "repo", "app", "title", "t", "head", "agent-x", "base", "main")),
            Map.entry(Tool.FORGEJO_CREATE_PENDING_REVIEW, Map.of("host", "codeberg.org",
                    "owner", "acme", "repo", "app", "pull_number", 1)),
            Map.entry(Tool.GITLAB_GET_FILE, Map.of("project", "acme/app", "path",
                    "README.md")),
            Map.entry(Tool.GITLAB_LIST_MERGE_REQUESTS, Map.of("project", "acme/app")),
            Map.entry(Tool.GITLAB_LIST_ISSUES, Map.of("project", "acme/sub/app")),
            Map.entry(Tool.GITLAB_API_GET, Map.of("project", "acme/app", "route",
                    "merge_requests")),
            Map.entry(Tool.GITLAB_PUSH_FILES, Map.of("project", "acme/app", "branch",
                    "agent-x", "message", "m", "files", List.of(Map.of("path", "a.txt",
                            "content", "x")))),
            Map.entry(Tool.GITLAB_CREATE_MR, Map.of("project", "acme/app", "title", "t",
                    "source_branch", "agent-x", "target_branch", "main")),
            Map.entry(Tool.GITLAB_APPROVE_MR, Map.of("project", "acme/app",
                    "merge_request_iid", 1)),
            Map.entry(Tool.JIRA_SEARCH, Map.of("project", "ACME", "jql", "status = Done")),
            Map.entry(Tool.JIRA_GET_ISSUE, Map.of("issue_key", "ACME-1")),
            Map.entry(Tool.JIRA_CREATE_ISSUE, Map.of("project", "ACME", "summary", "s")),
            Map.entry(Tool.JIRA_ADD_COMMENT, Map.of("issue_key", "ACME-1", "body", "b")),
            Map.entry(Tool.JIRA_TRANSITION_ISSUE, Map.of("issue_key", "ACME-1", "transition",
                    "Done")));

    private final Standalone tollgate;

    DenyByDefaultTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void anAgentNoGrantNamesIsDeniedEveryToolWithAReason() {
        int githubBefore = tollgate.github().requests().size();

        // one agent no grant names per forge: each stays within the per-agent rate limit
        for (Forge forge : Forge.values()) {
            String name = forge == Forge.GITHUB ? "nobody" : "nobody-" + forge.key();
            try (Standalone.Agent nobody = tollgate.agent(tollgate.mint(name))) {
                for (Tool tool : Tool.values()) {
                    if (!tool.reachesGitHub() || tool.forge() != forge) {
                        continue;
                    }
                    assertThat(EVERY_TOOL).as("a valid call of " + tool.toolName()).containsKey(
                            tool);
                    Map<String, Object> answer = nobody.call(tool.toolName(), EVERY_TOOL.get(
                            tool));

                    assertThat(answer.get("status")).as(tool + ": " + answer).isEqualTo(
                            "denied");
                    assertThat(answer.get("error_code")).isEqualTo("policy_denied");
                    // A call that touches every path meets the policy's "no secrets" deny
                    // first; every other call falls through to deny by default.
                    assertThat((String) answer.get("message")).as(tool.toolName())
                            .satisfiesAnyOf(message -> assertThat(message).contains("agent '"
                                    + name + "'").contains("deny by default"),
                                    message -> assertThat(message).contains(
                                            "denied by rule 'no secrets'").contains(
                                                    "counts as touching what the rule protects"));
                    assertThat(answer.get("policy_version")).asString().startsWith("sha256:");
                }
            }
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).as("requests that reached GitHub").isEmpty();
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void noGrantLiftsAHardBlock() {
        int githubBefore = tollgate.github().requests().size();

        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            Map<String, Object> toMain = writer.call("push_files", Map.of("owner", "acme", "repo",
                    "app", "branch", "main", "message", "m", "files", List.of(Map.of("path",
                            "a.txt", "content", "x"))));
            Map<String, Object> notAgent = writer.call("create_branch", Map.of("owner", "acme",
                    "repo", "app", "branch", "release"));
            Throwable deleteRepo = catchThrowable(() -> writer.call("delete_repo", Map.of("owner",
                    "acme", "repo", "app")));
            Map<String, Object> otherRepo = writer.call("get_file", Map.of("owner", "acme",
                    "repo", "other", "path", "README.md"));

            assertThat(toMain.get("status")).as(toMain.toString()).isEqualTo("invalid_arguments");
            assertThat((String) toMain.get("message")).contains("agent-");
            assertThat(notAgent.get("status")).isEqualTo("invalid_arguments");
            assertThat(deleteRepo).isInstanceOf(McpError.class).hasMessageStartingWith(
                    "Unknown tool 'delete_repo'");
            assertThat(otherRepo.get("status")).isEqualTo("denied");
            assertThat((String) otherRepo.get("message")).contains("acme/other");
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).as("requests that reached GitHub").isEmpty();
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void anAgentThatMayOpenDraftsOnlyCannotOpenAReadyPullRequestByEitherWay() {
        int githubBefore = tollgate.github().requests().size();

        try (Standalone.Agent writer = tollgate.agent(tollgate.mint("writer"))) {
            Map<String, Object> ready = writer.call("create_pr", Map.of("owner", "acme", "repo",
                    "app", "title", "t", "head", "agent-ready", "base", "main", "draft", false));
            Map<String, Object> takenOutOfDraft = writer.call("mark_ready_for_review", Map.of(
                    "owner", "acme", "repo", "app", "pull_number", 1));

            assertThat(ready.get("status")).as("%s", ready).isEqualTo("denied");
            assertThat((String) ready.get("message")).contains("draft pull requests only");
            assertThat(takenOutOfDraft.get("status")).as("%s", takenOutOfDraft).isEqualTo(
                    "denied");
            assertThat((String) takenOutOfDraft.get("message")).contains(
                    "mark_ready_for_review or write");
        }

        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).as("requests that reached GitHub").isEmpty();
        tollgate.assertTheCanaryIsStillAnswered();
    }
}
