package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.policy.load.PolicyFormat;
import dev.tollgate.decision.policy.load.PolicyLoader;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The grants a policy publishes for the ingress's tool lists: whatever the engine can allow an
 * agent is listed for it, and a tool no grant covers is not.
 */
class PolicyToolGrantsTest {

    private static final String POLICY = """
            version = 1

            [[grant]]
            name = "reviewers read"
            agents = ["reviewer-*"]
            repos = ["octo/app"]
            allow = ["read"]

            [[grant]]
            name = "coders push and open drafts in dev"
            agents = ["coder"]
            environments = ["dev"]
            repos = ["octo/*"]
            allow = ["read", "push-new-branch", "create-draft"]

            [[grant]]
            name = "triage files issues"
            agents = ["triage"]
            repos = ["octo/app"]
            allow = ["create_issue"]
            """;

    private static Set<Tool> visible(Policy policy, String agent, String environment) {
        return ToolGrant.visibleTools(policy.toolGrants(), agent, environment, Set.of(), List.of());
    }

    private static Policy parse(String text) {
        return PolicyLoader.parse(text, PolicyFormat.TOML, "test").policy();
    }

    @Test
    void everyToolTheEngineAllowsAnAgentIsListedForItAndNoOther() {
        Policy policy = parse(POLICY);
        PolicyEngine engine = new PolicyEngine(policy);
        List<String> agents = List.of("reviewer-1", "coder", "triage", "stranger");

        for (String agent : agents) {
            Set<Tool> listed = visible(policy, agent, "dev");
            for (Tool tool : Tool.values()) {
                if (tool.kind() == Tool.Kind.LOCAL) {
                    assertThat(listed).as("%s for %s", tool, agent).contains(tool);
                    continue;
                }
                boolean allowedSomewhere = engine.decide(PolicyEngineCasesTest.req(agent,
                        "dev", tool.toolName(), "octo/app")) instanceof Allowed;
                if (allowedSomewhere) {
                    assertThat(listed).as("%s is allowed to %s, so it is listed", tool, agent)
                            .contains(tool);
                }
            }
        }
        assertThat(visible(policy, "reviewer-1", "dev")).noneMatch(tool -> tool
                .kind() == Tool.Kind.WRITE);
        assertThat(visible(policy, "coder", "dev")).contains(Tool.PUSH_FILES, Tool.CREATE_PR,
                Tool.CREATE_BRANCH).doesNotContain(Tool.CREATE_ISSUE, Tool.COMMENT_ON_ISSUE);
        assertThat(visible(policy, "coder", "prod")).as("coders' grant is for dev only")
                .containsExactlyInAnyOrder(Tool.STATUS, Tool.GET_REQUEST_STATUS);
        assertThat(visible(policy, "triage", "dev")).containsExactlyInAnyOrder(Tool.STATUS,
                Tool.GET_REQUEST_STATUS, Tool.CREATE_ISSUE);
        assertThat(visible(policy, "stranger", "dev")).containsExactlyInAnyOrder(Tool.STATUS,
                Tool.GET_REQUEST_STATUS);
    }

    @Test
    void aRuleSetsAgentsNarrowItsGrants() {
        Policy policy = Policy.of(RuleSet.enforcing("bots", List.of(Grant.of("octo/app",
                Tier.WRITE)), List.of()).forAgents("bot-*"));

        assertThat(visible(policy, "bot-1", "dev")).contains(Tool.CREATE_ISSUE);
        assertThat(visible(policy, "human", "dev")).doesNotContain(Tool.CREATE_ISSUE,
                Tool.GET_FILE);
        assertThat(policy.toolGrants()).singleElement().satisfies(grant -> {
            assertThat(grant.name()).startsWith("bots / ");
            assertThat(grant.repositories()).containsExactly("octo/app");
            assertThat(grant.monitor()).isFalse();
        });
    }

    @Test
    void aRuleSetInMonitorModeListsEveryToolItWouldLetThrough() {
        Policy policy = Policy.of(RuleSet.enforcing("trial", List.of(), List.of()).forAgents(
                "trial-*").inMode(Mode.MONITOR));

        assertThat(visible(policy, "trial-1", "dev")).containsExactlyInAnyOrder(Tool.values());
        assertThat(visible(policy, "other", "dev")).containsExactlyInAnyOrder(Tool.STATUS,
                Tool.GET_REQUEST_STATUS);
        assertThat(new PolicyEngine(policy).decide(PolicyEngineCasesTest.req("trial-1", "dev",
                "create_issue", "octo/app"))).as("monitor mode allows what it would deny")
                .isInstanceOf(Allowed.class);
    }

    @Test
    void grantingThePassthroughListsEveryReadTool() {
        Policy policy = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("octo/app")
                .withActions(Tool.GITHUB_API_GET)), List.of()));

        assertThat(visible(policy, "a", "dev")).containsAll(Tier.READ.tools().stream().filter(
                tool -> tool.forge() == Forge.GITHUB).toList()).noneMatch(
                        tool -> tool
                                .kind() == Tool.Kind.WRITE || tool.forge() == Forge.FORGEJO);
    }

    @Test
    void theSamePolicyGivesTheSameGrants() {
        assertThat(parse(POLICY).toolGrants()).isEqualTo(parse(POLICY).toolGrants());
    }
}
