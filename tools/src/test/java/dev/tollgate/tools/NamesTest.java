package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"octo", "Octo-Cat", "a", "a1-b2-c3",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abc"})
    void acceptsGitHubOwnerNamesAndLowerCasesThem(String owner) {
        assertThat(Names.owner("owner", owner)).isEqualTo(owner.toLowerCase());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-octo", "octo-", "oc--to", "oc_to", "oc.to", "oc/to", "oc to",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd", "ö", "octo\u0000"})
    void refusesOwnerNamesGitHubDoesNotAllow(String owner) {
        assertThatThrownBy(() -> Names.owner("owner", owner))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("'owner' is not a valid GitHub owner");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "Hello-World", "my.repo", "_private", "a", ".github",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void acceptsRepositoryNamesAndLowerCasesThem(String repo) {
        assertThat(Names.repo("repo", repo)).isEqualTo(repo.toLowerCase());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "a b", "a%2fb", "ä",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void refusesRepositoryNamesGitHubDoesNotAllow(String repo) {
        assertThatThrownBy(() -> Names.repo("repo", repo))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'repo'");
    }

    @Test
    void refusesRepositoryNamesWithGitSuffix() {
        assertThatThrownBy(() -> Names.repo("repo", "hello.GIT"))
                .hasMessage("'repo' must be the repository name without the '.git' suffix");
    }

    @ParameterizedTest
    @ValueSource(strings = {"README.md", "src/main/App.java", ".github/workflows/ci.yml",
            "dir/.hidden", "a..b/c", "100%.txt", "name with spaces.txt", "ünïcode/fïle"})
    void acceptsRelativeFilePaths(String path) {
        assertThat(Names.filePath("path", path)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "a/../../b", "a/..", "..", "./a", "a/./b"})
    void refusesDotSegments(String path) {
        assertThatThrownBy(() -> Names.filePath("path", path))
                .hasMessage("'path' must not contain '.' or '..' segments (no path traversal)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "/", "C:/Windows", "c:x"})
    void refusesAbsolutePaths(String path) {
        assertThatThrownBy(() -> Names.filePath("path", path))
                .hasMessage("'path' must be relative to the repository root (no leading '/')");
    }

    @Test
    void refusesNulInPaths() {
        assertThatThrownBy(() -> Names.filePath("path", "a\u0000b"))
                .hasMessage("'path' must not contain NUL characters");
    }

    @Test
    void refusesControlCharactersInPaths() {
        assertThatThrownBy(() -> Names.filePath("path", "a\nb"))
                .hasMessage("'path' must not contain control characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\b", "..\\windows", "\\\\server\\share"})
    void refusesBackslashes(String path) {
        assertThatThrownBy(() -> Names.filePath("path", path))
                .hasMessage("'path' must not contain backslashes: separate directories with '/'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%2e%2e/etc", "%2E%2E%2Fetc", "a%2fb", "..%2fetc", "a%5cb", "a%00b",
            "%252e%252e/etc", "a/%2e/b", "docs/%zz/%2e%2e/x", "%zz%2e%2e/etc", "a%%2e%2e/x",
            "%2%2e%2e/etc", "x/%25zz%2e/y"})
    void refusesPercentEncodedTraversal(String path) {
        assertThatThrownBy(() -> Names.filePath("path", path))
                .hasMessageContaining("percent-encoded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a//b", "a/", "a/b/"})
    void refusesEmptySegments(String path) {
        assertThatThrownBy(() -> Names.filePath("path", path))
                .hasMessageContaining("empty segments");
    }

    @Test
    void refusesOverlongPaths() {
        assertThatThrownBy(() -> Names.filePath("path", "a".repeat(4097)))
                .hasMessage("'path' is longer than 4096 characters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "feature/x", "v1.2.3", "agent-fix_1", "release/2026.10"})
    void acceptsGitRefs(String ref) {
        assertThat(Names.gitRef("ref", ref)).isEqualTo(ref);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b",
            "/main", "main/", "a//b", "main.lock", "main.", "@", "a@{1}", "-rf", ".hidden",
            "x/.y", "refs/heads/main"})
    void refusesInvalidGitRefs(String ref) {
        assertThatThrownBy(() -> Names.gitRef("ref", ref))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("'ref' ");
    }

    @Test
    void agentBranchesMustStartWithAgentPrefix() {
        assertThat(Names.agentBranch("branch", "agent-fix")).isEqualTo("agent-fix");

        assertThatThrownBy(() -> Names.agentBranch("branch", "main"))
                .hasMessage("'branch' must name a branch starting with 'agent-' "
                        + "(agents only write their own branches)");
        assertThatThrownBy(() -> Names.agentBranch("branch", "agent-"))
                .hasMessageContaining("starting with 'agent-'");
        assertThatThrownBy(() -> Names.agentBranch("branch", "Agent-x"))
                .hasMessageContaining("starting with 'agent-'");
    }

    @Test
    void commitShasAreFullAndLowerCased() {
        String sha = "ABCDEF0123456789abcdef0123456789ABCDEF01";

        assertThat(Names.commitSha("head_sha", sha)).isEqualTo(sha.toLowerCase());
        assertThatThrownBy(() -> Names.commitSha("head_sha", "abc123"))
                .hasMessage("'head_sha' must be a full commit SHA (40 hexadecimal digits)");
    }

    @Test
    void apiPathsAreNormalizedUnderOneRepository() {
        assertThat(Names.apiPath("path", "/repos/Octo/Hello/issues/1/comments"))
                .isEqualTo("/repos/octo/hello/issues/1/comments");
        assertThat(Names.apiPath("path", "/repos/octo/hello"))
                .isEqualTo("/repos/octo/hello");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/user", "/orgs/octo", "repos/octo/hello", "/repos/octo",
            "/repos/octo/hello/../../orgs/x", "/repos/octo/hello/./x", "/repos/octo/hello?x=1",
            "/repos/octo/hello#x", "/repos/octo/hello/%2e%2e/x", "/repos/octo/hello//x",
            "/repos/-bad/hello", "/repos/octo/hello/a b", "/repos/octo/hello\\x"})
    void refusesApiPathsOutsideOneRepository(String path) {
        assertThatThrownBy(() -> Names.apiPath("path", path))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("'path' ");
    }

    @Test
    void requestIdsAreUuids() {
        assertThat(Names.requestId("request_id", "0F8FAD5B-D9CB-469F-A165-70867728950E"))
                .isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
        assertThatThrownBy(() -> Names.requestId("request_id", "42"))
                .hasMessageContaining("'request_id' must be a request ID");
    }
    @Test
    void aPullRequestHeadIsABranchOrOwnerColonBranch() {
        assertThat(Names.pullRequestHead("head", "agent-fix")).isEqualTo("agent-fix");
        assertThat(Names.pullRequestHead("head", "Octo-Cat:agent-fix")).isEqualTo(
                "octo-cat:agent-fix");
        for (String bad : List.of(":agent-fix", "octo:", "-x:main", "octo:a:b", "octo:..",
                "octo:a b", "a/b:main")) {
            assertThatThrownBy(() -> Names.pullRequestHead("head",
                    bad)).as(bad).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret repo:other/app", "x org:acme", "USER:me y", "a OR(repo:x/y)",
            "\"repo:quoted/too\"", "owner :acme", "-repo:x/y", "enterprise:big", "fork:true",
            "superuser:x"})
    void searchQueriesMayNotChooseWhereToSearch(String query) {
        assertThatThrownBy(() -> Names.searchQuery("query", query)).isInstanceOf(
                InvalidArgumentException.class).hasMessageContaining(
                        "must not choose where to search");
    }

    @Test
    void searchQueriesKeepQualifiersThatNarrowAndAreBounded() {
        assertThat(Names.searchQuery("query", "  token path:src/ language:java is:open "))
                .isEqualTo(
                        "token path:src/ language:java is:open");
        assertThatThrownBy(() -> Names.searchQuery("query", "x".repeat(257))).hasMessageContaining(
                "1 to 256");
        assertThatThrownBy(() -> Names.searchQuery("query", "   ")).hasMessageContaining(
                "1 to 256");
        assertThatThrownBy(() -> Names.searchQuery("query", "a\u0000b")).isInstanceOf(
                InvalidArgumentException.class);
    }
}
