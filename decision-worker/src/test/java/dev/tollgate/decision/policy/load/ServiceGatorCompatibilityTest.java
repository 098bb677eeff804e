package dev.tollgate.decision.policy.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.PolicyProblem;
import dev.tollgate.decision.policy.Precondition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * service-gator's documented scope files and command-line forms load and mean what its users
 * expect. The fixtures under {@code service-gator/} are copies of the files its documentation
 * shows.
 */
class ServiceGatorCompatibilityTest {

    private static Policy load(String example) {
        return PolicyLoader.load(PolicyLoaderTest.resource("service-gator/" + example)).policy();
    }

    private static boolean allows(Policy policy, DecisionRequest request) {
        return new PolicyEngine(policy).decide(request).allowed();
    }

    /** A call of a Forgejo tool on {@code repo} at {@code host}, with what the tool needs. */
    static DecisionRequest forgejo(String tool, String host, String repo) {
        java.util.Map<String, Object> args = new java.util.HashMap<>(java.util.Map.of("host",
                host, "owner", repo.substring(0, repo.indexOf('/')), "repo", repo.substring(repo
                        .indexOf('/') + 1)));
        switch (tool) {
            case "forgejo_get_file" -> args.put("path", "README.md");
            case "forgejo_push_files" -> args.putAll(java.util.Map.of("branch", "agent-1",
                    "message", "m", "files", List.of(java.util.Map.of("path", "a.txt",
                            "content", "A"))));
            case "forgejo_create_pr" -> args.putAll(java.util.Map.of("title", "t", "head",
                    "agent-1", "base", "main"));
            case "forgejo_create_pending_review" -> args.put("pull_number", 1);
            default -> {
            }
        }
        return DecisionRequest.forCall("bot", "prod", tool, args);
    }

    /** A call of a GitLab tool on {@code project} at gitlab.com. */
    static DecisionRequest gitlab(String tool, String project) {
        return gitlab(tool, "gitlab.com", project);
    }

    /** A call of a GitLab tool on {@code project} at {@code host}. */
    static DecisionRequest gitlab(String tool, String host, String project) {
        java.util.Map<String, Object> args = new java.util.HashMap<>(java.util.Map.of("host",
                host, "project", project));
        switch (tool) {
            case "gitlab_get_file" -> args.put("path", "README.md");
            case "gitlab_push_files" -> args.putAll(java.util.Map.of("branch", "agent-1",
                    "message", "m", "files", List.of(java.util.Map.of("path", "a.txt",
                            "content", "A"))));
            case "gitlab_create_mr" -> args.putAll(java.util.Map.of("title", "t",
                    "source_branch", "agent-1", "target_branch", "main"));
            case "gitlab_approve_mr" -> args.put("merge_request_iid", 1);
            default -> {
            }
        }
        return DecisionRequest.forCall("bot", "prod", tool, args);
    }

    /** A call of a JIRA tool on project {@code key} (issue 1 there, when it names an issue). */
    static DecisionRequest jira(String tool, String key) {
        java.util.Map<String, Object> args = new java.util.HashMap<>();
        switch (tool) {
            case "jira_search" -> args.put("project", key);
            case "jira_create_issue" -> args.putAll(java.util.Map.of("project", key, "summary",
                    "s"));
            case "jira_add_comment" -> args.putAll(java.util.Map.of("issue_key", key + "-1",
                    "body", "b"));
            case "jira_transition_issue" -> args.putAll(java.util.Map.of("issue_key", key
                    + "-1", "transition", "Done"));
            default -> args.put("issue_key", key + "-1");
        }
        return DecisionRequest.forCall("bot", "prod", tool, args);
    }

    private static DecisionRequest read(String repo) {
        return DecisionRequest.of("agent", "default", "get_file", repo).withPaths("README.md");
    }

    private static DecisionRequest push(String repo) {
        return DecisionRequest.of("agent", "default", "push_files", repo).withBranch(
                "agent-change").withPaths("src/a.rs");
    }

    private static DecisionRequest draftPr(String repo) {
        return DecisionRequest.of("agent", "default", "create_pr", repo).withBranch(
                "agent-change").withBase("main").withDraft(true);
    }

    private static DecisionRequest readyPr(String repo) {
        return draftPr(repo).withDraft(false);
    }

    private static DecisionRequest pendingReview(String repo) {
        return DecisionRequest.of("agent", "default", "create_pending_review", repo).withNumber(
                7);
    }

    @Test
    void forkWorkflowPushesToTheForkAndOpensDraftsUpstream() {
        Policy policy = load("fork-workflow.toml");

        assertThat(allows(policy, read("upstream/project"))).isTrue();
        assertThat(allows(policy, draftPr("upstream/project"))).isTrue();
        assertThat(allows(policy, push("upstream/project"))).as("upstream cannot push").isFalse();
        assertThat(allows(policy, push("user/project"))).isTrue();
        assertThat(allows(policy, draftPr("user/project"))).as("the fork cannot create PRs")
                .isFalse();
        assertThat(allows(policy, read("upstream/docs"))).isTrue();
        assertThat(allows(policy, push("upstream/docs"))).isFalse();
        assertThat(allows(policy, draftPr("upstream/docs"))).isFalse();
        assertThat(allows(policy, read("someone/else"))).isFalse();
    }

    @Test
    void legacyCreateDraftNoLongerAllowsPushes() {
        Policy policy = load("legacy.toml");

        assertThat(allows(policy, draftPr("myorg/legacy-repo"))).isTrue();
        assertThat(allows(policy, pendingReview("myorg/legacy-repo"))).isTrue();
        assertThat(allows(policy, push("myorg/legacy-repo"))).isFalse();
        assertThat(allows(policy, push("myorg/new-repo"))).isTrue();
        assertThat(allows(policy, draftPr("myorg/new-repo"))).isTrue();
        assertThat(allows(policy, pendingReview("myorg/new-repo"))).isFalse();
    }

    @Test
    void requireForkMakesPushesUpstreamConditionalOnBeingAFork() {
        Policy policy = load("require-fork.toml");

        Decision upstream = new PolicyEngine(policy).decide(push("upstream/repo"));
        Decision fork = new PolicyEngine(policy).decide(push("user/repo"));

        assertThat(upstream).isInstanceOf(Allowed.class);
        assertThat(((Allowed) upstream).preconditions()).contains(Precondition.REQUIRE_FORK);
        assertThat(fork).isInstanceOf(Allowed.class);
        assertThat(((Allowed) fork).preconditions()).doesNotContain(Precondition.REQUIRE_FORK);
        assertThat(allows(policy, draftPr("upstream/repo"))).isTrue();
        assertThat(allows(policy, draftPr("user/repo"))).isFalse();
    }

    @Test
    void rolesGiveEachRepositoryItsDocumentedAccess() {
        Policy policy = load("roles.toml");

        assertThat(allows(policy, read("company/product"))).isTrue();
        assertThat(allows(policy, push("company/product"))).isTrue();
        assertThat(allows(policy, draftPr("company/product"))).isTrue();
        assertThat(allows(policy, pendingReview("company/product"))).isTrue();
        assertThat(allows(policy, readyPr("company/product"))).as("drafts only").isFalse();
        assertThat(allows(policy, push("company/staging"))).isTrue();
        assertThat(allows(policy, draftPr("company/staging"))).as("no PRs from staging")
                .isFalse();
        assertThat(allows(policy, draftPr("company/production"))).isTrue();
        assertThat(allows(policy, push("company/production"))).isFalse();
        assertThat(allows(policy, DecisionRequest.of("agent", "default", "create_issue",
                "company/product"))).as("no tier but write grants issues").isFalse();
    }

    @Test
    void noTierAllowsPushingToMain() {
        Policy policy = load("roles.toml");

        assertThat(allows(policy, push("company/product").withBranch("main"))).isFalse();
        assertThat(allows(policy, push("company/product").withBranch("feature"))).as(
                "push-new-branch means agent- branches").isFalse();
    }

    @Test
    void allServicesLoadsWithoutAWarningAndMeansWhatItsCommentsSay() {
        LoadedPolicy loaded = PolicyLoader.load(PolicyLoaderTest.resource(
                "service-gator/all-services.toml"));

        assertThat(allows(loaded.policy(), push("myorg/repo"))).isTrue();
        assertThat(allows(loaded.policy(), draftPr("upstream/repo"))).isTrue();
        assertThat(allows(loaded.policy(), forgejo("forgejo_get_file", "codeberg.org",
                "user/project"))).isTrue();
        assertThat(allows(loaded.policy(), forgejo("forgejo_push_files", "codeberg.org",
                "user/project"))).isTrue();
        assertThat(allows(loaded.policy(), forgejo("forgejo_create_pr", "codeberg.org",
                "user/project"))).isTrue();
        assertThat(allows(loaded.policy(), forgejo("forgejo_create_pending_review",
                "codeberg.org", "user/project"))).as("not granted pending-review").isFalse();
        assertThat(allows(loaded.policy(), forgejo("forgejo_get_file", "git.example.com",
                "user/project"))).as("another Forgejo host").isFalse();
        assertThat(allows(loaded.policy(), read("user/project"))).as("the same name on GitHub")
                .isFalse();
        assertThat(allows(loaded.policy(), gitlab("gitlab_get_file", "group/project")))
                .isTrue();
        assertThat(allows(loaded.policy(), gitlab("gitlab_push_files", "group/project")))
                .isTrue();
        assertThat(allows(loaded.policy(), gitlab("gitlab_create_mr", "group/project")))
                .as("not granted create-draft").isFalse();
        assertThat(allows(loaded.policy(), gitlab("gitlab_get_file", "public/project")))
                .isTrue();
        assertThat(allows(loaded.policy(), gitlab("gitlab_push_files", "public/project")))
                .isFalse();
        assertThat(allows(loaded.policy(), jira("jira_search", "PROJ"))).isTrue();
        assertThat(allows(loaded.policy(), jira("jira_get_issue", "PROJ"))).isTrue();
        assertThat(allows(loaded.policy(), jira("jira_create_issue", "PROJ"))).isTrue();
        assertThat(allows(loaded.policy(), jira("jira_add_comment", "PROJ")))
                .as("not granted write").isFalse();
        assertThat(allows(loaded.policy(), jira("jira_transition_issue", "PROJ")))
                .as("not granted write").isFalse();
        assertThat(allows(loaded.policy(), jira("jira_search", "OTHER"))).isFalse();
        assertThat(loaded.warnings()).isEmpty();
        assertThat(allows(loaded.policy(), read("group/project").onHost("gitlab"))).isFalse();
    }

    @Test
    void theConfigMapScopesFileLoads() {
        Policy policy = load("configmap-scopes.json");

        assertThat(allows(policy, read("myorg/myrepo"))).isTrue();
        assertThat(allows(policy, push("myorg/myrepo"))).isTrue();
        assertThat(allows(policy, draftPr("myorg/myrepo"))).isFalse();
    }

    @Test
    void theCommandLineReadFormGrantsReadOnly() {
        Policy policy = PolicyLoader.fromCommandLine(List.of("--gh-repo", "myorg/myrepo:read"))
                .policy();

        assertThat(allows(policy, read("myorg/myrepo"))).isTrue();
        assertThat(allows(policy, draftPr("myorg/myrepo"))).isFalse();
        assertThat(allows(policy, pendingReview("myorg/myrepo"))).isFalse();
    }

    @Test
    void theCommandLineListFormGrantsEachTier() {
        Policy policy = PolicyLoader.fromCommandLine(List.of(
                "--gh-repo=myorg/myrepo:read,push-new-branch,create-draft")).policy();

        assertThat(allows(policy, push("myorg/myrepo"))).isTrue();
        assertThat(allows(policy, draftPr("myorg/myrepo"))).isTrue();
    }

    @Test
    void repeatedCommandLineRepositoriesAreIndependent() {
        Policy policy = PolicyLoader.fromCommandLine(List.of("--gh-repo",
                "upstream/project:read,create-draft", "--gh-repo",
                "user/project:read,push-new-branch")).policy();

        assertThat(allows(policy, draftPr("upstream/project"))).isTrue();
        assertThat(allows(policy, push("upstream/project"))).isFalse();
        assertThat(allows(policy, push("user/project"))).isTrue();
        assertThat(allows(policy, draftPr("user/project"))).isFalse();
    }

    @Test
    void theScopeFormMeansTheSameAsTheTableForm() {
        Policy policy = PolicyLoader.fromCommandLine(List.of("--scope",
                "{\"gh\":{\"repos\":{\"o/r\":{\"read\":true}}}}")).policy();
        Policy table = PolicyLoader.fromCommandLine(List.of("--gh-repo", "o/r:read")).policy();

        assertThat(policy.version()).isEqualTo(table.version());
        assertThat(allows(policy, read("o/r"))).isTrue();
    }

    @Test
    void aJiraProjectOnTheCommandLineGrantsOnTheJiraSite() {
        LoadedPolicy loaded = PolicyLoader.fromCommandLine(List.of("--gh-repo", "o/r:read",
                "--jira-project", "MYPROJ:read,create"));

        assertThat(loaded.warnings()).isEmpty();
        assertThat(allows(loaded.policy(), jira("jira_create_issue", "MYPROJ"))).isTrue();
        assertThat(allows(loaded.policy(), jira("jira_add_comment", "MYPROJ"))).isFalse();
        assertThat(allows(loaded.policy(), jira("jira_search", "o"))).isFalse();
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--jira-project",
                "MYPROJ:read,approve"))).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("unknown permission 'approve' on JIRA");
    }

    @Test
    void serviceGatorsForgejoAndGitLabOptionsGrantOnTheirHosts() {
        LoadedPolicy loaded = PolicyLoader.fromCommandLine(List.of("--gh-repo", "o/r:read",
                "--gitlab-host", "gitlab.example.com", "--gitlab-project",
                "group/sub/project:read,approve", "--forgejo-host=codeberg.org", "--forgejo-repo",
                "user/project:read,push-new-branch"));

        assertThat(loaded.warnings()).isEmpty();
        assertThat(allows(loaded.policy(), read("o/r"))).isTrue();
        assertThat(allows(loaded.policy(), forgejo("forgejo_push_files", "codeberg.org",
                "user/project"))).isTrue();
        assertThat(allows(loaded.policy(), forgejo("forgejo_create_pr", "codeberg.org",
                "user/project"))).isFalse();
        assertThat(allows(loaded.policy(), gitlab("gitlab_approve_mr", "gitlab.example.com",
                "group/sub/project"))).isTrue();
        assertThat(allows(loaded.policy(), gitlab("gitlab_get_file", "group/sub/project")))
                .as("gitlab.com is another instance").isFalse();
        assertThat(PolicyLoader.fromCommandLine(List.of("--gitlab-project", "g/p:read"))
                .policy().toolGrants()).singleElement().satisfies(
                        grant -> assertThat(grant
                                .repositories()).containsExactly("gitlab:gitlab.com/g/p"));
    }

    @Test
    void aCommandLineTakesOneForgejoHost() {
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--forgejo-host",
                "codeberg.org", "--forgejo-host", "git.example.com", "--forgejo-repo",
                "u/p:read"))).isInstanceOf(InvalidPolicyException.class).hasMessageContaining(
                        "one --forgejo-host");
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--forgejo-repo",
                "u/p:read"))).isInstanceOf(InvalidPolicyException.class).hasMessageContaining(
                        "needs host");
    }

    @Test
    void aCommandLineRepositoryWithoutPermissionsIsRefused() {
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--gh-repo", "o/r")))
                .isInstanceOf(InvalidPolicyException.class).hasMessageContaining(
                        "name the permissions after a colon");
    }

    @Test
    void anUnknownCommandLinePermissionIsRefused() {
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--gh-repo",
                "o/r:read,approve"))).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("unknown permission 'approve'");
    }

    @Test
    void badScopeJsonIsRefused() {
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--scope", "{gh:")))
                .isInstanceOf(
                        InvalidPolicyException.class)
                .hasMessageContaining("--scope").hasMessageContaining(
                        "not valid JSON");
    }

    @Test
    void anUnknownOptionIsRefused() {
        assertThatThrownBy(() -> PolicyLoader.fromCommandLine(List.of("--github-repo", "o/r:read")))
                .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("unknown option");
    }

    @Test
    void anEmptyEntryGrantsReadOnlyWithAWarning() {
        LoadedPolicy loaded = PolicyLoader.fromCommandLine(List.of("--scope",
                "{\"gh\":{\"repos\":{\"o/r\":{}}}}"));

        assertThat(allows(loaded.policy(), read("o/r"))).isTrue();
        assertThat(allows(loaded.policy(), draftPr("o/r"))).isFalse();
        assertThat(allows(loaded.policy(), pendingReview("o/r"))).isFalse();
        assertThat(loaded.warnings()).singleElement().satisfies(warning -> assertThat(warning
                .message()).contains("grants read only"));
    }

    @Test
    void writeImpliesEveryOtherTier() {
        Policy policy = PolicyLoader.fromCommandLine(List.of("--gh-repo", "o/r:write")).policy();

        assertThat(allows(policy, read("o/r"))).isTrue();
        assertThat(allows(policy, push("o/r"))).isTrue();
        assertThat(allows(policy, readyPr("o/r"))).isTrue();
        assertThat(allows(policy, pendingReview("o/r"))).isTrue();
        assertThat(allows(policy, push("o/r").withBranch("master"))).isFalse();
    }
    private static DecisionRequest forkPr(String base, String head) {
        String[] repo = base.split("/");
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>(java.util.Map.of(
                "owner", repo[0], "repo", repo[1], "title", "Fix", "head", head, "base",
                "main"));
        return DecisionRequest.forCall("bot", "prod", "create_pr", args);
    }

    @Test
    void theForkWorkflowOpensADraftUpstreamFromABranchOfTheFork() {
        Policy policy = load("fork-workflow.toml");

        assertThat(allows(policy, forkPr("upstream/project", "user:agent-fix")))
                .as("head on the fork (read, push-new-branch), base upstream (create-draft)")
                .isTrue();
        assertThat(allows(policy, forkPr("user/project", "agent-fix")))
                .as("the fork itself has no create-draft").isFalse();
    }

    @Test
    void aPullRequestFromARepositoryTheAgentIsNotGrantedSaysWhichGrantIsMissing() {
        Policy policy = load("fork-workflow.toml");

        Decision decision = new PolicyEngine(policy).decide(forkPr("upstream/project",
                "stranger:agent-fix"));

        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reason()).contains("stranger/project", "read or push-new-branch");
    }

    @Test
    void aForkHeadNamesItsRepositoryWhenItsNameDiffers() {
        Policy policy = load("fork-workflow.toml");
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>(java.util.Map.of(
                "owner", "upstream", "repo", "project", "title", "Fix", "head", "user:agent-fix",
                "head_repo", "docs", "base", "main"));

        DecisionRequest request = DecisionRequest.forCall("bot", "prod", "create_pr", args);

        assertThat(request.target().head().repository()).isEqualTo("user/docs");
        assertThat(allows(policy, request)).as("user/docs is not granted").isFalse();
    }

    @Test
    void aReadyPullRequestFromAForkStillNeedsWriteUpstream() {
        Policy policy = load("fork-workflow.toml");
        java.util.Map<String, Object> args = new java.util.LinkedHashMap<>(java.util.Map.of(
                "owner", "upstream", "repo", "project", "title", "Fix", "head", "user:agent-fix",
                "base", "main", "draft", false));

        assertThat(allows(policy, DecisionRequest.forCall("bot", "prod", "create_pr", args)))
                .isFalse();
    }
}
