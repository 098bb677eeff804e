package dev.tollgate.bench.jmh;

import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.load.PolicyFormat;
import dev.tollgate.decision.policy.load.PolicyLoader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A policy decision on the shipped example policy: an allowed read, a denied write. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyBenchmark {

    /** The shape of decision-worker/examples/policy.toml: grants, denies, a monitor rule set. */
    static final String POLICY = """
            version = 1
            mode = "enforce"
            protected-branches = ["release/*", "prod"]

            [gh.repos]
            "myorg/*" = { read = true }
            "myorg/app" = { read = true, push-new-branch = true, create-draft = true }
            "upstream/project" = { read = true, push-new-branch = true, require-fork = true }

            [[grant]]
            name = "reviewer reviews PR 42"
            agents = ["reviewer"]
            environments = ["prod"]
            repos = ["myorg/app"]
            allow = ["read", "pending-review", "create_pull_request_comment"]
            pull-requests = [42]

            [[grant]]
            name = "docs bot writes docs"
            agents = ["docs-bot"]
            repos = ["myorg/site"]
            allow = ["push-new-branch", "create-draft"]
            paths = ["docs/**", "README.md"]
            exclude-paths = [".github/workflows/"]

            [[deny]]
            name = "no workflow changes"
            actions = ["push_files"]
            paths = [".github/workflows/**"]
            reason = "workflow files are changed by humans only"

            [[deny]]
            name = "payments is frozen"
            repos = ["myorg/payments"]
            reason = "myorg/payments is frozen until the audit ends"

            [rule-sets.new-bot]
            mode = "monitor"
            agents = ["new-bot"]

            [[rule-sets.new-bot.grant]]
            repos = ["myorg/app"]
            allow = ["read"]
            """;

    private PolicyEngine engine;
    private DecisionRequest read;
    private DecisionRequest deniedPush;

    @Setup
    public void setUp() {
        engine = new PolicyEngine(PolicyLoader.parse(POLICY, PolicyFormat.TOML, "bench")
                .policy());
        read = DecisionRequest.forCall("agent-7", "prod", "get_file", Map.of("owner",
                "myorg", "repo", "app", "path", "src/main/java/App.java"));
        deniedPush = DecisionRequest.forCall("docs-bot", "prod", "push_files", Map.of(
                "owner", "myorg", "repo", "site", "branch", "agent-docs", "message", "m", "files",
                List.of(Map.of("path", ".github/workflows/ci.yml", "content", "x"))));
    }

    @Benchmark
    public Decision allowedRead() {
        return engine.decide(read);
    }

    @Benchmark
    public Decision deniedWorkflowPush() {
        return engine.decide(deniedPush);
    }
}
