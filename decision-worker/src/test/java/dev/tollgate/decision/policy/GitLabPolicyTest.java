package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.load.PolicyFormat;
import dev.tollgate.decision.policy.load.PolicyLoader;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GitLab in the policy: service-gator's [gitlab.projects] with nested groups and its approve
 * tier, gitlab.com as the default host, grants and deny rules on full project paths.
 */
class GitLabPolicyTest {

    private static Policy parse(String toml) {
        return PolicyLoader.parse(toml, PolicyFormat.TOML, "test.toml").policy();
    }

    private static DecisionRequest call(String tool, String host, String project,
            Map<String, Object> more) {
        Map<String, Object> args = new HashMap<>(more);
        args.put("host", host);
        args.put("project", project);
        return DecisionRequest.forCall("bot", "dev", tool, args);
    }

    private static DecisionRequest getFile(String host, String project, String path) {
        return call("gitlab_get_file", host, project, Map.of("path", path));
    }

    private static DecisionRequest mr(String project, boolean draft) {
        return call("gitlab_create_mr", "gitlab.com", project, Map.of("title", "t",
                "source_branch", "agent-1", "target_branch", "main", "draft", draft));
    }

    private static Decision decide(Policy policy, DecisionRequest request) {
        return new PolicyEngine(policy).decide(request);
    }

    @Test
    void serviceGatorsGitLabProjectsGrantOnGitlabComByDefaultWithNestedGroups() {
        Policy policy = parse("""
                [gitlab.projects]
                "group/sub/project" = { read = true, create-draft = true, approve = true }
                "group/*" = { read = true }
                """);

        assertThat(decide(policy, getFile("gitlab.com", "group/sub/project", "a")).allowed())
                .isTrue();
        assertThat(decide(policy, mr("group/sub/project", true)).allowed()).isTrue();
        assertThat(decide(policy, mr("group/sub/project", false)).reason()).contains(
                "draft pull requests only");
        assertThat(decide(policy, call("gitlab_approve_mr", "gitlab.com", "group/sub/project",
                Map.of("merge_request_iid", 3))).allowed()).isTrue();
        assertThat(decide(policy, getFile("gitlab.com", "group/app", "a")).allowed()).isTrue();
        assertThat(decide(policy, getFile("gitlab.com", "group/other/app", "a")).allowed())
                .as("group/* is the group's own projects, not its subgroups'").isFalse();
        assertThat(decide(policy, getFile("gitlab.example.com", "group/app", "a")).reason())
                .contains("no grant covers gitlab:gitlab.example.com/group/app");
    }

    @Test
    void theMostSpecificProjectPatternWins() {
        Policy policy = parse("""
                [[gitlab]]
                host = "gitlab.example.com"
                [gitlab.projects]
                "group/**" = { write = true }
                "group/sub/frozen" = { read = true }
                """);

        assertThat(decide(policy, call("gitlab_push_files", "gitlab.example.com",
                "group/sub/deep/app", Map.of("branch", "agent-1", "message", "m", "files", List
                        .of(Map.of("path", "a", "content", "x")))))
                .allowed()).isTrue();
        assertThat(decide(policy, call("gitlab_push_files", "gitlab.example.com",
                "group/sub/frozen", Map.of("branch", "agent-1", "message", "m", "files", List.of(
                        Map.of("path", "a", "content", "x")))))
                .allowed()).as(
                        "the exact project's read-only grant shadows group/**")
                .isFalse();
    }

    @Test
    void aGrantInTollgatesFormAndADenyOnEveryForge() {
        Policy policy = parse("""
                [[grant]]
                forge = "gitlab"
                repos = ["team/*"]
                allow = ["read", "approve"]
                [[deny]]
                repos = ["team/secret"]
                reason = "secret everywhere"
                """);

        assertThat(decide(policy, getFile("gitlab.com", "team/app", "a")).allowed()).isTrue();
        assertThat(decide(policy, getFile("gitlab.com", "team/secret", "a")).reason()).contains(
                "secret everywhere");
        assertThat(policy.toolGrants()).singleElement().satisfies(grant -> {
            assertThat(grant.repositories()).containsExactly("gitlab:gitlab.com/team/*");
            assertThat(grant.tools()).allMatch(tool -> tool.forge() == Forge.GITLAB).contains(
                    Tool.GITLAB_APPROVE_MR, Tool.GITLAB_GET_FILE);
        });
    }

    /**
     * A deny rule without a forge speaks about every forge, and one without repositories about
     * every repository: on GitLab that includes projects in subgroups, whose namespace has a
     * slash of its own.
     */
    @Test
    void aDenyOnEveryForgeReachesProjectsInSubgroups() {
        Policy suspended = parse("""
                [[grant]]
                forge = "gitlab"
                repos = ["**"]
                allow = ["read"]
                [[deny]]
                agents = ["bot"]
                reason = "bot is suspended"
                """);
        Policy secret = parse("""
                [[grant]]
                forge = "gitlab"
                repos = ["**"]
                allow = ["read"]
                [[deny]]
                repos = ["secret/*"]
                reason = "secret everywhere"
                [[deny]]
                repos = ["*/vault"]
                reason = "every vault"
                """);

        assertThat(decide(suspended, getFile("gitlab.com", "group/sub/app", "a")).reason())
                .contains("bot is suspended");
        assertThat(decide(suspended, getFile("gitlab.com", "group/app", "a")).reason())
                .contains("bot is suspended");
        assertThat(decide(secret, getFile("gitlab.com", "secret/team/app", "a")).reason())
                .contains("secret everywhere");
        assertThat(decide(secret, getFile("gitlab.com", "secret/a/b/c", "a")).reason())
                .contains("secret everywhere");
        assertThat(decide(secret, getFile("gitlab.com", "group/sub/vault", "a")).reason())
                .contains("every vault");
        assertThat(decide(secret, getFile("gitlab.com", "group/sub/app", "a")).allowed())
                .isTrue();
        assertThat(decide(secret, getFile("gitlab.com", "secretive/app", "a")).allowed())
                .isTrue();
    }

    @Test
    void tiersAreEachForgesOwn() {
        assertThatThrownBy(() -> parse("""
                [gh.repos]
                "o/r" = { approve = true }
                """)).hasMessageContaining("unknown permission 'approve' on GitHub");
        assertThatThrownBy(() -> parse("""
                [gitlab.projects]
                "g/p" = { pending-review = true }
                """)).hasMessageContaining("unknown permission 'pending-review' on GitLab");
        assertThatThrownBy(() -> parse("""
                [gitlab.projects]
                "just-a-name" = { read = true }
                """)).hasMessageContaining("is not a GitLab project");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                forge = "gitlab"
                repos = ["g/p"]
                allow = ["forgejo_get_file"]
                """)).hasMessageContaining("'forgejo_get_file' is a Forgejo/Gitea tool");
    }

    @Test
    void hardBlocksAndTheBranchRuleHoldOnGitLab() {
        Policy policy = parse("""
                [gitlab.projects]
                "g/p" = { write = true }
                """);

        Decision main = decide(policy, call("gitlab_push_files", "gitlab.com", "g/p", Map.of(
                "branch", "agent-1", "message", "m", "files", List.of(Map.of("path", "a",
                        "content", "x"))))
                .withBranch("main"));
        assertThat(main.allowed()).isFalse();
        assertThat(((Denied) main).kind()).isEqualTo(Denied.Kind.HARD_BLOCK);
        Decision traversal = decide(policy, getFile("gitlab.com", "g/p", "a").withPaths(
                "../../etc/passwd"));
        assertThat(traversal.allowed()).isFalse();
    }
}
