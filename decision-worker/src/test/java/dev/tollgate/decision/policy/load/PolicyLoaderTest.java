package dev.tollgate.decision.policy.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.Policy;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.PolicyProblem;
import dev.tollgate.decision.policy.Precondition;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading policy files: Tollgate's own form in three formats, and broken files. */
class PolicyLoaderTest {

    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(PolicyLoaderTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Decision decide(Policy policy, String agent, String tool, String repo) {
        return new PolicyEngine(policy).decide(PolicyEngineRequests.of(agent, tool, repo));
    }

    private LoadedPolicy loadToml(String text) throws Exception {
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, text);
        return PolicyLoader.load(file);
    }

    private InvalidPolicyException refusedToml(String text) throws Exception {
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, text);
        try {
            PolicyLoader.load(file);
        } catch (InvalidPolicyException e) {
            return e;
        }
        throw new AssertionError("the policy was accepted");
    }

    private InvalidPolicyException refused(String name, String text) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        try {
            PolicyLoader.load(file);
        } catch (InvalidPolicyException e) {
            return e;
        }
        throw new AssertionError("the policy was accepted");
    }

    @Test
    void theSamePolicyInTomlJsonAndYamlHasTheSameVersion() {
        LoadedPolicy toml = PolicyLoader.load(resource("policies/example.toml"));
        LoadedPolicy json = PolicyLoader.load(resource("policies/example.json"));
        LoadedPolicy yaml = PolicyLoader.load(resource("policies/example.yaml"));

        assertThat(json.policy().version()).isEqualTo(toml.policy().version());
        assertThat(yaml.policy().version()).isEqualTo(toml.policy().version());
        assertThat(toml.policy().ruleCount()).isEqualTo(9);
        assertThat(toml.warnings()).isEmpty();
    }

    @Test
    void theReadmesExamplePolicyIsTheTestedOne() throws Exception {
        Path shipped = Path.of("examples/policy.toml");

        LoadedPolicy loaded = PolicyLoader.load(shipped);

        assertThat(Files.readString(shipped)).isEqualTo(Files.readString(resource(
                "policies/example.toml")));
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void theExamplePolicyMeansWhatItSays() {
        Policy policy = PolicyLoader.load(resource("policies/example.toml")).policy();
        PolicyEngine engine = new PolicyEngine(policy);

        assertThat(decide(policy, "anyone", "get_file", "myorg/other").allowed()).isTrue();
        assertThat(decide(policy, "anyone", "create_issue", "myorg/other").allowed()).isFalse();
        assertThat(engine.decide(PolicyEngineRequests.of("triage-1", "create_issue",
                "myorg/other").withLabels("bot")).allowed()).isTrue();
        assertThat(engine.decide(PolicyEngineRequests.of("triage-1", "create_issue",
                "myorg/other").withLabels("security")).allowed()).isFalse();
        assertThat(engine.decide(PolicyEngineRequests.of("reviewer", "create_pending_review",
                "myorg/app").withNumber(42)).allowed()).isTrue();
        assertThat(engine.decide(PolicyEngineRequests.of("reviewer", "create_pending_review",
                "myorg/app").withNumber(43)).allowed()).isFalse();
        assertThat(engine.decide(PolicyEngineRequests.of("docs-bot", "push_files", "myorg/site")
                .withBranch("agent-docs").withPaths("docs/a.md")).allowed()).isTrue();
        Decision workflow = engine.decide(PolicyEngineRequests.of("anyone", "push_files",
                "myorg/app").withBranch("agent-x").withPaths(".github/workflows/ci.yml"));
        assertThat(workflow).isInstanceOf(Denied.class);
        assertThat(workflow.reason()).contains("changed by humans only");
        assertThat(decide(policy, "anyone", "get_file", "myorg/payments").reason()).contains(
                "frozen until the audit ends");
        assertThat(engine.decide(PolicyEngineRequests.of("anyone", "push_files", "myorg/app")
                .withBranch("release/1").withPaths("a")).reason()).contains("release/*");
        Decision monitored = decide(policy, "new-bot", "create_issue", "myorg/app");
        assertThat(monitored).isInstanceOf(Allowed.class);
        assertThat(((Allowed) monitored).monitorOnly()).isTrue();
    }

    @Test
    void rulesAreNamedWithTheirLineInTheTrace() {
        Policy policy = PolicyLoader.load(resource("policies/example.toml")).policy();

        Decision decision = decide(policy, "anyone", "get_file", "myorg/other");

        assertThat(decision.rules()).anySatisfy(rule -> assertThat(rule.rule()).isEqualTo(
                "gh.repos.\"myorg/*\" (line 9)"));
        assertThat(decision.rules()).anySatisfy(rule -> assertThat(rule.rule()).isEqualTo(
                "payments is frozen (line 43)"));
    }

    @Test
    void aTomlSyntaxErrorNamesItsLine() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [gh.repos]
                "myorg/app" = { read = true }
                "myorg/web" = { read = tru }
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(3);
            assertThat(problem.message()).startsWith("TOML syntax:");
        });
        assertThat(e.getMessage()).contains("policy.toml:3:");
    }

    @Test
    void anUnknownPermissionNamesItsLineAndTheKnownOnes() throws Exception {
        InvalidPolicyException e = refusedToml("""
                # comment
                [gh.repos]
                "myorg/app" = { read = true }
                "myorg/web" = { read = true, admin = true }
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(4);
            assertThat(problem.where()).isEqualTo("gh.repos.\"myorg/web\".admin");
            assertThat(problem.message()).contains("unknown permission 'admin'").contains(
                    "push-new-branch").contains("create_issue");
        });
    }

    @Test
    void grantingDeleteRepoInTheTableFormIsRefusedAsAHardBlock() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [gh.repos]
                "myorg/app" = { read = true }

                "myorg/old" = { read = true, delete_repo = true }
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(4);
            assertThat(problem.message()).contains("hard-blocked").contains(
                    "deleting a repository").contains("no policy can grant it");
        });
    }

    @Test
    void grantingDeleteRepoInAGrantIsRefusedAtItsLine() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [[grant]]
                repos = ["myorg/app"]
                allow = ["read"]

                [[grant]]
                repos = ["myorg/app"]
                allow = [
                  "read",
                  "delete_repo",
                ]
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(9);
            assertThat(problem.where()).isEqualTo("grant[2].allow[2]");
            assertThat(problem.message()).contains("deleting a repository");
        });
    }

    @Test
    void grantingPushesToMainIsRefusedNamingTheGrantLine() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [gh.repos]
                "myorg/app" = { read = true }

                [[grant]]
                name = "ship it"
                repos = ["myorg/app"]
                allow = ["write"]
                branches = ["main"]
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(4);
            assertThat(problem.where()).isEqualTo("ship it");
            assertThat(problem.message()).contains("branch 'main'").contains("hard-blocked");
        });
    }

    @Test
    void grantingAToolAnsweredByTheIngressIsRefused() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [[grant]]
                repos = ["myorg/app"]
                allow = ["status"]
                """);

        assertThat(e.getMessage()).contains("policy.toml:1: grant[1]:").contains(
                "'status' is answered by the ingress");
    }

    @Test
    void everyProblemIsReportedSortedByLine() throws Exception {
        InvalidPolicyException e = refusedToml("""
                mode = "audit"
                colour = "blue"
                [gh.repos]
                "not a repo" = { read = true }
                "myorg/app" = { read = "yes" }
                [[deny]]
                exclude-paths = ["x"]
                reason = "r"
                """);

        assertThat(e.problems()).extracting(PolicyProblem::line).containsExactly(1, 2, 4, 5, 7);
        assertThat(e.problems().get(0).message()).contains("\"enforce\" or \"monitor\"");
        assertThat(e.problems().get(1).message()).contains("unknown key 'colour'");
        assertThat(e.problems().get(2).message()).contains("is not a repository");
        assertThat(e.problems().get(3).message()).contains("true or false");
        assertThat(e.problems().get(4).message()).contains("unknown key 'exclude-paths'");
        assertThat(e.getMessage()).startsWith("policy refused, 5 problems:");
    }

    @Test
    void aGrantWithoutReposOrAllowSaysWhatToAdd() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [[grant]]
                agents = ["bot"]
                """);

        assertThat(e.problems()).extracting(PolicyProblem::message)
                .anySatisfy(message -> assertThat(
                        message).contains("needs 'repos'"))
                .anySatisfy(message -> assertThat(message)
                        .contains("needs 'allow'"));
    }

    @Test
    void aGrantWrittenAsATableInsteadOfAnArrayOfTablesIsExplained() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [grant]
                repos = ["myorg/app"]
                allow = ["read"]
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(1);
            assertThat(problem.message()).contains("write [[grant]]");
        });
    }

    @Test
    void aJsonErrorNamesItsLine() throws Exception {
        InvalidPolicyException e = refused("policy.json", """
                {
                  "gh": {
                    "repos": {
                      "myorg/app": {"read": true,}
                    }
                  }
                }
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(4);
            assertThat(problem.message()).startsWith("JSON syntax:");
        });
    }

    @Test
    void aJsonProblemAfterParsingNamesItsLine() throws Exception {
        InvalidPolicyException e = refused("policy.json", """
                {
                  "grant": [
                    {"repos": ["myorg/app"], "allow": ["read"]},
                    {"repos": ["myorg/app"],
                     "allow": ["read", "merge_pull_request"]}
                  ]
                }
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(5);
            assertThat(problem.where()).isEqualTo("grant[2].allow[2]");
            assertThat(problem.message()).contains("merging");
        });
    }

    @Test
    void duplicateJsonKeysAreRefused() throws Exception {
        InvalidPolicyException e = refused("policy.json", """
                {"gh": {"repos": {
                  "myorg/app": {"read": true},
                  "myorg/app": {"write": true}
                }}}
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(3);
            assertThat(problem.message()).contains("Duplicate");
        });
    }

    @Test
    void aYamlProblemNamesItsLine() throws Exception {
        InvalidPolicyException e = refused("policy.yaml", """
                gh:
                  repos:
                    myorg/app:
                      read: true
                      approve: true
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(5);
            assertThat(problem.message()).contains("unknown permission 'approve'");
        });
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() throws Exception {
        InvalidPolicyException e = refused("policy.yml", """
                gh:
                  repos:
                    myorg/app: {read: true
                mode: enforce
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isGreaterThanOrEqualTo(3);
            assertThat(problem.message()).startsWith("YAML syntax:");
        });
    }

    @Test
    void theDefaultRuleSetNameIsReserved() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [rule-sets.default]
                mode = "monitor"
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> assertThat(problem
                .message()).contains("choose another name"));
    }

    @Test
    void aMissingFileSaysWhichSettingToFix() {
        assertThatThrownBy(() -> PolicyLoader.load(dir.resolve("absent.toml"))).isInstanceOf(
                InvalidPolicyException.class).hasMessageContaining("absent.toml")
                .hasMessageContaining(
                        "tollgate.policy.file");
    }

    @Test
    void anUnknownExtensionIsRefused() throws Exception {
        Path file = dir.resolve("policy.txt");
        Files.writeString(file, "[gh.repos]\n");

        assertThatThrownBy(() -> PolicyLoader.load(file)).isInstanceOf(
                InvalidPolicyException.class).hasMessageContaining(".toml, .json, .yaml");
    }

    @Test
    void anEmptyFileLoadsAsAPolicyThatDeniesEverything() throws Exception {
        LoadedPolicy loaded = loadToml("# nothing granted yet\n");

        assertThat(loaded.policy().ruleCount()).isZero();
        assertThat(decide(loaded.policy(), "bot", "get_file", "myorg/app").allowed()).isFalse();
    }

    @Test
    void aMultiLineInlineTableKeepsTheLinesAfterIt() throws Exception {
        InvalidPolicyException e = refusedToml("""
                [gh.repos]
                "myorg/app" = {
                  read = true, # comment inside
                  create-draft = true,
                }
                "myorg/web" = { reed = true }
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(6);
            assertThat(problem.where()).isEqualTo("gh.repos.\"myorg/web\".reed");
        });
    }

    @Test
    void stringsWithBracesAndHashesAreNotMistakenForTables() throws Exception {
        LoadedPolicy loaded = loadToml("""
                [[deny]]
                name = "no {weird} # names"
                reason = "a reason with { and } and # inside"
                repos = ["myorg/app"]
                """);

        assertThat(decide(loaded.policy(), "bot", "get_file", "myorg/app").reason()).contains(
                "a reason with { and } and # inside");
    }

    @Test
    void aMonitorModeCoveringEveryoneLoadsWithAWarning() throws Exception {
        LoadedPolicy loaded = loadToml("""
                mode = "monitor"
                [gh.repos]
                "myorg/app" = { read = true }
                """);

        assertThat(loaded.warnings()).singleElement().satisfies(warning -> assertThat(warning
                .message()).contains("never denied by default"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"paths", "pull-requests", "issues", "branches", "labels"})
    void anEmptyConditionListOnAGrantIsRefusedAtItsLine(String key) throws Exception {
        InvalidPolicyException e = refusedToml("""
                [[grant]]
                agents = ["reviewer"]
                repos = ["myorg/app"]
                allow = ["read", "pending-review"]
                %s = []
                """.formatted(key));

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(5);
            assertThat(problem.message()).contains("an empty list matches nothing").contains(
                    "omit the key for no restriction");
        });
    }

    @Test
    void anEmptyConditionListInJsonIsRefusedToo() throws Exception {
        InvalidPolicyException e = refused("policy.json", """
                {"grant": [{"agents": ["reviewer"], "repos": ["myorg/app"],
                  "allow": ["read", "pending-review"],
                  "pull-requests": []}]}
                """);

        assertThat(e.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.line()).isEqualTo(3);
            assertThat(problem.message()).contains("an empty list matches nothing");
        });
    }

    @Test
    void anEmptyConditionListOnADenyRuleWidensItAndLoadsWithAWarning() throws Exception {
        LoadedPolicy loaded = loadToml("""
                [gh.repos]
                "myorg/app" = { read = true }

                [[deny]]
                repos = ["myorg/app"]
                paths = []
                reason = "frozen"
                """);

        assertThat(loaded.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(6);
            assertThat(warning.message()).contains("applies whatever paths a call names");
        });
        assertThat(decide(loaded.policy(), "bot", "get_file", "myorg/app").reason()).contains(
                "frozen");
    }

    @Test
    void aDenyWithoutReasonLoadsWithAWarning() throws Exception {
        LoadedPolicy loaded = loadToml("""
                [[deny]]
                repos = ["myorg/app"]
                """);

        assertThat(loaded.warnings()).singleElement().satisfies(warning -> {
            assertThat(warning.line()).isEqualTo(1);
            assertThat(warning.message()).contains("add reason");
        });
    }

    @Test
    void aPolicyFileIsNeverLargerThanAMegabyte() throws Exception {
        Path file = dir.resolve("big.toml");
        Files.writeString(file, "# x\n".repeat(300_000));

        assertThatThrownBy(() -> PolicyLoader.load(file)).hasMessageContaining("larger than");
    }

    @Test
    void aGitHubToolNamingAnotherHostIsAnInvalidRequest() throws Exception {
        LoadedPolicy loaded = loadToml("[gh.repos]\n\"myorg/app\" = { read = true }\n");

        Decision decision = new PolicyEngine(loaded.policy()).decide(PolicyEngineRequests.of(
                "bot", "get_file", "myorg/app").onHost("gitlab"));

        assertThat(decision.reason()).contains("acts on GitHub only, not on 'gitlab'");
        assertThat(((Denied) decision).kind()).isEqualTo(Denied.Kind.INVALID_REQUEST);
    }

    @Test
    void requireForkInTollgatesGrantFormIsAPrecondition() throws Exception {
        LoadedPolicy loaded = loadToml("""
                [[grant]]
                repos = "upstream/repo"
                allow = ["push-new-branch"]
                require-fork = true
                """);

        Allowed allowed = (Allowed) new PolicyEngine(loaded.policy()).decide(PolicyEngineRequests
                .of("bot", "create_branch", "upstream/repo").withBranch("agent-1"));

        assertThat(allowed.preconditions()).contains(Precondition.REQUIRE_FORK);
    }

    @Test
    void monitorModeOnARuleSetIsRead() throws Exception {
        LoadedPolicy loaded = loadToml("""
                [rule-sets.rollout]
                mode = "monitor"
                agents = ["new-bot"]
                environments = ["dev"]
                [[rule-sets.rollout.deny]]
                actions = ["write"]
                reason = "new-bot will be read-only"
                [rule-sets.rollout.gh.repos]
                "myorg/*" = { write = true }
                """);

        Allowed allowed = (Allowed) new PolicyEngine(loaded.policy()).decide(DecisionRequest.of(
                "new-bot", "dev", "create_issue", "myorg/app"));

        assertThat(allowed.monitorOnly()).isTrue();
        assertThat(allowed.reason()).contains("new-bot will be read-only");
    }
}
