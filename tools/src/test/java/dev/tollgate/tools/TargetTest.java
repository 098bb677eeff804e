package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {

    private static Target of(Tool tool, Map<String, Object> args) {
        return tool.definition().validate(args).requireTarget();
    }

    @Test
    void getFileNamesItsPathAndRef() {
        Target target = of(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a/b.txt",
                "ref", "release"));

        assertThat(target.paths()).isEqualTo(Scope.of(List.of("a/b.txt")));
        assertThat(target.branches()).isEqualTo(Scope.of(List.of("release")));
        assertThat(target.numbers().isNone()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"deadbeef", "0123456789abcdef0123456789abcdef01234567", "CAFE"})
    void aRefThatMayBeACommitShaReachesEveryBranch(String ref) {
        Target target = of(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a",
                "ref", ref));

        assertThat(target.branches().isEvery()).isTrue();
        assertThat(target.branches().every().orElseThrow()).contains("commit SHA");
    }

    /** ref | the branches it names ('+'-joined) | every branch. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "embargo-cve               | embargo-cve              | false",
            "heads/embargo-cve         | embargo-cve              | false",
            "tags/v1.0                 | v1.0                     | false",
            "release/v2                | release/v2               | false",
            "heads/release/v2          | release/v2               | false",
            "heads/pull/7/head         | pull/7/head              | false",
            "HEADS/embargo-cve         | HEADS/embargo-cve+embargo-cve | false",
            "pull/77/head              | -                        | true",
            "pull/77/merge             | -                        | true",
            "remotes/origin/embargo    | -                        | true"})
    void aRefIsNamedAsTheBranchOrTagItSpells(String ref, String named, boolean every) {
        Target target = of(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a",
                "ref", ref));

        assertThat(target.branches().named()).isEqualTo(named == null
                ? List.of()
                : List.of(named.split("\\+")));
        assertThat(target.branches().isEvery()).isEqualTo(every);
    }

    @ParameterizedTest
    @ValueSource(strings = {"refs/heads/embargo-cve", "refs/tags/embargo-cve"})
    void aFullyQualifiedRefInThePassthroughNamesItsBranch(String ref) {
        Target target = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/contents/a", "query",
                Map.of("ref", ref)));

        assertThat(target.branches().named()).containsExactly("embargo-cve");
        assertThat(target.branches().isEvery()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"refs/pull/77/head", "refs/remotes/origin/x", "refs/notes/commits",
            "refs/heads/"})
    void aFullyQualifiedRefOutsideBranchesAndTagsReachesEveryBranch(String ref) {
        Target target = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/contents/a", "query",
                Map.of("ref", ref)));

        assertThat(target.branches().isEvery()).isTrue();
    }

    /** ref | the pull request number it names. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "pull/99/head                 | 99",
            "pull/99/merge                | 99",
            "PULL/99/HEAD                 | 99",
            "pull/099/head                | 99",
            "merge-requests/99/head       | 99"})
    void aPullRequestsRefNamesThatPullRequestAndEveryBranch(String ref, long number) {
        Target target = of(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a",
                "ref", ref));

        assertThat(target.numbers().named()).containsExactly(number);
        assertThat(target.numberKind()).isEqualTo(Target.NumberKind.PULL_REQUEST);
        assertThat(target.branches().isEvery()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"refs/pull/99/head", "refs/pull/99/merge", "REFS/PULL/99/head",
            "main..refs/pull/99/head", "refs/merge-requests/99/merge", "pull/99/head~1",
            "pull/99/head^{tree}"})
    void aPullRequestsFullRefInThePassthroughNamesThatPullRequest(String ref) {
        Target contents = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/contents/a",
                "query", Map.of("ref", ref)));
        Target commits = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/commits", "query",
                Map.of("sha", ref)));

        assertThat(contents.numbers().named()).containsExactly(99L);
        assertThat(commits.numbers().named()).containsExactly(99L);
        assertThat(contents.branches().isEvery()).isTrue();
    }

    @Test
    void aPullRequestsRefInACommitsPathOrAComparisonNamesThatPullRequest() {
        Target commit = of(Tool.GITHUB_API_GET, Map.of("path",
                "/repos/o/r/commits/pull/99/head"));
        Target compared = of(Tool.COMPARE_REFS, Map.of("owner", "o", "repo", "r", "base",
                "pull/42/head", "head", "pull/99/head"));
        Target tree = of(Tool.GET_TREE, Map.of("owner", "o", "repo", "r", "ref",
                "pull/99/merge"));

        assertThat(commit.numbers().named()).containsExactly(99L);
        assertThat(compared.numbers().named()).containsExactly(42L, 99L);
        assertThat(tree.numbers().named()).containsExactly(99L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"heads/pull/7/head", "release/pull/7/head", "pull-7", "main"})
    void aBranchWhoseNameHoldsPullNamesNoPullRequest(String ref) {
        Target target = of(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a",
                "ref", ref));

        assertThat(target.numbers().isNone()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"main..embargo", "main...embargo", "embargo/", "embargo cve",
            "embargo?", "embargo.lock", "a//embargo", "pipelines/12", "environments/prod",
            "keep-around/0123456789abcdef0123456789abcdef01234567"})
    void aQueryRefThatIsNoBranchNameGitAcceptsReachesEveryBranch(String ref) {
        Target target = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/contents/a", "query",
                Map.of("ref", ref)));

        assertThat(target.branches().isEvery()).as(target.branches().toString()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ref[]", "ref[x]", "sha[]", "path[]", "REF", "Sha"})
    void anotherSpellingOfAQueryParameterThatChoosesWhatIsReadIsRefused(String key) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> of(Tool.GITHUB_API_GET, Map.of(
                "path", "/repos/o/r/contents/a", "query", Map.of(key, "embargo-cve"))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(
                        "another spelling of");
    }

    @Test
    void updatingAPullRequestsBranchNamesItsHeadAndItsBase() {
        Target target = of(Tool.UPDATE_PULL_REQUEST_BRANCH, Map.of("owner", "o", "repo", "r",
                "pull_number", 7, "branch", "agent-x", "base", "heads/embargo",
                "expected_head_sha", "0123456789abcdef0123456789abcdef01234567"));

        assertThat(target.branch()).isEqualTo("agent-x");
        assertThat(target.base()).isEqualTo("heads/embargo");
        assertThat(target.numbers().named()).containsExactly(7L);
        assertThat(target.branches().named()).containsExactly("agent-x");
        assertThat(target.branchesReached().named()).containsExactly("agent-x", "embargo");
    }

    @Test
    void updatingAPullRequestsBranchWithoutNamingItsBaseIsRefusedAtTheDoor() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> of(
                Tool.UPDATE_PULL_REQUEST_BRANCH, Map.of("owner", "o", "repo", "r", "pull_number",
                        7, "branch", "agent-x", "expected_head_sha",
                        "0123456789abcdef0123456789abcdef01234567")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("base");
    }

    @Test
    void aPathInsideAFullyQualifiedRevisionReachesEveryPath() {
        Target target = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/contents/a", "query",
                Map.of("ref", "refs/heads/main:secrets/x")));

        assertThat(target.paths().isEvery()).isTrue();
        assertThat(target.branches().named()).containsExactly("main");
    }

    @Test
    void aPullRequestsBaseIsABranchItReachesButNotOneItReadsOrWrites() {
        Target target = of(Tool.CREATE_PR, Map.of("owner", "o", "repo", "r", "title", "t",
                "head", "agent-x", "base", "heads/embargo"));

        assertThat(target.branchesReached().named()).containsExactly("agent-x", "embargo");
        assertThat(target.branches().named()).containsExactly("agent-x");
    }

    @Test
    void readingTheDefaultBranchNamesNoRef() {
        Target target = of(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a"));

        assertThat(target.branches().isNone()).isTrue();
    }

    @Test
    void listingPullRequestsRevealsEveryPullRequest() {
        Target target = of(Tool.LIST_PULL_REQUESTS, Map.of("owner", "o", "repo", "r"));

        assertThat(target.numbers().isEvery()).isTrue();
        assertThat(target.numberKind()).isEqualTo(Target.NumberKind.PULL_REQUEST);
    }

    @Test
    void pushFilesWritesItsBranchAndTouchesEveryFilePath() {
        Target target = of(Tool.PUSH_FILES, Map.of("owner", "o", "repo", "r", "branch",
                "agent-x", "message", "m", "files", List.of(Map.of("path", "a", "content", "x"),
                        Map.of("path", "b/c", "content", "x"))));

        assertThat(target.branch()).isEqualTo("agent-x");
        assertThat(target.paths().named()).containsExactly("a", "b/c");
        assertThat(target.branches().named()).containsExactly("agent-x");
    }

    @Test
    void createBranchWritesOneBranchAndReadsAnother() {
        Target target = of(Tool.CREATE_BRANCH, Map.of("owner", "o", "repo", "r", "branch",
                "agent-x", "from", "release"));

        assertThat(target.branch()).isEqualTo("agent-x");
        assertThat(target.refs().named()).containsExactly("release");
        assertThat(target.branches().named()).containsExactly("agent-x", "release");
    }

    @Test
    void createPrNamesBaseHeadAndDraft() {
        Target target = of(Tool.CREATE_PR, Map.of("owner", "o", "repo", "r", "title", "t",
                "head", "agent-x", "base", "main", "draft", false));

        assertThat(target.base()).isEqualTo("main");
        assertThat(target.head()).isEqualTo(new Target.Head("o", "r", "agent-x"));
        assertThat(target.draft()).isFalse();
        assertThat(target.branches().named()).containsExactly("agent-x");
    }

    @Test
    void reviewCommentsTouchTheirPathsAndThePullRequest() {
        Target target = of(Tool.CREATE_PENDING_REVIEW, Map.of("owner", "o", "repo", "r",
                "pull_number", 4, "comments", List.of(Map.of("path", "src/x.c", "line", 3,
                        "body", "b"))));

        assertThat(target.numbers().named()).containsExactly(4L);
        assertThat(target.paths().named()).containsExactly("src/x.c");
    }

    @Test
    void describeNamesEachPartItHas() {
        Target target = of(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/pulls/9/files"));

        assertThat(target.describe()).contains("repository: o/r", "numbers: [9]",
                "paths: every (");
    }

    @Test
    void everyTargetOfEveryRemoteToolNamesItsRepository() {
        for (Tool tool : Tool.values()) {
            assertThat(tool.definition().target().isPresent()).as(tool.toolName())
                    .isEqualTo(tool.reachesGitHub());
        }
    }

    private static Map<String, Object> push(Map<String, Object> file) {
        return Map.of("owner", "o", "repo", "r", "branch", "agent-x", "message", "m", "files",
                List.of(file));
    }

    @Test
    void aRenameTouchesBothPathsAndADeleteItsPath() {
        Target renamed = of(Tool.PUSH_FILES, push(Map.of("path", "b.txt", "previous_path",
                "secrets/a.txt", "content", "x")));
        Target deleted = of(Tool.PUSH_FILES, push(Map.of("path", "secrets/a.txt", "delete",
                true)));

        assertThat(renamed.paths()).isEqualTo(Scope.of(List.of("b.txt", "secrets/a.txt")));
        assertThat(deleted.paths()).isEqualTo(Scope.of(List.of("secrets/a.txt")));
    }

    @Test
    void aPushChangeThatIsNeitherAWriteNorADeleteIsRefusedAtTheDoor() {
        for (Map<String, Object> file : List.<Map<String, Object>>of(Map.of("path", "a"),
                Map.of("path", "a", "delete", true, "content", "x"),
                Map.of("path", "a", "delete", true, "previous_path", "b"),
                Map.of("path", "a", "content", "not base64!", "encoding", "base64"),
                Map.of("path", "a", "content", "x", "previous_path", "a"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> of(Tool.PUSH_FILES, push(
                    file))).as(file.toString()).isInstanceOf(InvalidArgumentException.class);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> of(Tool.PUSH_FILES, Map.of(
                "owner", "o", "repo", "r", "branch", "agent-x", "message", "m", "files", List.of(
                        Map.of("path", "a", "content", "1"), Map.of("path", "a", "delete",
                                true)))))
                .hasMessageContaining("second time");
    }
}
