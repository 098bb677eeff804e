package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.load.PolicyFormat;
import dev.tollgate.decision.policy.load.PolicyLoader;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * JIRA in the policy: service-gator's [jira.projects] with its read, create and write tiers, on
 * the one JIRA site the executor is configured for; Tollgate's grants and deny rules with
 * {@code forge = "jira"}, project key patterns, conditions on issue numbers, and the hard blocks.
 */
class JiraPolicyTest {

    private static Policy parse(String toml) {
        return PolicyLoader.parse(toml, PolicyFormat.TOML, "test.toml").policy();
    }

    private static DecisionRequest call(String agent, String tool, Map<String, Object> args) {
        return DecisionRequest.forCall(agent, "dev", tool, new HashMap<>(args));
    }

    private static DecisionRequest search(String project) {
        return call("bot", "jira_search", Map.of("project", project));
    }

    private static DecisionRequest create(String project, String description) {
        return call("bot", "jira_create_issue", Map.of("project", project, "summary", "s",
                "description", description));
    }

    private static DecisionRequest comment(String issue) {
        return call("bot", "jira_add_comment", Map.of("issue_key", issue, "body", "b"));
    }

    private static Decision decide(Policy policy, DecisionRequest request) {
        return new PolicyEngine(policy).decide(request);
    }

    @Test
    void serviceGatorsJiraProjectsGrantTheirTiers() {
        Policy policy = parse("""
                [jira.projects]
                "PROJ" = { read = true, create = true }
                "OPS" = { write = true }
                """);

        assertThat(decide(policy, search("proj")).allowed()).isTrue();
        assertThat(decide(policy, create("PROJ", "d")).allowed()).isTrue();
        assertThat(decide(policy, comment("PROJ-3")).reason())
                .contains("needs jira_add_comment or write");
        assertThat(decide(policy, comment("OPS-3")).allowed()).isTrue();
        assertThat(decide(policy, call("bot", "jira_transition_issue", Map.of("issue_key",
                "OPS-3", "transition", "Done"))).allowed()).isTrue();
        assertThat(decide(policy, search("OTHER")).reason()).contains("no grant covers jira:OTHER");
    }

    @Test
    void aGitHubGrantNeverGrantsAJiraToolNorTheOtherWayRound() {
        Policy policy = parse("""
                [gh.repos]
                "*" = { write = true }
                [[grant]]
                forge = "jira"
                repos = ["*"]
                allow = ["read"]
                """);

        assertThat(decide(policy, comment("PROJ-1")).allowed()).isFalse();
        assertThat(decide(policy, search("PROJ")).allowed()).isTrue();
        assertThat(decide(policy, DecisionRequest.of("bot", "dev", "get_file", "proj/proj")
                .withPaths("a")).allowed()).isTrue();
        assertThat(ToolGrant.visibleTools(policy.toolGrants(), "bot", "dev", Set.of(), List
                .of())).contains(Tool.JIRA_SEARCH, Tool.JIRA_GET_ISSUE).doesNotContain(
                        Tool.JIRA_CREATE_ISSUE, Tool.JIRA_ADD_COMMENT);
    }

    @Test
    void grantsNameAgentsKeyPatternsAndIssues() {
        Policy policy = parse("""
                [[grant]]
                forge = "jira"
                agents = ["triage-*"]
                repos = ["OPS*"]
                allow = ["jira_add_comment", "read"]
                issues = [7]
                """);

        assertThat(decide(policy, call("triage-1", "jira_add_comment", Map.of("issue_key",
                "OPSX-7", "body", "b"))).allowed()).isTrue();
        assertThat(decide(policy, call("triage-1", "jira_add_comment", Map.of("issue_key",
                "OPSX-8", "body", "b"))).allowed()).isFalse();
        assertThat(decide(policy, call("other", "jira_add_comment", Map.of("issue_key",
                "OPS-7", "body", "b"))).allowed()).isFalse();
        assertThat(decide(policy, call("triage-1", "jira_search", Map.of("project", "OPS")))
                .allowed()).as("a search reveals every issue; the grant names issue 7 only")
                .isFalse();
    }

    @Test
    void denyRulesCoverJiraWithItsForgeOrAsEverything() {
        Policy policy = parse("""
                [jira.projects]
                "*" = { write = true }
                [[deny]]
                forge = "jira"
                repos = ["SEC*"]
                reason = "security projects are off limits"
                [[deny]]
                repos = ["myorg/*"]
                reason = "a GitHub pattern"
                """);

        assertThat(decide(policy, search("SECOPS")).reason()).contains("off limits");
        assertThat(decide(policy, search("PROJ")).allowed()).isTrue();
        Policy everything = parse("""
                [jira.projects]
                "*" = { write = true }
                [[deny]]
                repos = ["*"]
                agents = ["bot"]
                reason = "frozen"
                """);
        assertThat(decide(everything, search("PROJ")).reason()).contains("frozen");
    }

    @Test
    void theCredentialScanHoldsForWhatAnAgentWritesToJira() {
        Policy policy = parse("""
                [jira.projects]
                "PROJ" = { write = true }
                """);

        Decision secret = decide(policy, create("PROJ", "token = "
                + CredentialsInContentTest.GITHUB_TOKEN));
        assertThat(secret.allowed()).isFalse();
        assertThat(((Denied) secret).kind()).isEqualTo(Denied.Kind.SECRET_IN_CONTENT);
    }

    @Test
    void aJiraToolOnAnotherHostIsAnInvalidRequest() {
        Policy policy = parse("""
                [jira.projects]
                "PROJ" = { write = true }
                """);
        DecisionRequest call = search("PROJ");
        DecisionRequest elsewhere = new DecisionRequest(call.agent(), call.environment(), call
                .tool(), call.target().toBuilder().host("evil.example.com").build(),
                call
                        .narrowing());

        Decision decision = decide(policy, elsewhere);
        assertThat(((Denied) decision).kind()).isEqualTo(Denied.Kind.INVALID_REQUEST);
        assertThat(decision.reason()).contains("acts on JIRA only");
        assertThat(call.target().host()).isEqualTo(Target.JIRA);
    }

    @Test
    void mistakesAreProblemsNamingTheirLine() {
        assertThatThrownBy(() -> parse("""
                [jira]
                host = "example.atlassian.net"
                [jira.projects]
                "PROJ" = { read = true }
                """)).hasMessageContaining("JIRA takes no host");
        assertThatThrownBy(() -> parse("""
                [jira.projects]
                "PROJ" = { read = true, push-new-branch = true }
                """)).hasMessageContaining("unknown permission 'push-new-branch' on JIRA");
        assertThatThrownBy(() -> parse("""
                [jira.projects]
                "group/project" = { read = true }
                """)).hasMessageContaining("is not a JIRA project");
        assertThatThrownBy(() -> parse("""
                [[grant]]
                forge = "jira"
                repos = ["PROJ"]
                allow = ["get_file"]
                """)).hasMessageContaining("'get_file' is a GitHub tool");
        assertThatThrownBy(() -> parse("""
                [gh.repos]
                "o/r" = { create = true }
                """)).hasMessageContaining("unknown permission 'create' on GitHub");
    }
}
