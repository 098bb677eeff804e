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
        assertThat(github.requests("POST", "/repos/octo/hello/git/blobs")).as(
                "text goes inline in the tree").isEmpty();
        assertThat(github.requests("POST", "/repos/octo/hello/git/trees")).singleElement()
                .satisfies(tree -> {
                    assertThat(tree.json().path("base_tree").asString()).isNotBlank();
                    assertThat(tree.json().path("tree")).extracting(entry -> entry.path("path")
                            .asString() + "=" + entry.path("content").asString())
                            .containsExactly("a.txt=A", "dir/b.txt=B");
                });
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

    @Test
    void listCommitsGivesShaFirstLineAuthorAndDateAndPassesPathAndRef() {
        github.script("GET", "/repos/octo/hello/commits?", GitHubStandIn.json(200, JSON.readTree("""
                [{"sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                  "html_url": "https://github.com/octo/hello/commit/6dcb09b",
                  "commit": {"message": "Fix all the bugs\\n\\nLong explanation",
                             "author": {"name": "Monalisa Octocat", "email": "m@github.com",
                                        "date": "2011-04-14T16:00:49Z"}},
                  "author": {"login": "octocat"}, "parents": []}]
                """)));

        JsonNode commits = result(run(harness.decision("list_commits",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"sha\":\"agent-a\","
                        + "\"path\":\"src/a b.txt\"}")));

        assertThat(commits).singleElement().satisfies(commit -> {
            assertThat(commit.path("sha").asString()).startsWith("6dcb09b");
            assertThat(commit.path("message").asString()).isEqualTo("Fix all the bugs");
            assertThat(commit.path("author").asString()).isEqualTo("Monalisa Octocat");
            assertThat(commit.has("parents")).isFalse();
        });
        assertThat(github.requests("GET", "/repos/octo/hello/commits?")).singleElement()
                .satisfies(request -> assertThat(request.path()).isEqualTo(
                        "/repos/octo/hello/commits?sha=agent-a&path=src%2Fa%20b.txt"
                                + "&per_page=30&page=1"));
    }

    @Test
    void compareRefsGivesAheadBehindCommitsAndEachFilesPatch() {
        github.script("GET", "/repos/octo/hello/compare/", GitHubStandIn.json(200, JSON.readTree("""
                {"status": "ahead", "ahead_by": 1, "behind_by": 0, "total_commits": 1,
                 "html_url": "https://github.com/octo/hello/compare/main...agent-a",
                 "commits": [{"sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                              "commit": {"message": "Add x", "author": {"name": "a",
                                         "date": "2011-04-14T16:00:49Z"}}}],
                 "files": [{"filename": "x.txt", "status": "added", "additions": 1,
                            "deletions": 0, "changes": 1, "patch": "@@ -0,0 +1 @@\\n+x",
                            "raw_url": "https://github.com/octo/hello/raw/x/x.txt"}]}
                """)));

        JsonNode compared = result(run(harness.decision("compare_refs",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"base\":\"main\","
                        + "\"head\":\"agent-a\"}")));

        assertThat(compared.path("ahead_by").asInt()).isEqualTo(1);
        assertThat(compared.path("commits")).singleElement().satisfies(commit -> assertThat(
                commit.path("message").asString()).isEqualTo("Add x"));
        assertThat(compared.path("files")).singleElement().satisfies(file -> {
            assertThat(file.path("patch").asString()).startsWith("@@");
            assertThat(file.has("raw_url")).isFalse();
        });
        assertThat(github.requests("GET", "/repos/octo/hello/compare/")).singleElement()
                .satisfies(request -> assertThat(request.path()).isEqualTo(
                        "/repos/octo/hello/compare/main...agent-a"));
    }

    @Test
    void getTreeReadsTheDefaultBranchWhenNoRefIsNamedAndRecursesWhenAsked() {
        github.script("GET", "/repos/octo/hello/git/trees/", GitHubStandIn.json(200, JSON.readTree(
                """
                        {"sha": "9fb037999f264ba9a7fc6274d15fa3ae2ab98312", "truncated": false,
                         "tree": [{"path": "README.md", "mode": "100644", "type": "blob", "size": 30,
                                   "sha": "44b4fc6d56897b048c772eb4087f854f46256132",
                                   "url": "https://api.github.com/repos/octo/hello/git/blobs/44b4fc6"},
                                  {"path": "src", "mode": "040000", "type": "tree",
                                   "sha": "f484d249c660418515fb01c2b9662073663c242e"}]}
                        """)));

        JsonNode tree = result(run(harness.decision("get_tree",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"recursive\":true}")));

        assertThat(tree.path("ref").asString()).isEqualTo("main");
        assertThat(tree.path("entries")).extracting(entry -> entry.path("path").asString())
                .containsExactly("README.md", "src");
        assertThat(tree.path("entries").get(0).has("url")).isFalse();
        assertThat(github.requests("GET", "/repos/octo/hello/git/trees/")).singleElement()
                .satisfies(request -> assertThat(request.path()).isEqualTo(
                        "/repos/octo/hello/git/trees/main?recursive=1"));
    }

    private List<GitHubStandIn.Received> writes() {
        return github.requests().stream().filter(request -> !request.method().equals("GET")
                && request.path().startsWith("/repos/")).toList();
    }

    @Test
    void aPushOfThirtyFilesCostsThreeWritesHoweverManyFilesItCarries() {
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            files.append(i == 0 ? "" : ",").append("{\"path\":\"src/F").append(i).append(
                    ".java\",\"content\":\"class F").append(i).append(" {}\"}");
        }

        result(run(harness.decision("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\","
                + "\"branch\":\"agent-many\",\"message\":\"many\",\"files\":[" + files + "]}")));

        assertThat(writes()).extracting(request -> request.method() + " " + request.path()
                .replaceFirst("/repos/octo/hello", "")).containsExactly("POST /git/trees",
                        "POST /git/commits", "POST /git/refs");
    }

    @Test
    void aPushDeletesRenamesWritesBinaryAndMarksExecutable() {
        String png = java.util.Base64.getEncoder().encodeToString(new byte[]{(byte) 0x89, 'P',
                'N', 'G', 0, 1, 2, (byte) 0xff});

        result(run(harness.decision("push_files", "{\"owner\":\"octo\",\"repo\":\"hello\","
                + "\"branch\":\"agent-mixed\",\"message\":\"mixed\",\"files\":["
                + "{\"path\":\"old.txt\",\"delete\":true},"
                + "{\"path\":\"docs/new.md\",\"previous_path\":\"docs/old.md\",\"content\":\"x\"},"
                + "{\"path\":\"logo.png\",\"content\":\"" + png + "\",\"encoding\":\"base64\"},"
                + "{\"path\":\"run.sh\",\"content\":\"#!/bin/sh\",\"executable\":true}]}")));

        assertThat(github.requests("POST", "/repos/octo/hello/git/blobs")).singleElement()
                .satisfies(blob -> {
                    assertThat(blob.json().path("encoding").asString()).isEqualTo("base64");
                    assertThat(blob.json().path("content").asString()).isEqualTo(png);
                });
        JsonNode tree = github.requests("POST", "/repos/octo/hello/git/trees").getFirst().json()
                .path("tree");
        assertThat(tree).extracting(entry -> entry.path("path").asString() + " " + entry.path(
                "mode").asString() + " "
                + (entry.has("content")
                        ? "content"
                        : entry.path("sha").isNull() ? "deleted" : "sha"))
                .containsExactly(
                        "old.txt 100644 deleted", "docs/new.md 100644 content",
                        "docs/old.md 100644 deleted", "logo.png 100644 sha",
                        "run.sh 100755 content");
        assertThat(writes()).hasSize(4);
    }
}
