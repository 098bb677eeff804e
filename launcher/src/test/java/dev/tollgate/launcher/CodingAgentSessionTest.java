package dev.tollgate.launcher;

import static dev.tollgate.launcher.GatewayClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A coding agent's day through the standalone, as a real MCP client sees it: read an issue and
 * the code, push a fix to its fork, open a draft pull request upstream from the fork, read the
 * pull request's failing check and the failing job's log, and report on the issue. The policy is
 * service-gator's own fork workflow ({@code shared/examples/service-gator/fork-workflow.toml},
 * verbatim) plus one grant to comment on upstream's issues.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CodingAgentSessionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ADMIN_KEY = "session-admin-key-0123456789abcdef0123456789";
    private static final long UPSTREAM_INSTALLATION = 100;
    private static final long FORK_INSTALLATION = 200;

    /** service-gator's fork workflow, as its documentation writes it. */
    static final String FORK_WORKFLOW = """
            # From service-gator's documentation: push to the user's fork, create PRs upstream only.
            [gh.repos]
            # Upstream repository - can create PRs but cannot push branches
            "upstream/project" = { read = true, create-draft = true }
            # User's fork - can push branches but cannot create PRs
            "user/project" = { read = true, push-new-branch = true }
            # Documentation repo - read-only access
            "upstream/docs" = { read = true }
            """;

    @TempDir
    static Path data;

    private GitHubStandIn github;
    private GitHubStandIn.Repo upstream;
    private GitHubStandIn.Repo fork;
    private TollgateLauncher tollgate;

    @BeforeAll
    void startTollgate() throws Exception {
        github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock.systemUTC());
        upstream = github.repository("upstream", "project", UPSTREAM_INSTALLATION);
        upstream.files.put("src/app.py", "def add(a, b):\n    return a - b\n");
        fork = github.repository("user", "project", FORK_INSTALLATION);
        fork.fork = true;
        fork.files.put("src/app.py", "def add(a, b):\n    return a - b\n");
        ObjectNode issue = JSON.createObjectNode().put("id", 9001).put("number", 1).put("title",
                "add() subtracts").put("body", "add(2, 2) gives 0").put("state", "open").put(
                        "html_url", "https://github.com/upstream/project/issues/1")
                .put("node_id", "I_1");
        issue.putObject("user").put("login", "reporter");
        issue.putArray("labels");
        issue.putArray("assignees");
        upstream.issues.add(issue);
        Path key = TestApp.writeKeyFile(Files.createDirectories(data.resolve("keys")),
                "app-pkcs1.pem");
        Path policy = Files.writeString(data.resolve("policy.toml"), FORK_WORKFLOW + """

                [[grant]]
                name = "the agent reports back on upstream's issues"
                repos = ["upstream/project"]
                allow = ["comment_on_issue"]
                """);
        tollgate = GatewayClient.start(data.resolve("run"), policy, key, github, ADMIN_KEY);
    }

    @AfterAll
    void stopTollgate() {
        GatewayClient.stop(tollgate, github);
    }

    private static void assertSucceeded(String step, Map<String, Object> answer) {
        assertThat(answer.get("status")).as("%s: %s", step, answer).isEqualTo("succeeded");
    }

    @Test
    void readAnIssueAndTheCodePushAFixToTheForkOpenADraftUpstreamReadItsFailingJobAndReport()
            throws Exception {
        String token = GatewayClient.mint(tollgate.httpPort(), ADMIN_KEY, "coder", "dev");
        try (McpSyncClient agent = GatewayClient.connect(tollgate.httpPort(), token)) {
            agent.initialize();

            Map<String, Object> issue = call(agent, "get_issue", Map.of("owner", "upstream",
                    "repo", "project", "issue_number", 1));
            assertSucceeded("get_issue", issue);
            assertThat(issue.toString()).contains("add() subtracts");

            Map<String, Object> code = call(agent, "get_file", Map.of("owner", "upstream",
                    "repo", "project", "path", "src/app.py"));
            assertSucceeded("get_file", code);
            assertThat(code.toString()).contains("return a - b");

            Map<String, Object> pushUpstream = call(agent, "push_files", Map.of("owner",
                    "upstream", "repo", "project", "branch", "agent-fix-1", "message", "Fix add",
                    "files", List.of(Map.of("path", "src/app.py", "content",
                            "def add(a, b):\n    return a + b\n"))));
            assertThat(pushUpstream.get("status")).as("upstream cannot push: %s", pushUpstream)
                    .isEqualTo("denied");

            Map<String, Object> push = call(agent, "push_files", Map.of("owner", "user", "repo",
                    "project", "branch", "agent-fix-1", "message", "Fix add (#1)", "files",
                    List.of(Map.of("path", "src/app.py", "content",
                            "def add(a, b):\n    return a + b\n"),
                            Map.of("path",
                                    "tests/test_app.py", "content",
                                    "from src.app import add\n\n\ndef test_add():\n"
                                            + "    assert add(2, 2) == 4\n"))));
            assertSucceeded("push_files to the fork", push);
            String sha = ((Map<?, ?>) push.get("result")).get("commit").toString();

            Map<String, Object> draft = call(agent, "create_pr", Map.of("owner", "upstream",
                    "repo", "project", "title", "Fix add()", "body", "Fixes #1", "head",
                    "user:agent-fix-1", "base", "main"));
            assertSucceeded("create_pr from the fork", draft);

            // Upstream's CI runs on the pull request and fails.
            seedFailingCi(sha);

            Map<String, Object> checks = call(agent, "list_check_runs", Map.of("owner",
                    "upstream", "repo", "project", "ref", sha));
            assertSucceeded("list_check_runs", checks);
            assertThat(checks.toString()).contains("conclusion=failure");
            Map<String, Object> runs = call(agent, "list_workflow_runs", Map.of("owner",
                    "upstream", "repo", "project", "head_sha", sha));
            assertSucceeded("list_workflow_runs", runs);
            assertThat(runs.toString()).contains("id=12");
            Map<String, Object> jobs = call(agent, "list_workflow_jobs", Map.of("owner",
                    "upstream", "repo", "project", "run_id", 12));
            assertSucceeded("list_workflow_jobs", jobs);
            assertThat(jobs.toString()).contains("id=34", "conclusion=failure");
            Map<String, Object> log = call(agent, "get_job_log", Map.of("owner", "upstream",
                    "repo", "project", "job_id", 34, "tail_lines", 4));
            assertSucceeded("get_job_log", log);
            assertThat(log.toString()).contains("ModuleNotFoundError: No module named 'src'")
                    .doesNotContain("collecting ...");

            Map<String, Object> comment = call(agent, "comment_on_issue", Map.of("owner",
                    "upstream", "repo", "project", "issue_number", 1, "body",
                    "A draft fix is up: #2. CI fails on an import; looking at it."));
            assertSucceeded("comment_on_issue", comment);
        }

        assertThat(fork.refs).as("the fork has the agent's branch").containsKey("agent-fix-1");
        assertThat(upstream.refs).as("nothing was pushed upstream").doesNotContainKey(
                "agent-fix-1");
        assertThat(upstream.issues).hasSize(2).last().satisfies(pull -> {
            assertThat(pull.path("draft").asBoolean()).as("a draft").isTrue();
            assertThat(pull.path("head").path("label").asString()).isEqualTo("user:agent-fix-1");
            assertThat(pull.path("head").path("repo").path("full_name").asString()).isEqualTo(
                    "user/project");
        });
        assertThat(upstream.comments.get(1L)).singleElement().satisfies(c -> assertThat(c.path(
                "body").asString()).startsWith("A draft fix is up"));
        assertThat(github.mints()).as("upstream was never given a token that writes contents")
                .noneMatch(mint -> mint.installationId() == UPSTREAM_INSTALLATION && "write"
                        .equals(mint.permissions().get("contents")))
                .as("the fork was never given one that writes pull requests")
                .noneMatch(mint -> mint.installationId() == FORK_INSTALLATION && mint
                        .permissions().containsKey("pull_requests"));
    }

    private void seedFailingCi(String sha) {
        upstream.checkRuns.add(JSON.createObjectNode().put("id", 55).put("name", "test").put(
                "head_sha", sha).put("status", "completed").put("conclusion", "failure").put(
                        "html_url", "https://github.com/upstream/project/runs/55"));
        upstream.workflowRuns.add(JSON.createObjectNode().put("id", 12).put("name", "CI").put(
                "head_branch", "agent-fix-1").put("head_sha", sha).put("event", "pull_request")
                .put("status", "completed").put("conclusion", "failure").put("run_number", 7));
        ObjectNode job = JSON.createObjectNode().put("id", 34).put("run_id", 12).put("name",
                "test").put("status", "completed").put("conclusion", "failure");
        job.putArray("steps").addObject().put("number", 4).put("name", "pytest").put("status",
                "completed").put("conclusion", "failure");
        upstream.workflowJobs.put(12L, List.of(job));
        upstream.jobLogs.put(34L, "collecting ...\n".repeat(40)
                + "E   ModuleNotFoundError: No module named 'src'\n"
                + "FAILED tests/test_app.py::test_add\n1 failed in 0.02s\n"
                + "Error: Process completed with exit code 1.\n");
    }
}
