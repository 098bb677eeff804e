package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The GitLab tools' definitions: nested project paths, the default host, targets and routes. */
class GitLabToolsTest {

    private static Target of(Tool tool, Map<String, Object> args) {
        return tool.definition().validate(args).requireTarget();
    }

    @Test
    void aNestedProjectIsItsNamespaceAndNameOnGitlabComByDefault() {
        Target target = of(Tool.GITLAB_GET_FILE, Map.of("project", "Group/Sub/Project",
                "path", "src/a.c"));

        assertThat(target.host()).isEqualTo("gitlab.com");
        assertThat(target.owner()).isEqualTo("group/sub");
        assertThat(target.repo()).isEqualTo("project");
        assertThat(target.repository()).isEqualTo("group/sub/project");
        assertThat(of(Tool.GITLAB_LIST_ISSUES, Map.of("host", "gitlab.example.com",
                "project", "g/p")).host()).isEqualTo("gitlab.example.com");
        assertThat(Tool.GITLAB_GET_FILE.forge()).isEqualTo(Forge.GITLAB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"project", "group/project.git", "group/../x", "-g/p", "g//p",
            "/g/p", "g/p/", "g/p?x=1",
            // a numeric ID (which GitLab takes for any project), and other spellings of a path
            "123", "g%2Fp/x", "g/p%2e", "g/./p", "g/p.atom", "g/p#x", "g/p;x=1", "g/\u0440roject",
            "g/p\u0000"})
    void aProjectIsAFullPath(String project) {
        assertThatThrownBy(() -> of(Tool.GITLAB_LIST_ISSUES, Map.of("project", project)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("project");
    }

    @Test
    void aMergeRequestIsADraftUnlessSaidFromABranchOfTheSameProject() {
        Target target = of(Tool.GITLAB_CREATE_MR, Map.of("project", "g/s/p", "title", "t",
                "source_branch", "agent-1", "target_branch", "main"));

        assertThat(target.draft()).isTrue();
        assertThat(target.head().repository()).isEqualTo("g/s/p");
        assertThat(target.headRepository()).isEmpty();
        assertThat(target.base()).isEqualTo("main");
    }

    @Test
    void aPushWritesItsAgentBranchAndEveryPathItChanges() {
        Target target = of(Tool.GITLAB_PUSH_FILES, Map.of("project", "g/p", "branch",
                "agent-x", "message", "m", "files", List.of(Map.of("path", "a.txt", "content",
                        "A"),
                        Map.of("path", "b.txt", "previous_path", "old.txt", "content",
                                "B"))));

        assertThat(target.branch()).isEqualTo("agent-x");
        assertThat(target.paths().named()).containsExactly("a.txt", "b.txt", "old.txt");
    }

    @Test
    void approvingNamesItsMergeRequest() {
        Target target = of(Tool.GITLAB_APPROVE_MR, Map.of("project", "g/p",
                "merge_request_iid", 7));

        assertThat(target.numbers().named()).containsExactly(7L);
        assertThat(Tool.GITLAB_APPROVE_MR.tier()).isEqualTo(Tier.APPROVE);
        assertThat(Forge.GITLAB.tiers()).contains(Tier.APPROVE).doesNotContain(
                Tier.PENDING_REVIEW);
        assertThat(Forge.GITHUB.tiers()).doesNotContain(Tier.APPROVE);
    }

    @Test
    void thePassthroughReadsMergeRequestsIssuesAndHistoryAndCountsAsReadingAllOfThem() {
        Target notes = of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                "merge_requests/3/notes"));
        Target project = of(Tool.GITLAB_API_GET, Map.of("project", "g/p"));

        assertThat(notes.paths().isEvery()).isTrue();
        assertThat(notes.numbers().isEvery()).isTrue();
        assertThat(project.paths().isNone()).isTrue();
        assertThat(of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                "repository/commits")).refs().isEvery()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"members", "hooks", "variables", "deploy_keys", "access_tokens",
            "repository/files/a.txt", "repository", "../../users", "/merge_requests",
            "merge_requests?state=all", "merge_requests/%2e%2e", "pipelines/1/jobs",
            "merge_requests;x=1", "merge_requests#x", "merge_requests/./1",
            "merge_requests/%2F", "merge_requests/1/../../../users", "merge_requests/.."})
    void thePassthroughRefusesWhatIsNotCodeHistoryIssuesOrMergeRequests(String route) {
        assertThatThrownBy(() -> of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                route))).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(
                        "route");
    }

    /**
     * GitLab's token reads every project its user can: a parameter naming another project
     * (compare's {@code from_project_id} diffs another project's refs against this one's) or
     * another user ({@code sudo}, on an administrator's token) would read past the project the
     * policy decided on.
     */
    @ParameterizedTest
    @ValueSource(strings = {"from_project_id", "FROM_PROJECT_ID", "from_project_id[]",
            "target_project_id", "sudo"})
    void thePassthroughRefusesAQueryNamingAnotherProjectOrUser(String key) {
        assertThatThrownBy(() -> of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                "repository/compare", "query", Map.of("from", "main", "to", "agent-x", key,
                        "42"))))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("query." + key);
    }

    /**
     * These answer with the issues and merge requests an issue or merge request links to or
     * mentions, in any project: a merge request an agent opens may mention
     * {@code other/secret#5}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"merge_requests/3/closes_issues", "merge_requests/3/related_issues",
            "issues/5/links", "issues/5/links/9", "issues/5/closed_by",
            "issues/5/related_merge_requests"})
    void thePassthroughRefusesRoutesAnsweringWithOtherProjectsIssues(String route) {
        assertThatThrownBy(() -> of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                route))).isInstanceOf(InvalidArgumentException.class).hasMessageContaining(
                        "other projects");
    }

    @Test
    void aCompareInsideTheProjectAndAReleasesLinksStayOpen() {
        Target compare = of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                "repository/compare", "query", Map.of("from", "main", "to", "agent-x",
                        "straight", true)));
        Target links = of(Tool.GITLAB_API_GET, Map.of("project", "g/p", "route",
                "releases/v1/assets/links"));

        assertThat(compare.repository()).isEqualTo("g/p");
        assertThat(compare.refs().isEvery()).isTrue();
        assertThat(links.paths().isEvery()).isTrue();
    }

    @Test
    void listingGitLabsPassthroughKeepsGitLabsReadsOnly() {
        Set<String> narrowed = Set.of("gitlab_api_get");

        assertThat(ToolGrant.narrowingKeeps(narrowed, Tool.GITLAB_GET_FILE)).isTrue();
        assertThat(ToolGrant.narrowingKeeps(narrowed, Tool.FORGEJO_GET_FILE)).isFalse();
        assertThat(ToolGrant.narrowingKeeps(narrowed, Tool.GITLAB_PUSH_FILES)).isFalse();
    }
}
