package dev.tollgate.decision.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Tier;
import dev.tollgate.tools.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Property-style: whatever the request, an empty policy or a policy about other repositories,
 * agents or environments denies it. Seeds are fixed per repetition, so a failure reproduces.
 */
class DenyByDefaultPropertyTest {

    private static final List<String> TOOLS;

    static {
        List<String> tools = new ArrayList<>();
        for (Tool action : Tool.values()) {
            tools.add(action.toolName());
        }
        tools.addAll(List.of("delete_repo", "merge_pull_request", "run_shell", "", "Get_File"));
        TOOLS = List.copyOf(tools);
    }

    private static DecisionRequest randomRequest(Random random) {
        String tool = TOOLS.get(random.nextInt(TOOLS.size()));
        String owner = pick(random, "acme", "myorg", "x-y", "z");
        String repo = pick(random, "app", "api", "svc-1", "r");
        DecisionRequest request = DecisionRequest.of(pick(random, "bot", "ci", "reviewer"), pick(
                random, "prod", "dev"), tool,
                random.nextInt(10) == 0
                        ? null
                        : owner + "/" + repo);
        if (request.target() == null) {
            return request;
        }
        if (random.nextInt(3) == 0) {
            request = request.onHost("gitlab");
        }
        if (random.nextBoolean()) {
            request = request.withNumber(random.nextInt(50));
        }
        String branch = pick(random, "agent-x", "main", "feature", null);
        if (branch != null) {
            request = request.withBranch(branch);
        }
        if (random.nextBoolean()) {
            request = request.withBase("main");
        }
        if (random.nextBoolean()) {
            request = request.withPaths(pick(random, "a.txt", ".github/workflows/ci.yml",
                    "../x"));
        }
        if (random.nextInt(4) == 0) {
            request = request.withEveryPath("a tree");
        }
        if (random.nextInt(4) == 0) {
            request = request.withEveryNumber("a listing");
        }
        return random.nextBoolean() ? request : request.withDraft(random.nextBoolean());
    }

    private static String pick(Random random, String... values) {
        return values[random.nextInt(values.length)];
    }

    @RepeatedTest(5)
    void anEmptyPolicyDeniesEveryRequest(RepetitionInfo repetition) {
        Random random = new Random(1000L + repetition.getCurrentRepetition());
        PolicyEngine engine = new PolicyEngine(Policy.empty());

        for (int i = 0; i < 400; i++) {
            DecisionRequest request = randomRequest(random);

            Decision decision = engine.decide(request);

            assertThat(decision).as(request.toString()).isInstanceOf(Denied.class);
            assertThat(decision.reason()).isNotBlank();
        }
    }

    @RepeatedTest(5)
    void aPolicyAboutOtherRepositoriesAgentsAndEnvironmentsDeniesEveryRequest(
            RepetitionInfo repetition) {
        Random random = new Random(2000L + repetition.getCurrentRepetition());
        Policy unrelated = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("elsewhere/*",
                Tier.WRITE), Grant.of("*", Tier.WRITE).withAgents("someone-else"),
                Grant.of("*",
                        Tier.WRITE).withEnvironments("staging")),
                List.of()),
                RuleSet.enforcing(
                        "other-team", List.of(Grant.of("*", Tier.WRITE)), List.of())
                        .forAgents("other-*").inMode(Mode.MONITOR));
        PolicyEngine engine = new PolicyEngine(unrelated);

        for (int i = 0; i < 400; i++) {
            DecisionRequest request = randomRequest(random);

            Decision decision = engine.decide(request);

            assertThat(decision).as(request.toString()).isInstanceOf(Denied.class);
        }
    }

    @RepeatedTest(3)
    void noPolicyAllowsAHardBlockedRequest(RepetitionInfo repetition) {
        Random random = new Random(3000L + repetition.getCurrentRepetition());
        Policy everything = Policy.of(RuleSet.enforcing("default", List.of(Grant.of("*",
                Tier.values())), List.of()).inMode(Mode.MONITOR));
        PolicyEngine engine = new PolicyEngine(everything);

        for (int i = 0; i < 400; i++) {
            DecisionRequest request = randomRequest(random);
            boolean blockedTool = HardBlocks.blockedTool(request.tool()).isPresent();
            boolean protectedPush = Tool.byToolName(request.tool()).map(tool -> tool.definition()
                    .writesBranch()).orElse(false) && request.target() != null && !"agent-x"
                            .equals(request.target().branch());

            Decision decision = engine.decide(request);

            if (blockedTool || protectedPush) {
                assertThat(decision).as(request.toString()).isInstanceOf(Denied.class);
                assertThat(((Denied) decision).kind()).isIn(Denied.Kind.HARD_BLOCK,
                        Denied.Kind.INVALID_REQUEST);
            }
        }
    }
}
