package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The explain command: decision and trace on stdout, exit code 0 / 1 / 2. */
class ExplainCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int explain(String... args) {
        return ExplainCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String example() {
        return TestResources.path("policies/example.toml").toString();
    }

    @Test
    void anAllowedRequestPrintsItsPermissionsAndTraceAndExitsZero() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "get_file", "--arg", "owner=myorg", "--arg", "repo=app", "--arg",
                "path=README.md");

        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).contains("decision   ALLOWED").contains(
                "permissions contents: read").contains("repositories myorg/app").contains(
                        "routing key myorg")
                .contains("rules evaluated, in order:").contains(
                        "MATCH allow gh.repos.\"myorg/app\" (line 10)");
        assertThat(stdout()).startsWith("policy     sha256:");
    }

    @Test
    void aDeniedRequestPrintsTheMissingGrantAndExitsOne() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "create_issue", "--repo", "myorg/app", "--arg", "title=x");

        assertThat(code).isEqualTo(ExplainCommand.DENIED);
        assertThat(stdout()).contains("decision   DENIED (no grant)").contains(
                "may not create_issue on myorg/app").contains("MATCH deny default: deny");
    }

    @Test
    void aHardBlockIsExplained() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "delete_repo", "--repo", "myorg/app");

        assertThat(code).isEqualTo(ExplainCommand.DENIED);
        assertThat(stdout()).contains("DENIED (hard block)").contains(
                "MATCH block hard-block: catalogued tools only");
    }

    @Test
    void aCallTheGatewayRefusesIsExplainedAsItsRefusal() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "push_files", "--repo", "myorg/app", "--arg", "branch=main", "--arg",
                "message=m", "--arg", "files=[{\"path\":\"a.txt\",\"content\":\"x\"}]");

        assertThat(code).isEqualTo(ExplainCommand.DENIED);
        assertThat(stdout()).contains("DENIED (invalid arguments)").contains(
                "'branch' must name a branch starting with 'agent-'");
    }

    @Test
    void theTargetIsPrinted() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "github_api_get", "--arg", "path=/repos/myorg/app/git/trees/main");

        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).contains("target     repository: myorg/app").contains(
                "refs read: [main]").contains("paths: every (a tree lists every path");
    }

    @Test
    void aRequestCanBeGivenAsJson() {
        int code = explain("--policy", example(), "--request", """
                {"agent": "triage-7", "environment": "prod", "tool": "create_issue",
                 "arguments": {"owner": "myorg", "repo": "web", "title": "t", "labels": ["bot"]}}
                """);

        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).contains("allowed by triage bot files labelled issues").contains(
                "permissions issues: write");
    }

    @Test
    void aTokenNarrowingInTheRequestIsApplied() {
        int code = explain("--policy", example(), "--request", """
                {"agent": "bot", "environment": "prod", "tool": "get_file",
                 "narrowing": {"repositories": ["myorg/web"]},
                 "arguments": {"owner": "myorg", "repo": "app", "path": "README.md"}}
                """);

        assertThat(code).isEqualTo(ExplainCommand.DENIED);
        assertThat(stdout()).contains("DENIED (token narrowing)").contains(
                "narrowed to the repositories [myorg/web]");
    }

    @Test
    void jsonArgumentsAreTyped() {
        int code = explain("--policy", example(), "--agent", "triage-7", "--env", "prod",
                "--tool", "create_issue", "--repo", "myorg/web", "--arg", "title=t", "--arg",
                "labels=[\"security\"]");

        assertThat(code).isEqualTo(ExplainCommand.DENIED);
        assertThat(stdout()).contains("label 'security' is not one of [bot, triage]");
    }

    @Test
    void aMonitoredRequestSaysSo() {
        int code = explain("--policy", example(), "--agent", "new-bot", "--env", "prod",
                "--tool", "create_issue", "--repo", "myorg/app", "--arg", "title=t");

        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).contains("ALLOWED (monitor mode: enforce would deny)");
    }

    @Test
    void serviceGatorOptionsCanStandInForAPolicyFile() {
        int code = explain("--gh-repo", "myorg/app:read,push-new-branch", "--agent", "a",
                "--env", "e", "--tool", "push_files", "--repo", "myorg/app", "--arg",
                "branch=agent-x", "--arg", "message=m", "--arg",
                "files=[{\"path\":\"a\",\"content\":\"b\"}]");

        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).contains("(command line, 1 rules)").contains(
                "preconditions branch-not-default, branch-not-protected");
    }

    @Test
    void aBrokenPolicyExitsTwoNamingTheLine() throws Exception {
        Path policy = dir.resolve("policy.toml");
        Files.writeString(policy, "[gh.repos]\n\"myorg/app\" = { read = true, merge = true }\n");

        int code = explain("--policy", policy.toString(), "--agent", "a", "--env", "e",
                "--tool", "get_file", "--repo", "myorg/app");

        assertThat(code).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(stderr()).contains("policy.toml:2:").contains("unknown permission 'merge'");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void missingOptionsExitTwoWithUsage() {
        int code = explain("--policy", example(), "--agent", "a");

        assertThat(code).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(stderr()).contains("--agent, --env and --tool").contains("usage:");
    }

    @Test
    void aMalformedArgumentExitsTwo() {
        int code = explain("--policy", example(), "--agent", "a", "--env", "e", "--tool",
                "get_file", "--arg", "novalue");

        assertThat(code).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(stderr()).contains("--arg is KEY=VALUE");
    }

    @Test
    void malformedRequestJsonExitsTwo() {
        int code = explain("--policy", example(), "--request", "{\"agent\": ");

        assertThat(code).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(stderr()).contains("not valid JSON");
    }

    @Test
    void anUnknownOptionExitsTwo() {
        int code = explain("--policy", example(), "--verbose", "yes");

        assertThat(code).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(stderr()).contains("unknown option --verbose");
    }

    @Test
    void helpPrintsTheUsageOnStandardOutputAndExitsZero() {
        int code = explain("--help");

        assertThat(code).isZero();
        assertThat(stdout()).contains("usage: explain --policy FILE").contains("--gh-repo")
                .contains("exit code: 0 allowed, 1 denied, 2 bad input");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void everyOptionAlsoTakesItsValueAfterAnEqualsSign() {
        int spaced = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "get_file", "--repo", "myorg/app", "--arg", "path=README.md");
        String spacedOutput = stdout();
        out.reset();

        int joined = explain("--policy=" + example(), "--agent=bot", "--environment=prod",
                "--tool=get_file", "--repo=myorg/app", "--arg=path=README.md");

        assertThat(spaced).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(joined).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).isEqualTo(spacedOutput).contains("arguments  {owner=myorg,"
                + " path=README.md, repo=app}");
    }

    @Test
    void anArgumentGivenTwiceIsRefusedRatherThanTheLastOneExplained() {
        // before: --repo myorg/web --arg repo=app silently explained myorg/app
        for (String[] twice : List.of(new String[]{"--repo", "myorg/web", "--arg", "repo=app"},
                new String[]{"--arg", "path=a", "--arg", "path=b"}, new String[]{"--arg",
                        "owner=x", "--repo", "myorg/app"})) {
            List<String> args = new ArrayList<>(List.of("--policy", example(), "--agent", "bot",
                    "--env", "prod", "--tool", "get_file", "--arg", "ref=main"));
            args.addAll(List.of(twice));
            int code = explain(args.toArray(String[]::new));

            assertThat(code).as(String.join(" ", twice)).isEqualTo(ExplainCommand.BAD_INPUT);
            assertThat(stderr()).contains("is given twice").contains("give each once");
            assertThat(stdout()).isEmpty();
            out.reset();
            err.reset();
        }
    }

    @Test
    void serviceGatorOptionsTakeAnEqualsSignToo() {
        int code = explain("--gh-repo=myorg/app:read", "--agent", "a", "--env", "e", "--tool",
                "get_file", "--repo", "myorg/app", "--arg", "path=README.md");

        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout()).contains("(command line, 1 rules)");
    }

    @Test
    void jsonGivesThePolicyTheRequestTheDecisionAndEveryRule() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "get_file", "--repo", "myorg/app", "--arg", "path=README.md", "--json");

        JsonNode json = JsonMapper.builder().build().readTree(stdout());
        assertThat(code).isEqualTo(ExplainCommand.ALLOWED);
        assertThat(stdout().strip().lines()).hasSize(1);
        assertThat(json.path("format").asString()).isEqualTo("tollgate.explain/1");
        assertThat(json.path("policy").path("version").asString()).startsWith("sha256:");
        assertThat(json.path("policy").path("source").asString()).isEqualTo(example());
        assertThat(json.path("request").path("repository").asString()).isEqualTo("myorg/app");
        assertThat(json.path("request").path("arguments").path("path").asString()).isEqualTo(
                "README.md");
        JsonNode decision = json.path("decision");
        assertThat(decision.path("outcome").asString()).isEqualTo("allowed");
        assertThat(decision.path("monitor_only").asBoolean(true)).isFalse();
        assertThat(decision.path("permissions").path("contents").asString()).isEqualTo("read");
        assertThat(decision.path("repositories").get(0).asString()).isEqualTo("myorg/app");
        assertThat(decision.path("routing_key").asString()).isEqualTo("myorg");
        assertThat(json.path("rules").valueStream().filter(rule -> rule.path("matched")
                .asBoolean()).map(rule -> rule.path("effect").asString() + " "
                        + rule.path(
                                "rule").asString())
                .toList()).containsExactly(
                        "allow gh.repos.\"myorg/app\" (line 10)");
    }

    @Test
    void jsonOfADenialNamesItsKindAndExitsOne() {
        int code = explain("--policy", example(), "--agent", "bot", "--env", "prod", "--tool",
                "create_issue", "--repo", "myorg/app", "--arg", "title=x", "--json");

        JsonNode decision = JsonMapper.builder().build().readTree(stdout()).path("decision");
        assertThat(code).isEqualTo(ExplainCommand.DENIED);
        assertThat(decision.path("outcome").asString()).isEqualTo("denied");
        assertThat(decision.path("kind").asString()).isEqualTo("no_grant");
        assertThat(decision.path("reason").asString()).contains("may not create_issue on"
                + " myorg/app");
        assertThat(decision.has("permissions")).isFalse();
    }

    @Test
    void anOptionGivenTwiceIsRefusedRatherThanGuessed() {
        int code = explain("--policy", example(), "--agent", "bot", "--agent", "admin", "--env",
                "prod", "--tool", "get_file", "--repo", "myorg/app");

        assertThat(code).isEqualTo(ExplainCommand.BAD_INPUT);
        assertThat(stderr()).contains("--agent").contains("should be specified only once");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void itRunsAsAPlainJavaMainWithItsExitCode() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty(
                "java.class.path"), ExplainCommand.class.getName(), "--policy", example(),
                "--agent", "bot", "--env", "prod", "--tool", "delete_repo", "--repo",
                "myorg/app"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();

        String output = new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8);
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);

        assertThat(exited).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(ExplainCommand.DENIED);
        assertThat(output).contains("'delete_repo' is hard-blocked");
    }
}
