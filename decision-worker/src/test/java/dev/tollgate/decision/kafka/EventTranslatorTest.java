package dev.tollgate.decision.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Conditions;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.DenyRule;
import dev.tollgate.decision.policy.Grant;
import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.RuleSet;
import dev.tollgate.decision.policy.RuleTrace;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.RuleEvaluation;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.TargetEvents;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tier;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Wire events to the core and back. */
class EventTranslatorTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T00:00:00Z"),
            ZoneOffset.UTC);
    private final EventTranslator translator = new EventTranslator(CLOCK);

    private static ToolCallRequested event(String tool, Resource resource, String arguments,
            String narrowing) {
        return ToolCallRequested.newBuilder()
                .setMeta(EventMetas.create(Roles.INGRESS, "req-1", CLOCK))
                .setAgentId("bot")
                .setEnvironment("prod")
                .setTool(tool)
                .setResource(resource)
                .setArgumentsJson(arguments)
                .setGrantNarrowing(narrowing)
                .build();
    }

    private static Resource resource(String owner, String repo, Long number, String path) {
        return Resource.newBuilder().setHost("github").setOwner(owner).setRepo(repo).setNumber(
                number).setPath(path).build();
    }

    @Test
    void theTargetIsParsedFromTheArgumentsByTheToolsDefinition() {
        ToolCallRequested event = event("create_pending_review", null,
                "{\"owner\":\"MyOrg\",\"repo\":\"App\",\"pull_number\":7,"
                        + "\"comments\":[{\"path\":\"src/a.c\",\"line\":1,\"body\":\"b\"}]}",
                null);

        DecisionRequest request = translator.toDecisionRequest(event);

        assertThat(request.repository()).isEqualTo("myorg/app");
        assertThat(request.target().numbers().named()).containsExactly(7L);
        assertThat(request.target().paths().named()).containsExactly("src/a.c");
    }

    @Test
    void aRequestWhoseTargetDiffersFromItsArgumentsIsNotDecided() {
        ToolCallRequested event = ToolCallRequested.newBuilder(event("get_file", null,
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"path\":\"secrets/prod.env\"}",
                null)).setTarget(TargetEvents.toEvent(
                        Target.in("myorg", "app").path("README.md")
                                .build()))
                .build();

        assertThatThrownBy(() -> translator.toDecisionRequest(event))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match its arguments");
    }

    @Test
    void argumentsTheToolRefusesAreNotDecided() {
        ToolCallRequested event = event("get_file", null,
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"path\":\"docs/%zz/%2e%2e/x\"}",
                null);

        assertThatThrownBy(() -> translator.toDecisionRequest(event))
                .hasMessageContaining("refused by get_file's definition")
                .hasMessageContaining("percent-encoded");
    }

    @Test
    void aRestPathOfGithubApiGetIsParsedIntoTheFilePathItReads() {
        ToolCallRequested event = event("github_api_get", null,
                "{\"path\":\"/repos/myorg/app/contents/secrets/prod.env\"}", null);
        Policy policy = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("myorg/app",
                Tier.READ)), List.of(
                        DenyRule.of("no secrets", "secrets are humans' only")
                                .when(Conditions.NONE.withPaths("secrets/**")))));

        DecisionRequest request = translator.toDecisionRequest(event);

        assertThat(request.target().paths().named()).containsExactly("secrets/prod.env");
        assertThat(new PolicyEngine(policy).decide(request).reason()).contains(
                "secrets are humans' only");
    }

    @Test
    void theTokenNarrowingIsRead() {
        ToolCallRequested event = event("get_file", resource("myorg", "app", null, "README.md"),
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"path\":\"README.md\"}",
                "{\"repositories\":[\"myorg/web\"],\"tools\":[\"get_file\"]}");

        DecisionRequest request = translator.toDecisionRequest(event);

        assertThat(request.narrowing().tools()).containsExactly("get_file");
        assertThat(request.narrowing().repositories()).extracting(Object::toString)
                .containsExactly("myorg/web");
        assertThat(request.target().paths().named()).containsExactly("README.md");
    }

    @Test
    void unreadableArgumentsOrNarrowingAreRefusedWithAReason() {
        assertThatThrownBy(() -> translator.toDecisionRequest(event("get_file", null, "{x",
                null))).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> translator.toDecisionRequest(event("get_file", null, "\"s\"",
                null))).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> translator.toDecisionRequest(event("get_file", null,
                "{\"owner\":\"o\",\"repo\":\"r\",\"path\":\"a\"}",
                "{\"tools\":\"get_file\"}"))).hasMessageContaining("narrowing");
    }

    @Test
    void anAllowedDecisionCarriesEverythingTheExecutorNeeds() {
        ToolCallRequested event = event("push_files", resource("myorg", "app", null, null),
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"branch\":\"agent-x\",\"message\":\"m\","
                        + "\"files\":[{\"path\":\"a.md\",\"content\":\"x\"}]}",
                null);
        Policy policy = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("myorg/app",
                Tier.PUSH_NEW_BRANCH).requiringFork()), List.of()));
        Allowed allowed = (Allowed) new PolicyEngine(policy).decide(translator.toDecisionRequest(
                event));

        PolicyDecided decided = translator.decided(event, allowed);

        assertThat(decided.getAllowed()).isTrue();
        assertThat(decided.getRequest()).isEqualTo(event);
        assertThat(decided.getPermissions()).isEqualTo(Map.of("contents", "write"));
        assertThat(decided.getRepositories()).containsExactly("myorg/app");
        assertThat(decided.getPreconditions()).containsExactly("require-fork",
                "branch-not-default", "branch-not-protected");
        assertThat(decided.getRoutingKey()).isEqualTo("myorg");
        assertThat(decided.getPolicyVersion()).isEqualTo(policy.version());
        assertThat(decided.getMeta().getRequestId()).isEqualTo("req-1");
        assertThat(decided.getMeta().getOccurredAt()).isEqualTo(CLOCK.instant());
        assertThat(decided.getRules()).extracting(RuleEvaluation::getEffect).contains("block",
                "allow", "deny");
    }

    @Test
    void denialsCarryAClassifiedCodeTheReasonAndTheVersion() {
        ToolCallRequested event = event("delete_repo", resource("myorg", "app", null, null), "{}",
                null);
        Denied denied = (Denied) new PolicyEngine(Policy.empty()).decide(translator
                .toDecisionRequest(event));

        ToolCallCompleted completed = translator.denied(event, denied);

        assertThat(completed.getStatus()).isEqualTo(CallStatus.DENIED);
        assertThat(completed.getErrorCode()).isEqualTo(EventTranslator.HARD_BLOCKED);
        assertThat(completed.getRetryable()).isFalse();
        assertThat(completed.getMessage()).startsWith("denied: 'delete_repo' is hard-blocked");
        assertThat(completed.getPolicyVersion()).isEqualTo(Policy.empty().version());
        assertThat(completed.getAgentId()).isEqualTo("bot");
    }

    @Test
    void aWriteCarryingACredentialIsAnsweredSecretInContentWithoutIt() {
        String token = "ghp_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";
        ToolCallRequested event = event("create_issue", resource("myorg", "app", null, null),
                "{\"owner\":\"myorg\",\"repo\":\"app\",\"title\":\"t\",\"body\":\"use "
                        + token + "\"}",
                null);
        Policy policy = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("myorg/app",
                Tier.values())), List.of()));
        Denied denied = (Denied) new PolicyEngine(policy).decide(translator.toDecisionRequest(
                event));

        ToolCallCompleted completed = translator.denied(event, denied);

        assertThat(completed.getStatus()).isEqualTo(CallStatus.DENIED);
        assertThat(completed.getErrorCode()).isEqualTo("secret_in_content").isEqualTo(
                EventTranslator.SECRET_IN_CONTENT);
        assertThat(completed.getRetryable()).isFalse();
        assertThat(completed.getMessage()).isEqualTo("denied: create_issue refused: body holds"
                + " what looks like a GitHub token (ghp_…); remove it, or use a secret store");
        assertThat(completed.toString()).doesNotContain(token.substring(4));
        assertThat(completed.getRules()).anySatisfy(rule -> assertThat(rule.getDetail())
                .contains("GitHub token"));
    }

    @Test
    void aVeryLongTraceIsShortenedKeepingWhatDecided() {
        List<RuleTrace> trace = new ArrayList<>();
        trace.add(new RuleTrace("hard-block", RuleTrace.Effect.BLOCK, false, "ok"));
        for (int i = 0; i < 1000; i++) {
            trace.add(new RuleTrace("other " + i, RuleTrace.Effect.SKIP, false, "not this repo"));
        }
        trace.add(new RuleTrace("the grant", RuleTrace.Effect.ALLOW, true, "permits"));

        List<RuleEvaluation> published = EventTranslator.rules(trace);

        assertThat(published).hasSize(3);
        assertThat(published).extracting(RuleEvaluation::getRule).containsExactly("hard-block",
                "the grant", "trace shortened");
        assertThat(published.get(2).getDetail()).startsWith("1000 rules");
    }

    @Test
    void aTraceOfOrdinaryLengthIsPublishedWhole() {
        List<RuleTrace> trace = List.of(new RuleTrace("a", RuleTrace.Effect.SKIP, false, "x"),
                new RuleTrace("b", RuleTrace.Effect.ALLOW, true, "y"));

        assertThat(EventTranslator.rules(trace)).extracting(RuleEvaluation::getRule)
                .containsExactly("a", "b");
    }
}
