package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Forgejo tools' definitions: host, names and targets, and the passthrough's routes. */
class ForgejoToolsTest {

    private static Target of(Tool tool, Map<String, Object> args) {
        return tool.definition().validate(args).requireTarget();
    }

    @Test
    void aForgejoToolActsOnTheHostItNamesLowerCased() {
        Target target = of(Tool.FORGEJO_GET_FILE, Map.of("host", "Codeberg.ORG", "owner",
                "Some_User.x", "repo", "Proj", "path", "src/a.c", "ref", "main"));

        assertThat(target.host()).isEqualTo("codeberg.org");
        assertThat(target.repository()).isEqualTo("some_user.x/proj");
        assertThat(target.paths().named()).containsExactly("src/a.c");
        assertThat(target.describe()).contains("on codeberg.org");
        assertThat(Tool.FORGEJO_GET_FILE.forge()).isEqualTo(Forge.FORGEJO);
        assertThat(Tool.GET_FILE.forge()).isEqualTo(Forge.GITHUB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://codeberg.org", "codeberg.org/api", "user@codeberg.org",
            "codeberg.org:99999x", "-bad.org", "", "code berg.org"})
    void aHostIsOnlyAHostName(String host) {
        assertThatThrownBy(() -> of(Tool.FORGEJO_GET_FILE, Map.of("host", host, "owner", "u",
                "repo", "r", "path", "a"))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("host");
    }

    @Test
    void aHostWithAPortIsOne() {
        assertThat(of(Tool.FORGEJO_LIST_ISSUES, Map.of("host", "git.example.com:3000", "owner",
                "u", "repo", "r")).host()).isEqualTo("git.example.com:3000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"_lead", "trail.", "a..b", "has/slash"})
    void forgejoOwnersFollowForgejosRule(String owner) {
        assertThatThrownBy(() -> of(Tool.FORGEJO_GET_FILE, Map.of("host", "codeberg.org",
                "owner", owner, "repo", "r", "path", "a"))).isInstanceOf(
                        InvalidArgumentException.class)
                .hasMessageContaining("owner");
    }

    @Test
    void aPushWritesItsAgentBranchAndEveryPathItChanges() {
        Target target = of(Tool.FORGEJO_PUSH_FILES, Map.of("host", "codeberg.org", "owner", "u",
                "repo", "r", "branch", "agent-x", "message", "m", "from", "dev", "files", List.of(
                        Map.of("path", "a.txt", "content", "A"), Map.of("path", "b.txt",
                                "previous_path", "old.txt", "content", "B"),
                        Map.of("path",
                                "gone.txt", "delete", true))));

        assertThat(target.branch()).isEqualTo("agent-x");
        assertThat(target.refs().named()).containsExactly("dev");
        assertThat(target.paths().named()).containsExactly("a.txt", "b.txt", "old.txt",
                "gone.txt");
        assertThatThrownBy(() -> of(Tool.FORGEJO_PUSH_FILES, Map.of("host", "codeberg.org",
                "owner", "u", "repo", "r", "branch", "main", "message", "m", "files", List.of(
                        Map.of("path", "a.txt", "content", "A")))))
                .isInstanceOf(
                        InvalidArgumentException.class)
                .hasMessageContaining("agent-");
    }

    @Test
    void aPullRequestIsADraftUnlessSaidAndItsHeadIsInTheSameRepository() {
        Target target = of(Tool.FORGEJO_CREATE_PR, Map.of("host", "codeberg.org", "owner", "u",
                "repo", "r", "title", "t", "head", "agent-x", "base", "main"));

        assertThat(target.draft()).isTrue();
        assertThat(target.head().repository()).isEqualTo("u/r");
        assertThat(target.headRepository()).isEmpty();
        assertThatThrownBy(() -> of(Tool.FORGEJO_CREATE_PR, Map.of("host", "codeberg.org",
                "owner", "u", "repo", "r", "title", "t", "head", "fork:agent-x", "base",
                "main"))).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void thePassthroughReadsCodeHistoryIssuesAndPullsAndCountsAsReadingAllOfThem() {
        Target target = of(Tool.FORGEJO_API_GET, Map.of("host", "codeberg.org", "path",
                "/repos/U/R/issues/3/comments"));

        assertThat(target.repository()).isEqualTo("u/r");
        assertThat(target.host()).isEqualTo("codeberg.org");
        assertThat(target.paths().isEvery()).isTrue();
        assertThat(target.refs().isEvery()).isTrue();
        assertThat(target.numbers().isEvery()).isTrue();
        assertThat(of(Tool.FORGEJO_API_GET, Map.of("host", "codeberg.org", "path",
                "/repos/u/r")).paths().isNone()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/u/r/hooks", "/repos/u/r/keys", "/repos/u/r/collaborators",
            "/repos/u/r/actions/secrets", "/repos/u/r/raw/a.txt", "/repos/u/r/teams",
            "/repos/u/r/../../admin/users", "/users/u", "/repos/u/r/contents/%2e%2e/x",
            // a compare's head in another repository (owner:branch, owner/repo:branch), however
            // spelled: Forgejo would read the other repository
            "/repos/u/r/compare/main...evil:main", "/repos/u/r/compare/main...evil%3Amain",
            "/repos/u/r/compare/main...evil/secret:main", "/repos/u/r/contents/a%2Fb",
            "/repos/u/r/contents/a%252Fb", "/repos/u/r/issues;x=1", "/repos/u/r/issues/1#x"})
    void thePassthroughRefusesWhatIsNotCodeHistoryIssuesOrPulls(String path) {
        assertThatThrownBy(() -> of(Tool.FORGEJO_API_GET, Map.of("host", "codeberg.org", "path",
                path))).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(
                        "path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sudo", "SUDO", "sudo[]"})
    void thePassthroughRefusesToActAsAnotherUser(String key) {
        assertThatThrownBy(() -> of(Tool.FORGEJO_API_GET, Map.of("host", "codeberg.org", "path",
                "/repos/u/r/issues", "query", Map.of(key, "admin")))).isInstanceOf(
                        InvalidArgumentException.class)
                .hasMessageContaining("query." + key);
        assertThat(of(Tool.FORGEJO_API_GET, Map.of("host", "codeberg.org", "path",
                "/repos/u/r/issues", "query", Map.of("state", "all"))).repository())
                .isEqualTo("u/r");
    }

    @Test
    void listingAForgesPassthroughKeepsThatForgesReadsOnly() {
        Set<String> narrowed = Set.of("forgejo_api_get");

        assertThat(ToolGrant.narrowingKeeps(narrowed, Tool.FORGEJO_GET_FILE)).isTrue();
        assertThat(ToolGrant.narrowingKeeps(narrowed, Tool.GET_FILE)).isFalse();
        assertThat(ToolGrant.narrowingKeeps(narrowed, Tool.FORGEJO_PUSH_FILES)).isFalse();
        assertThat(ToolGrant.narrowingKeeps(Set.of("github_api_get"), Tool.FORGEJO_GET_FILE))
                .isFalse();
    }
}
