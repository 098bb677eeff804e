package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.load.LoadedPolicy;
import dev.tollgate.decision.policy.load.PolicyFormat;
import dev.tollgate.decision.policy.load.PolicyLoader;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forgejo in the policy: a grant speaks about one forge and host, its tiers grant only that
 * forge's tools, a deny rule without a forge covers every forge, and every hard block holds.
 */
class ForgejoPolicyTest {

    private static Policy parse(String toml) {
        return load(toml).policy();
    }

    private static LoadedPolicy load(String toml) {
        return PolicyLoader.parse(toml, PolicyFormat.TOML, "test.toml");
    }

    private static DecisionRequest call(String agent, String tool, String host, String repo,
            Map<String, Object> more) {
        Map<String, Object> args = new HashMap<>(more);
        args.put("host", host);
        if (!tool.equals("forgejo_api_get")) { // the passthrough names them in its path
            args.put("owner", repo.substring(0, repo.indexOf('/')));
            args.put("repo", repo.substring(repo.indexOf('/') + 1));
        }
        return DecisionRequest.forCall(agent, "dev", tool, args);
    }

    private static DecisionRequest getFile(String host, String repo, String path) {
        return call("bot", "forgejo_get_file", host, repo, Map.of("path", path));
    }

    private static DecisionRequest push(String host, String repo, String branch, String path) {
        return call("bot", "forgejo_push_files", host, repo, Map.of("branch", branch, "message",
                "m", "files", List.of(Map.of("path", path, "content", "x"))));
    }

    private static DecisionRequest pr(String repo, boolean draft) {
        return call("bot", "forgejo_create_pr", "codeberg.org", repo, Map.of("title", "t", "head",
                "agent-1", "base", "main", "draft", draft));
    }

    private static Decision decide(Policy policy, DecisionRequest request) {
        return new PolicyEngine(policy).decide(request);
    }

    private static final String SERVICE_GATOR = """
            [gh.repos]
            "user/project" = { read = true }
            [[forgejo]]
            host = "codeberg.org"
            [forgejo.repos]
            "user/project" = { read = true, push-new-branch = true, create-draft = true }
            [[forgejo]]
            host = "git.example.com:3000"
            [forgejo.repos]
            "team/*" = { write = true }
            """;

    @Test
    void aForgejoEntryGrantsItsTiersOnItsHostOnly() {
        Policy policy = parse(SERVICE_GATOR);

        assertThat(decide(policy, getFile("codeberg.org", "user/project", "a.c")).allowed())
                .isTrue();
        assertThat(decide(policy, push("codeberg.org", "user/project", "agent-x", "a.c"))
                .allowed()).isTrue();
        assertThat(decide(policy, pr("user/project", true)).allowed()).isTrue();
        Decision notDraft = decide(policy, pr("user/project", false));
        assertThat(notDraft.allowed()).isFalse();
        assertThat(notDraft.reason()).contains("draft pull requests only");
        Decision otherHost = decide(policy, getFile("gitea.example.org", "user/project", "a"));
        assertThat(otherHost.allowed()).isFalse();
        assertThat(otherHost.reason()).contains("no grant covers forgejo:gitea.example.org/"
                + "user/project");
        assertThat(decide(policy, getFile("git.example.com:3000", "team/app", "a")).allowed())
                .isTrue();
        assertThat(decide(policy, getFile("git.example.com", "team/app", "a")).allowed())
                .as("the port is part of the host").isFalse();
    }

    @Test
    void aGitHubGrantNeverGrantsAForgejoToolNorTheOtherWayRound() {
        Policy github = parse("""
                [[grant]]
                repos = ["*"]
                allow = ["write"]
                """);
        Policy forgejo = parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["*"]
                allow = ["write"]
                """);

        assertThat(decide(github, getFile("codeberg.org", "user/project", "a")).allowed())
                .isFalse();
        assertThat(decide(forgejo, getFile("codeberg.org", "user/project", "a")).allowed())
                .isTrue();
        assertThat(decide(forgejo, DecisionRequest.of("bot", "dev", "get_file", "user/project"))
                .allowed()).isFalse();
        assertThat(forgejo.toolGrants()).singleElement().satisfies(grant -> {
            assertThat(grant.repositories()).containsExactly("forgejo:codeberg.org/*");
            assertThat(grant.tools())
                    .allMatch(tool -> tool.forge() == dev.tollgate.tools.Forge.FORGEJO)
                    .contains(Tool.FORGEJO_PUSH_FILES);
        });
    }

    @Test
    void hardBlocksHoldOnForgejo() {
        Policy policy = parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["user/project"]
                allow = ["write"]
                """);

        Decision main = decide(policy, push("codeberg.org", "user/project", "agent-x", "a")
                .withBranch("main"));
        assertThat(main.allowed()).isFalse();
        assertThat(((Denied) main).kind()).isEqualTo(Denied.Kind.HARD_BLOCK);
        Decision secret = decide(policy, call("bot", "forgejo_push_files", "codeberg.org",
                "user/project", Map.of("branch", "agent-x", "message", "m", "files", List.of(Map
                        .of("path", "a", "content",
                                "token = " + CredentialsInContentTest.GITHUB_TOKEN)))));
        assertThat(secret.allowed()).isFalse();
        assertThat(((Denied) secret).kind()).isEqualTo(Denied.Kind.SECRET_IN_CONTENT);
        Allowed allowed = (Allowed) decide(policy, push("codeberg.org", "user/project",
                "agent-x", "a"));
        assertThat(allowed.preconditions()).contains(Precondition.BRANCH_NOT_DEFAULT,
                Precondition.BRANCH_NOT_PROTECTED);
    }

    @Test
    void aDenyRuleWithoutAForgeCoversEveryForgeAndOneWithAForgeOnlyItsOwn() {
        Policy everywhere = parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["user/*"]
                allow = ["read"]
                [[deny]]
                repos = ["user/secret"]
                reason = "secret everywhere"
                """);
        Policy github = parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["user/*"]
                allow = ["read"]
                [[deny]]
                forge = "github"
                repos = ["user/secret"]
                reason = "secret on GitHub"
                """);
        Policy paths = parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["user/*"]
                allow = ["read"]
                [[deny]]
                forge = "forgejo"
                host = "codeberg.org"
                actions = ["forgejo_get_file"]
                paths = ["secrets/**"]
                reason = "no secrets"
                """);

        assertThat(decide(everywhere, getFile("codeberg.org", "user/secret", "a")).reason())
                .contains("secret everywhere");
        assertThat(decide(github, getFile("codeberg.org", "user/secret", "a")).allowed())
                .isTrue();
        assertThat(decide(paths, getFile("codeberg.org", "user/app", "secrets/k")).allowed())
                .isFalse();
        assertThat(decide(paths, getFile("codeberg.org", "user/app", "src/a")).allowed())
                .isTrue();
        Decision around = decide(paths, call("bot", "forgejo_api_get", "codeberg.org",
                "user/app", Map.of("path", "/repos/user/app/contents/secrets/k")));
        assertThat(around.allowed()).as("the passthrough cannot read around a path rule: %s",
                around.reason()).isFalse();
    }

    @Test
    void aGrantsConditionsRefuseThePassthroughThatReachesEverything() {
        Policy policy = parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["user/app"]
                allow = ["read"]
                paths = ["docs/**"]
                """);

        assertThat(decide(policy, getFile("codeberg.org", "user/app", "docs/a.md")).allowed())
                .isTrue();
        assertThat(decide(policy, getFile("codeberg.org", "user/app", "src/a.c")).allowed())
                .isFalse();
        assertThat(decide(policy, call("bot", "forgejo_api_get", "codeberg.org", "user/app", Map
                .of("path", "/repos/user/app/contents/docs/a.md"))).allowed()).isFalse();
    }

    @Test
    void aTokenNarrowedToGitHubRepositoriesReachesNoForgejoRepository() {
        Policy policy = parse(SERVICE_GATOR);
        DecisionRequest call = getFile("codeberg.org", "user/project", "a");
        DecisionRequest narrowed = new DecisionRequest(call.agent(), call.environment(), call
                .tool(), call.target(),
                new TokenNarrowing(java.util.Set.of(), List.of(RepoPattern
                        .of("user/project"))));

        assertThat(decide(policy, narrowed).allowed()).isFalse();
        assertThat(ToolGrant.visibleTools(policy.toolGrants(), "bot", "dev", java.util.Set.of(),
                List.of("user/project"))).doesNotContain(Tool.FORGEJO_GET_FILE);
    }

    @Test
    void mistakesAreProblemsNamingTheirLine() {
        assertThatThrownBy(() -> parse("""
                [[grant]]
                forge = "forgejo"
                repos = ["u/p"]
                allow = ["read"]
                """)).hasMessageContaining("needs host");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                forge = "forgejo"
                host = "https://codeberg.org"
                repos = ["u/p"]
                allow = ["read"]
                """)).hasMessageContaining("is not a host name");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                forge = "forgejo"
                host = "codeberg.org"
                repos = ["u/p"]
                allow = ["get_file"]
                """)).hasMessageContaining("'get_file' is a GitHub tool");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                repos = ["u/p"]
                allow = ["forgejo_get_file"]
                """)).hasMessageContaining("add forge = \"forgejo\"");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                forge = "bitbucket"
                repos = ["u/p"]
                allow = ["read"]
                """)).hasMessageContaining("github, forgejo, gitlab or jira");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                host = "codeberg.org"
                repos = ["u/p"]
                allow = ["read"]
                """)).hasMessageContaining("GitHub takes no host");
        assertThatThrownBy(() -> parse("""
                [[forgejo]]
                [forgejo.repos]
                "u/p" = { read = true }
                """)).hasMessageContaining("needs host");
    }

    @Test
    void forgejoOwnerNamesMayHoldDotsAndUnderscores() {
        Policy policy = parse("""
                [[forgejo]]
                host = "codeberg.org"
                [forgejo.repos]
                "some_user.x/project" = { read = true }
                """);

        assertThat(decide(policy, getFile("codeberg.org", "some_user.x/project", "a")).allowed())
                .isTrue();
    }

    @Test
    void theSameGrantOnAnotherHostIsAnotherPolicyVersion() {
        String template = """
                [[grant]]
                forge = "forgejo"
                host = "%s"
                repos = ["u/p"]
                allow = ["read"]
                """;

        assertThat(parse(template.formatted("codeberg.org")).version()).isNotEqualTo(parse(
                template.formatted("git.example.com")).version());
    }
}
