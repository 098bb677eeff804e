package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class GitDataToolsTest extends HarnessTest {

    @Test
    void createBranchStartsFromTheDefaultBranch() {
        JsonNode branch = result(run(harness.decision("create_branch",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-fix\"}",
                "branch-not-default", "branch-not-protected")));

        assertThat(branch.path("created").asBoolean()).isTrue();
        assertThat(hello.refs).containsEntry("agent-fix", hello.refs.get("main"));
    }

    @Test
    void pushFilesBuildsOneCommitWithTheGitDataApiOnANewAgentBranch() {
        String main = hello.refs.get("main");

        JsonNode pushed = result(run(harness.decisionFor("push-1", "push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-work\",\"message\":"
                        + "\"Add files\",\"files\":[{\"path\":\"a.txt\",\"content\":\"A\"},"
                        + "{\"path\":\"dir/b.txt\",\"content\":\"B\"}]}",
                "branch-not-default", "branch-not-protected")));

        String commit = pushed.path("commit").asString();
        assertThat(hello.refs).containsEntry("agent-work", commit);
        assertThat(hello.commits.get(commit).path("parents").get(0).path("sha").asString())
                .isEqualTo(main);
        assertThat(hello.commits.get(commit).path("message").asString()).isEqualTo(
                "Add files\n\nTollgate-Request-Id: push-1");
        assertThat(github.requests("POST", "/repos/octo/hello/git/blobs")).hasSize(2);
        assertThat(github.requests("POST", "/repos/octo/hello/git/trees")).singleElement()
                .satisfies(tree -> assertThat(tree.json().path("base_tree").asString())
                        .isNotBlank());
        assertThat(pushed.path("branch_created").asBoolean()).isTrue();
        assertThat(github.mints()).singleElement().satisfies(mint -> assertThat(mint
                .permissions()).isEqualTo(Map.of("contents", "write")));
    }

    @Test
    void pushFilesFastForwardsAnExistingAgentBranchAndNeverForces() {
        run(harness.decision("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":"
                + "\"agent-work\",\"message\":\"one\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}"));
        String first = hello.refs.get("agent-work");

        JsonNode second = result(run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-work\",\"message\":"
                        + "\"two\",\"files\":[{\"path\":\"a\",\"content\":\"2\"}]}")));

        assertThat(second.path("branch_created").asBoolean()).isFalse();
        assertThat(hello.commits.get(hello.refs.get("agent-work")).path("parents").get(0).path(
                "sha").asString()).isEqualTo(first);
        assertThat(github.requests("PATCH", "/repos/octo/hello/git/refs/heads/agent-work"))
                .singleElement().satisfies(patch -> assertThat(patch.json().path("force")
                        .asBoolean()).isFalse());
        assertThat(hello.forcedUpdates).isEmpty();
    }

    @Test
    void pushFilesToABranchThatMovedIsAConflictNotAForcePush() {
        run(harness.decision("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":"
                + "\"agent-work\",\"message\":\"one\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}"));
        github.script("PATCH", "/repos/octo/hello/git/refs/heads/agent-work", GitHubStandIn.json(
                422, "{\"message\":\"Update is not a fast forward\"}"));

        ToolCallCompleted completed = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-work\",\"message\":"
                        + "\"two\",\"files\":[{\"path\":\"a\",\"content\":\"2\"}]}"));

        assertThat(completed.getErrorCode()).isEqualTo("conflict");
        assertThat(completed.getMessage()).contains("nothing was force-updated");
        assertThat(hello.forcedUpdates).isEmpty();
    }

    @Test
    void branchesThatAreNotAgentBranchesAreRefusedBeforeAnyWrite() {
        ToolCallCompleted completed = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"main\",\"message\":\"x\","
                        + "\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}"));

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(github.requests().stream().filter(r -> !r.method().equals("GET") && !r.path()
                .startsWith("/app/"))).isEmpty();
    }

    @Test
    void requireForkRefusesARepositoryThatIsNotAFork() {
        ToolCallCompleted completed = run(harness.decision("create_branch",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-x\"}", "require-fork"));

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(completed.getMessage()).contains("require-fork", "not a fork");
        assertThat(hello.refs).doesNotContainKey("agent-x");
    }

    @Test
    void requireForkAllowsAFork() {
        hello.fork = true;

        ToolCallCompleted completed = run(harness.decision("create_branch",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-x\"}", "require-fork"));

        assertThat(completed.getStatus()).isEqualTo(CallStatus.SUCCEEDED);
    }

    @Test
    void aProtectedOrDefaultBranchIsRefusedByThePreconditions() {
        hello.refs.put("agent-protected", hello.refs.get("main"));
        hello.protectedBranches.add("agent-protected");
        hello.defaultBranch = "agent-default";
        hello.refs.put("agent-default", hello.refs.get("main"));

        ToolCallCompleted onProtected = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-protected\",\"message\":"
                        + "\"x\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}",
                "branch-not-protected"));
        ToolCallCompleted onDefault = run(harness.decision("push_files",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"branch\":\"agent-default\",\"message\":"
                        + "\"x\",\"files\":[{\"path\":\"a\",\"content\":\"1\"}]}",
                "branch-not-default"));

        assertThat(onProtected.getMessage()).contains("branch-not-protected");
        assertThat(onDefault.getMessage()).contains("branch-not-default");
        assertThat(github.requests("POST", "/repos/octo/hello/git/blobs")).isEmpty();
    }

    @Test
    void anUnknownPreconditionRefusesTheCall() {
        ToolCallCompleted completed = run(harness.decision("create_issue",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"title\":\"t\"}", "moon-is-full"));

        assertThat(completed.getErrorCode()).isEqualTo("forbidden");
        assertThat(hello.issues).isEmpty();
    }

    @Test
    void listBranchesNamesEachBranchItsHeadAndWhetherItIsProtected() {
        hello.refs.put("agent-x", hello.refs.get("main"));
        hello.protectedBranches.add("main");

        JsonNode all = result(run(harness.decision("list_branches",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}")));
        JsonNode onlyProtected = result(run(harness.decision("list_branches",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"protected\":true,\"per_page\":50}")));

        assertThat(all).extracting(branch -> branch.path("name").asString()).containsExactly(
                "agent-x", "main");
        assertThat(all.get(1).path("protected").asBoolean()).isTrue();
        assertThat(all.get(0).path("sha").asString()).isEqualTo(hello.refs.get("main"));
        assertThat(onlyProtected).extracting(branch -> branch.path("name").asString())
                .containsExactly("main");
        assertThat(github.requests("GET", "/repos/octo/hello/branches?protected=true"))
                .singleElement().satisfies(request -> assertThat(request.path()).contains(
                        "per_page=50"));
        assertThat(github.mints()).allSatisfy(mint -> assertThat(mint.permissions()).isEqualTo(
                java.util.Map.of("contents", "read")));
    }
}
