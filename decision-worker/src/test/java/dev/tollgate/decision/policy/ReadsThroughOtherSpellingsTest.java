package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.policy.load.PolicyFormat;
import dev.tollgate.decision.policy.load.PolicyLoader;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The security review's calls, each through the real loader and engine: a read that reaches what
 * a written condition protects, by another spelling of the route or of the ref, is decided as the
 * read that names it (Promise 9).
 */
class ReadsThroughOtherSpellingsTest {

    private static final String READ = """
            [gh.repos]
            "myorg/app" = { read = true }
            """;

    private static final String NO_SECRETS = READ + """

            [[deny]]
            name = "no secrets"
            paths = ["secrets/**"]
            reason = "secrets are off limits"
            """;

    private static final String NO_FILE_READS = READ + """

            [[deny]]
            name = "no file reads"
            actions = ["get_file"]
            reason = "files are off limits"
            """;

    private static final String DOCS_ONLY = """
            [[grant]]
            name = "docs only"
            repos = ["myorg/app"]
            allow = ["read"]
            paths = ["docs/**"]
            """;

    private static Decision decide(String policy, String tool, Map<String, Object> arguments) {
        return new PolicyEngine(PolicyLoader.parse(policy, PolicyFormat.TOML, "policy.toml")
                .policy()).decide(DecisionRequest.forCall("bot", "prod", tool, arguments));
    }

    private static Decision api(String policy, String path) {
        return decide(policy, "github_api_get", Map.of("path", path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/myorg/app/commits/heads/main",
            "/repos/myorg/app/commits/tags/v1.0", "/repos/myorg/app/commits/release/v2",
            "/repos/myorg/app/commits/heads/release/v2"})
    void aCommitReadByAMultiSegmentRefRevealsEveryPathItsPatchesShow(String path) {
        assertThat(api(NO_SECRETS, path).reason()).as("deny paths").contains(
                "secrets are off limits");
        assertThat(api(NO_FILE_READS, path).reason()).as("deny get_file").contains(
                "files are off limits");
        assertThat(api(DOCS_ONLY, path).reason()).as("grant paths").contains(
                "can reveal every file without naming its path");
        assertThat(api(READ, path).allowed()).as("without a path condition").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/myorg/app/commits/heads/main/status",
            "/repos/myorg/app/commits/release/v2/check-runs",
            "/repos/myorg/app/commits/main/statuses"})
    void aCommitsStatusesAndChecksShowNoFileAndStayReadable(String path) {
        assertThat(api(NO_SECRETS, path).allowed()).as(api(NO_SECRETS, path).reason()).isTrue();
        assertThat(api(DOCS_ONLY, path).allowed()).as(api(DOCS_ONLY, path).reason()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/myorg/app/issues/42/timeline", "/repos/myorg/app/events",
            "/repos/myorg/app/pulls/42/comments"})
    void reviewCommentsWithTheirDiffHunksRevealEveryPath(String path) {
        assertThat(api(NO_SECRETS, path).reason()).as("deny paths").contains(
                "secrets are off limits");
        assertThat(api(NO_FILE_READS, path).reason()).as("deny get_file").contains(
                "files are off limits");
        assertThat(api(DOCS_ONLY, path).reason()).as("grant paths").contains(
                "can reveal every file without naming its path");
        assertThat(api(READ, path).allowed()).as("without a path condition").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/repos/myorg/app/issues/7/timeline",
            "/repos/myorg/app/issues/7/sub_issues", "/repos/myorg/app/issues/7/parent",
            "/repos/myorg/app/issues/7/dependencies/blocked_by"})
    void anIssuesLinkedIssuesAreOtherNumbers(String path) {
        String issue7 = """
                [[grant]]
                repos = ["myorg/app"]
                allow = ["read"]
                issues = [7]
                """;

        assertThat(api(issue7, path).reason()).contains(
                "can reveal every issue and pull request");
        assertThat(api(issue7, "/repos/myorg/app/issues/7/comments").allowed()).isTrue();
    }

    private static final String EMBARGO = READ + """

            [[deny]]
            name = "embargo"
            repos = ["myorg/app"]
            branches = ["embargo*"]
            reason = "embargoed security fixes"
            """;

    static Stream<Arguments> embargoedBranchSpellings() {
        Map<String, Object> getFile = Map.of("owner", "myorg", "repo", "app", "path", "a.c");
        return Stream.of(
                Arguments.of("get_file", with(getFile, "ref", "embargo-cve")),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/contents/a.c",
                        "query", Map.of("ref", "refs/heads/embargo-cve"))),
                Arguments.of("get_file", with(getFile, "ref", "heads/embargo-cve")),
                Arguments.of("compare_refs", Map.of("owner", "myorg", "repo", "app", "base",
                        "main", "head", "heads/embargo-cve")),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/commits",
                        "query", Map.of("sha", "refs/heads/embargo-cve"))),
                Arguments.of("github_api_get", Map.of("path",
                        "/repos/myorg/app/commits/heads/embargo-cve")),
                Arguments.of("get_file", with(getFile, "ref", "pull/77/head")),
                Arguments.of("get_file", with(getFile, "ref", "pull/77/merge")),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/contents/a.c",
                        "query", Map.of("ref", "refs/pull/77/merge"))));
    }

    private static Map<String, Object> with(Map<String, Object> arguments, String key,
            Object value) {
        Map<String, Object> more = new java.util.HashMap<>(arguments);
        more.put(key, value);
        return more;
    }

    @ParameterizedTest
    @MethodSource("embargoedBranchSpellings")
    void aBranchDenyRuleHoldsForEverySpellingOfTheBranch(String tool,
            Map<String, Object> arguments) {
        Decision decision = decide(EMBARGO, tool, arguments);

        assertThat(decision).as(decision.reason()).isInstanceOfSatisfying(Denied.class,
                denied -> assertThat(denied.reason()).contains("embargoed security fixes"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "heads/main", "release/v2", "tags/v1.0"})
    void otherBranchesStayReadableWhateverTheirSpelling(String ref) {
        Decision decision = decide(EMBARGO, "get_file", Map.of("owner", "myorg", "repo", "app",
                "path", "a.c", "ref", ref));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
    }

    @Test
    void listingCommitsByAPathIsDecidedOnThatPathWhicheverToolAsks() {
        Decision tool = decide(NO_SECRETS, "list_commits", Map.of("owner", "myorg", "repo", "app",
                "path", "secrets/prod.env"));
        Decision api = decide(NO_SECRETS, "github_api_get", Map.of("path",
                "/repos/myorg/app/commits", "query", Map.of("path", "secrets/prod.env")));

        assertThat(tool.reason()).contains("secrets are off limits");
        assertThat(api.reason()).contains("secrets are off limits");
        assertThat(decide(NO_SECRETS, "github_api_get", Map.of("path",
                "/repos/myorg/app/commits", "query", Map.of("path", "docs/a.md"))).allowed())
                .isTrue();
    }

    @Test
    void aPullRequestIntoADeniedBranchIsRefusedAsCreatingABranchFromItIs() {
        String policy = """
                [gh.repos]
                "myorg/app" = { read = true, push-new-branch = true, create-draft = true }

                [[deny]]
                name = "embargo"
                repos = ["myorg/app"]
                branches = ["embargo*"]
                reason = "embargoed security fixes"
                """;
        Map<String, Object> pr = Map.of("owner", "myorg", "repo", "app", "title", "t", "head",
                "agent-x", "base", "embargo-cve", "draft", true);

        assertThat(decide(policy, "create_branch", Map.of("owner", "myorg", "repo", "app",
                "branch", "agent-x", "from", "embargo-cve")).reason()).contains("embargoed");
        assertThat(decide(policy, "create_pr", pr).reason()).contains("embargoed");
        assertThat(decide(policy, "create_pr", with(pr, "base", "heads/embargo-cve")).reason())
                .contains("embargoed");
        assertThat(decide(policy, "create_pr", with(pr, "base", "main")).allowed()).isTrue();
    }

    private static final String PR_42 = """
            [[grant]]
            name = "pull request 42"
            repos = ["myorg/app"]
            allow = ["read"]
            pull-requests = [42]
            """;

    static Stream<Arguments> pullRequest99sHead() {
        Map<String, Object> getFile = Map.of("owner", "myorg", "repo", "app", "path", "a.c");
        Map<String, Object> repo = Map.of("owner", "myorg", "repo", "app");
        return Stream.of(
                Arguments.of("get_file", with(getFile, "ref", "pull/99/head")),
                Arguments.of("get_file", with(getFile, "ref", "pull/99/merge")),
                Arguments.of("get_file", with(getFile, "ref", "PULL/99/HEAD")),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/contents/a.c",
                        "query", Map.of("ref", "refs/pull/99/head"))),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/contents",
                        "query", Map.of("ref", "refs/pull/99/merge"))),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/commits",
                        "query", Map.of("sha", "pull/99/head"))),
                Arguments.of("github_api_get", Map.of("path",
                        "/repos/myorg/app/commits/pull/99/head")),
                Arguments.of("github_api_get", Map.of("path", "/repos/myorg/app/readme",
                        "query", Map.of("ref", "pull/99/head"))),
                Arguments.of("list_commits", with(repo, "sha", "pull/99/head")),
                Arguments.of("get_tree", with(repo, "ref", "pull/99/head")),
                Arguments.of("compare_refs", with(with(repo, "base", "pull/42/head"), "head",
                        "pull/99/head")),
                Arguments.of("list_check_runs", with(repo, "ref", "pull/99/head")));
    }

    @ParameterizedTest
    @MethodSource("pullRequest99sHead")
    void aGrantNarrowedToOnePullRequestReadsNoOthersRefs(String tool,
            Map<String, Object> arguments) {
        Decision decision = decide(PR_42, tool, arguments);

        assertThat(decision).as(decision.reason()).isInstanceOfSatisfying(Denied.class,
                denied -> assertThat(denied.reason()).contains("#99 is not one of them"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pull/42/head", "pull/42/merge", "main", "release/v2"})
    void aGrantNarrowedToOnePullRequestReadsItsRefsAndFilesAtBranches(String ref) {
        Decision decision = decide(PR_42, "get_file", Map.of("owner", "myorg", "repo", "app",
                "path", "a.c", "ref", ref));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
    }

    @Test
    void aDenyRuleOnAPullRequestHoldsForItsRefs() {
        String policy = READ + """

                [[deny]]
                name = "pull request 99 is embargoed"
                pull-requests = [99]
                reason = "pull request 99 is embargoed"
                """;

        assertThat(decide(policy, "get_file", Map.of("owner", "myorg", "repo", "app", "path",
                "a.c", "ref", "pull/99/head")).reason()).contains("99 is embargoed");
        assertThat(decide(policy, "github_api_get", Map.of("path", "/repos/myorg/app/commits",
                "query", Map.of("sha", "refs/pull/99/merge"))).reason()).contains(
                        "99 is embargoed");
        assertThat(decide(policy, "get_file", Map.of("owner", "myorg", "repo", "app", "path",
                "a.c", "ref", "pull/98/head")).allowed()).isTrue();
    }

    private static final String UPDATER = """
            [gh.repos]
            "myorg/app" = { read = true, push-new-branch = true, create-draft = true }

            [[deny]]
            name = "embargo"
            repos = ["myorg/app"]
            branches = ["embargo*"]
            reason = "embargoed security fixes"

            [[deny]]
            name = "release writes"
            actions = ["write"]
            branches = ["release/*"]
            reason = "release branches are changed by humans only"
            """;

    private static Map<String, Object> update(String base) {
        return Map.of("owner", "myorg", "repo", "app", "pull_number", 7, "branch", "agent-x",
                "base", base, "expected_head_sha", "0123456789abcdef0123456789abcdef01234567");
    }

    @Test
    void updatingAPullRequestIntoADeniedBranchIsRefusedAsOpeningItIs() {
        assertThat(decide(UPDATER, "update_pull_request_branch", update("embargo-cve"))
                .reason()).contains("embargoed security fixes");
        assertThat(decide(UPDATER, "update_pull_request_branch", update("heads/embargo-cve"))
                .reason()).contains("embargoed security fixes");
        assertThat(decide(UPDATER, "update_pull_request_branch", update("release/v2"))
                .reason()).contains("release branches are changed by humans only");
        assertThat(decide(UPDATER, "create_pr", Map.of("owner", "myorg", "repo", "app", "title",
                "t", "head", "agent-x", "base", "release/v2", "draft", true)).reason()).contains(
                        "release branches are changed by humans only");
        Decision main = decide(UPDATER, "update_pull_request_branch", update("main"));
        assertThat(main).as(main.reason()).isInstanceOfSatisfying(Allowed.class,
                allowed -> assertThat(allowed.request().target().base()).as(
                        "what the executor checks the pull request's base against")
                        .isEqualTo("main"));
    }

    @Test
    void aGrantLimitedToAgentBranchesStillUpdatesAPullRequestIntoTheDefaultBranch() {
        String policy = """
                [[grant]]
                repos = ["myorg/app"]
                allow = ["push-new-branch"]
                branches = ["agent-*"]
                """;

        Decision decision = decide(policy, "update_pull_request_branch", update("main"));

        assertThat(decision.allowed()).as(decision.reason()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"main..embargo-cve", "main...embargo-cve", "embargo-cve/",
            "embargo-cve ", "environments/prod", "pipelines/12"})
    void aRefThatIsNoBranchNameIsDecidedAsReachingEveryBranch(String ref) {
        Decision contents = decide(EMBARGO, "github_api_get", Map.of("path",
                "/repos/myorg/app/contents/a.c", "query", Map.of("ref", ref)));
        Decision commits = decide(EMBARGO, "github_api_get", Map.of("path",
                "/repos/myorg/app/commits", "query", Map.of("sha", ref)));

        assertThat(contents.reason()).contains("embargoed security fixes");
        assertThat(commits.reason()).contains("embargoed security fixes");
    }

    @Test
    void aGitLabMergeRequestsRefIsThatMergeRequestAndEveryBranch() {
        String policy = """
                [[grant]]
                forge = "gitlab"
                repos = ["group/app"]
                allow = ["read"]
                pull-requests = [42]

                [[deny]]
                forge = "gitlab"
                branches = ["embargo*"]
                reason = "embargoed security fixes"
                """;
        Map<String, Object> file = Map.of("project", "group/app", "path", "a.c");

        assertThat(decide(policy, "gitlab_get_file", with(file, "ref",
                "merge-requests/99/head")).reason()).contains("embargoed security fixes");
        assertThat(decide(policy.substring(0, policy.indexOf("[[deny]]")), "gitlab_get_file",
                with(file, "ref", "merge-requests/99/head")).reason()).contains(
                        "#99 is not one of them");
        assertThat(decide(policy, "gitlab_get_file", with(file, "ref", "agent-x")).allowed())
                .isTrue();
    }

    @Test
    void aGrantsBranchesStillSpeakOnlyOfTheBranchesACallReadsOrWrites() {
        String policy = """
                [[grant]]
                repos = ["myorg/app"]
                allow = ["push-new-branch", "create-draft"]
                branches = ["agent-*"]
                """;

        assertThat(decide(policy, "create_pr", Map.of("owner", "myorg", "repo", "app", "title",
                "t", "head", "agent-x", "base", "main", "draft", true)).allowed()).isTrue();
    }
}
