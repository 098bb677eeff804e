package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What every decision carries besides allowed or denied, and what a policy refuses to hold. */
class DecisionContentsTest {

    private static Policy policy(Grant... grants) {
        return Policy.of(RuleSet.enforcing("default", List.of(grants), List.of()));
    }

    private static Decision decide(Policy policy, DecisionRequest request) {
        return new PolicyEngine(policy).decide(request);
    }

    @Test
    void getFileNeedsOnlyContentsRead() {
        Policy policy = policy(Grant.of("myorg/app", Tier.READ));

        Allowed allowed = (Allowed) decide(policy, DecisionRequest.of("bot", "prod", "get_file",
                "myorg/app"));

        assertThat(allowed.permissions()).isEqualTo(Map.of("contents", "read"));
    }

    @Test
    void everyAllowedActionNeedsExactlyThePermissionsOfItsTool() {
        Policy policy = policy(Grant.of("myorg/app", Tier.WRITE));

        for (Tool action : Tool.values()) {
            if (action.kind() == Tool.Kind.LOCAL || action.forge() != Forge.GITHUB) {
                continue;
            }
            DecisionRequest request = PolicyEngineCasesTest.req(action.toolName(), "myorg/app");

            Allowed allowed = (Allowed) decide(policy, request);

            assertThat(allowed.permissions()).as(action.toolName()).isEqualTo(action
                    .permissions());
        }
    }

    @Test
    void createIssueNeedsIssuesWriteOnThatRepositoryOnly() {
        Policy policy = policy(Grant.of("myorg/*", Tier.WRITE));

        Allowed allowed = (Allowed) decide(policy, DecisionRequest.of("bot", "prod",
                "create_issue", "MyOrg/App"));

        assertThat(allowed.permissions()).isEqualTo(Map.of("issues", "write"));
        assertThat(allowed.repositories()).containsExactly("myorg/app");
        assertThat(allowed.routingKey()).isEqualTo("myorg");
    }

    @Test
    void pushesCarryTheDefaultAndProtectedBranchPreconditions() {
        Policy policy = policy(Grant.of("myorg/app", Tier.PUSH_NEW_BRANCH));

        Allowed allowed = (Allowed) decide(policy, DecisionRequest.of("bot", "prod",
                "push_files", "myorg/app").withBranch("agent-x").withPaths("a.txt"));

        assertThat(allowed.preconditions()).containsExactly(Precondition.BRANCH_NOT_DEFAULT,
                Precondition.BRANCH_NOT_PROTECTED);
    }

    @Test
    void requireForkBecomesAPreconditionOfPushes() {
        Policy policy = policy(Grant.of("upstream/repo", Tier.READ, Tier.PUSH_NEW_BRANCH)
                .requiringFork());

        Allowed allowed = (Allowed) decide(policy, DecisionRequest.of("bot", "prod",
                "create_branch", "upstream/repo").withBranch("agent-x"));

        assertThat(allowed.preconditions()).contains(Precondition.REQUIRE_FORK);
        assertThat(Precondition.REQUIRE_FORK.code()).isEqualTo("require-fork");
    }

    @Test
    void requireForkDoesNotConstrainReads() {
        Policy policy = policy(Grant.of("upstream/repo", Tier.READ, Tier.PUSH_NEW_BRANCH)
                .requiringFork());

        Allowed allowed = (Allowed) decide(policy, DecisionRequest.of("bot", "prod", "get_file",
                "upstream/repo"));

        assertThat(allowed.preconditions()).isEmpty();
    }

    @Test
    void requireForkOnAnyMostSpecificGrantAppliesToTheRepository() {
        Policy policy = policy(Grant.of("upstream/repo", Tier.READ).requiringFork(), Grant.of(
                "upstream/repo", Tier.PUSH_NEW_BRANCH).named("pushes"));

        Allowed allowed = (Allowed) decide(policy, DecisionRequest.of("bot", "prod",
                "create_branch", "upstream/repo").withBranch("agent-x"));

        assertThat(allowed.preconditions()).contains(Precondition.REQUIRE_FORK);
    }

    @Test
    void everyDecisionCarriesThePolicyVersion() {
        Policy policy = policy(Grant.of("myorg/app", Tier.READ));

        Decision allowed = decide(policy, DecisionRequest.of("bot", "prod", "get_file",
                "myorg/app"));
        Decision denied = decide(policy, DecisionRequest.of("bot", "prod", "create_issue",
                "myorg/app"));

        assertThat(allowed.policyVersion()).isEqualTo(policy.version()).startsWith("sha256:")
                .hasSize("sha256:".length() + 64);
        assertThat(denied.policyVersion()).isEqualTo(policy.version());
    }

    @Test
    void theTraceShowsTheMatchingGrantAndTheShadowedOne() {
        Policy policy = policy(Grant.of("myorg/*", Tier.WRITE).named("org"), Grant.of(
                "myorg/app", Tier.READ).named("app"));

        Decision decision = decide(policy, DecisionRequest.of("bot", "prod", "create_issue",
                "myorg/app"));

        assertThat(decision.rules()).extracting(RuleTrace::rule).contains("org", "app",
                PolicyEngine.RULE_CATALOGUED, PolicyEngine.RULE_DEFAULT_DENY);
        assertThat(decision.rules()).filteredOn(trace -> trace.rule().equals("org"))
                .singleElement().satisfies(trace -> {
                    assertThat(trace.effect()).isEqualTo(RuleTrace.Effect.SKIP);
                    assertThat(trace.detail()).contains("shadowed");
                });
        assertThat(decision.rules()).filteredOn(trace -> trace.rule().equals("app"))
                .singleElement().satisfies(trace -> {
                    assertThat(trace.effect()).isEqualTo(RuleTrace.Effect.ALLOW);
                    assertThat(trace.matched()).isFalse();
                });
        assertThat(decision.rules()).last().satisfies(trace -> assertThat(trace.matched())
                .isTrue());
    }

    @Test
    void theReasonOfADefaultDenyNamesTheMissingGrant() {
        Policy policy = policy(Grant.of("myorg/app", Tier.READ));

        Decision decision = decide(policy, DecisionRequest.of("bot", "prod", "create_pr",
                "myorg/app").withBranch("agent-x"));

        assertThat(decision.reason()).isEqualTo(
                "agent 'bot' (environment 'prod') may not create_pr on myorg/app: grant myorg/app:"
                        + " grants read, not create_pr (that needs create-draft or create_pr or write)");
    }

    @Test
    void anAllowedReasonNamesTheGrant() {
        Policy policy = policy(Grant.of("myorg/app", Tier.READ));

        Decision decision = decide(policy, DecisionRequest.of("bot", "prod", "get_file",
                "myorg/app"));

        assertThat(decision.reason())
                .isEqualTo("get_file on myorg/app is allowed by grant myorg/app");
    }

    @Test
    void sameRulesInAnotherOrderHaveTheSameVersion() {
        Policy one = policy(Grant.of("a/b", Tier.READ), Grant.of("c/d", Tier.WRITE));
        Policy two = policy(Grant.of("c/d", Tier.WRITE), Grant.of("a/b", Tier.READ));

        assertThat(one.version()).isEqualTo(two.version());
    }

    @Test
    void anyChangeOfMeaningChangesTheVersion() {
        Policy base = policy(Grant.of("a/b", Tier.READ));

        assertThat(policy(Grant.of("a/b", Tier.WRITE)).version()).isNotEqualTo(base.version());
        assertThat(policy(Grant.of("a/c", Tier.READ)).version()).isNotEqualTo(base.version());
        assertThat(policy(Grant.of("a/b", Tier.READ).requiringFork()).version()).isNotEqualTo(
                base.version());
        assertThat(base.withProtectedBranches("release/*").version()).isNotEqualTo(base
                .version());
        assertThat(Policy.of(RuleSet.enforcing("default", List.of(Grant.of("a/b", Tier.READ)),
                List.of()).inMode(Mode.MONITOR)).version()).isNotEqualTo(base.version());
    }

    @Test
    void aGrantOfPushesToMainIsRefused() {
        Grant grant = Grant.of("myorg/app", Tier.WRITE).withConditions(Conditions.NONE
                .withBranches("main"));

        assertThatThrownBy(() -> policy(grant)).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("grants pushes to branch 'main'")
                .hasMessageContaining("hard-blocked");
    }

    @Test
    void aGrantOfPushesToAConfiguredProtectedBranchIsRefused() {
        Grant grant = Grant.of("myorg/app").withActions(Tool.PUSH_FILES).withConditions(
                Conditions.NONE.withBranches("release/1.0"));

        assertThatThrownBy(() -> policy(grant).withProtectedBranches("release/*"))
                .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("release/1.0");
    }

    @Test
    void aBranchConditionOnAGrantWithoutPushesIsAccepted() {
        Grant grant = Grant.of("myorg/app", Tier.CREATE_DRAFT).withConditions(Conditions.NONE
                .withBranches("main"));

        assertThat(policy(grant).ruleCount()).isEqualTo(1);
    }

    @Test
    void aGrantOfALocalToolIsRefused() {
        Grant grant = Grant.of("myorg/app").withActions(Tool.STATUS);

        assertThatThrownBy(() -> policy(grant)).isInstanceOf(InvalidPolicyException.class)
                .hasMessageContaining("'status' is answered by the ingress");
    }

    @Test
    void repositoryPatternsMustHaveAnOwnerAndAName() {
        assertThatThrownBy(() -> RepoPattern.of("justaname")).hasMessageContaining(
                "owner/repo");
        assertThatThrownBy(() -> RepoPattern.of("a/b/c")).hasMessageContaining("owner/repo");
        assertThatThrownBy(() -> RepoPattern.of("a/")).hasMessageContaining("owner/repo");
    }

    @Test
    void aCallsTargetComesFromItsToolsDefinition() {
        DecisionRequest request = DecisionRequest.forCall("bot", "prod", "push_files", Map.of(
                "owner", "MyOrg", "repo", "App", "branch", "agent-x", "message", "m", "files",
                List.of(Map.of("path", "a.txt", "content", "x"), Map.of("path",
                        ".github/workflows/ci.yml", "content", "y"))));

        assertThat(request.owner()).isEqualTo("myorg");
        assertThat(request.repo()).isEqualTo("app");
        assertThat(request.target().branch()).isEqualTo("agent-x");
        assertThat(request.target().paths().named()).containsExactly("a.txt",
                ".github/workflows/ci.yml");
    }

    @Test
    void argumentsAToolDoesNotTakeAreRefusedNotGuessedAt() {
        assertThatThrownBy(() -> DecisionRequest.forCall("bot", "prod", "get_file", Map.of(
                "repository", "o/r", "path", "README.md")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'repository' is not an argument");
        assertThatThrownBy(() -> DecisionRequest.forCall("bot", "prod", "push_files", Map.of(
                "owner", "o", "repo", "r", "branch", "refs/heads/agent-x", "message", "m",
                "files", List.of(Map.of("path", "a", "content", "x")))))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aNameThatIsNotAToolHasNoTargetAndIsHardBlocked() {
        DecisionRequest request = DecisionRequest.forCall("bot", "prod", "delete_repo", Map.of(
                "owner", "o", "repo", "r"));

        assertThat(request.target()).isNull();
        assertThat(new PolicyEngine(Policy.empty()).decide(request)).isInstanceOfSatisfying(
                Denied.class, denied -> assertThat(denied.kind()).isEqualTo(
                        Denied.Kind.HARD_BLOCK));
    }

    @Test
    void aPushThatRenamesOutOfOrDeletesInADeniedPathIsDenied() {
        Policy policy = PolicyEngineCasesTest.policy(List.of(Grant.of("myorg/app", Tier.WRITE)),
                DenyRule.of("no-secrets", "secrets stay put").when(Conditions.NONE.withPaths(
                        "secrets/**")));
        Map<String, Object> renameOut = Map.of("path", "public/key.pem", "previous_path",
                "secrets/key.pem", "content", "x");
        Map<String, Object> delete = Map.of("path", "secrets/key.pem", "delete", true);
        Map<String, Object> elsewhere = Map.of("path", "public/readme.md", "delete", true);

        for (Map<String, Object> change : List.of(renameOut, delete)) {
            assertThat(decide(policy, DecisionRequest.forCall("bot", "prod", "push_files", Map.of(
                    "owner", "myorg", "repo", "app", "branch", "agent-x", "message", "m",
                    "files", List.of(change))))).as(change.toString()).isInstanceOfSatisfying(
                            Denied.class, denied -> assertThat(denied.reason()).contains(
                                    "secrets stay put"));
        }
        assertThat(decide(policy, DecisionRequest.forCall("bot", "prod", "push_files", Map.of(
                "owner", "myorg", "repo", "app", "branch", "agent-x", "message", "m", "files",
                List.of(elsewhere))))).isInstanceOf(Allowed.class);
    }

    @Test
    void aDenyOnAFolderRefusesAFileWhoseNameHoldsALineSeparator() {
        Policy policy = PolicyEngineCasesTest.policy(List.of(PolicyEngineCasesTest.grant(
                "myorg/app", Tier.WRITE)), DenyRule.of("no-secrets", "secrets stay put")
                        .forActions(Tool.PUSH_FILES).when(Conditions.NONE.withPaths(
                                "secrets/")));

        Decision decision = new PolicyEngine(policy).decide(PolicyEngineCasesTest.req(
                "push_files", "myorg/app").withPaths("secrets/key\u2028.pem"));

        assertThat(decision).isInstanceOfSatisfying(Denied.class, denied -> assertThat(denied
                .reason()).contains("secrets stay put"));
    }
}
