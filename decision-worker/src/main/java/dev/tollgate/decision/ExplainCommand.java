package dev.tollgate.decision;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.PolicyEngine;
import dev.tollgate.decision.policy.Precondition;
import dev.tollgate.decision.policy.RuleTrace;
import dev.tollgate.decision.policy.TokenNarrowing;
import dev.tollgate.decision.kafka.EventTranslator;
import dev.tollgate.decision.policy.load.LoadedPolicy;
import dev.tollgate.decision.policy.load.PolicyLoader;
import dev.tollgate.tools.InvalidArgumentException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code explain}: decides one request against a policy file and prints the decision and every
 * rule evaluated, without Kafka. Security teams run it to review a policy change before shipping
 * it. Exit code 0 when allowed, 1 when denied, 2 on bad input (unreadable policy, bad options).
 *
 * <pre>
 * java -cp ... dev.tollgate.decision.ExplainCommand --policy policy.toml \
 *     --agent reviewer --env prod --tool create_pending_review \
 *     --arg owner=myorg --arg repo=app --arg pull_number=42
 * java -cp ... dev.tollgate.decision.ExplainCommand --policy policy.toml \
 *     --request '{"agent":"bot","environment":"prod","tool":"get_file",
 *                 "arguments":{"owner":"myorg","repo":"app","path":"README.md"}}'
 * </pre>
 */
public final class ExplainCommand {

    public static final int ALLOWED = 0;
    public static final int DENIED = 1;
    public static final int BAD_INPUT = 2;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static final String USAGE = """
            usage: explain --policy FILE --agent AGENT --env ENVIRONMENT --tool TOOL [--arg KEY=VALUE ...]
                   explain --policy FILE --request '{"agent":..,"environment":..,"tool":..,"arguments":{..}}'
              --policy FILE     the policy file (.toml, .json, .yaml); or service-gator's forms instead:
                                --gh-repo owner/repo:read,push-new-branch (repeatable), --scope '<json>'
              --agent, --env    who asks (--environment also works)
              --tool            the tool name, e.g. get_file, create_pr, push_files
              --repo            owner/repo, shorthand for --arg owner=.. --arg repo=..
              --arg KEY=VALUE   a tool argument; numbers and true/false are typed, and a value
                                starting with [ or { is read as JSON (e.g. labels=["bug"])
              --request JSON    the whole request as JSON instead of --agent/--env/--tool/--arg;
                                "narrowing": {"tools": [..], "repositories": [..]} adds a token narrowing
            exit code: 0 allowed, 1 denied, 2 bad input
            """;

    private ExplainCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String policyFile = null;
        List<String> policyOptions = new ArrayList<>();
        String agent = null;
        String environment = null;
        String tool = null;
        String request = null;
        Map<String, Object> arguments = new LinkedHashMap<>();
        TokenNarrowing narrowing = TokenNarrowing.NONE;
        try {
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--help") || option.equals("-h")) {
                    out.print(USAGE);
                    return BAD_INPUT;
                }
                if (i + 1 >= args.length) {
                    return bad(err, option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--policy" -> policyFile = value;
                    case "--gh-repo", "--scope", "--gitlab-project", "--jira-project",
                            "--forgejo-repo" -> {
                        policyOptions.add(option);
                        policyOptions.add(value);
                    }
                    case "--agent" -> agent = value;
                    case "--env", "--environment" -> environment = value;
                    case "--tool" -> tool = value;
                    case "--request" -> request = value;
                    case "--repo" -> {
                        int slash = value.indexOf('/');
                        if (slash <= 0) {
                            return bad(err, "--repo is owner/repo, not '" + value + "'");
                        }
                        arguments.put("owner", value.substring(0, slash));
                        arguments.put("repo", value.substring(slash + 1));
                    }
                    case "--arg" -> {
                        int equals = value.indexOf('=');
                        if (equals <= 0) {
                            return bad(err, "--arg is KEY=VALUE, not '" + value + "'");
                        }
                        arguments.put(value.substring(0, equals), typed(value.substring(equals
                                + 1)));
                    }
                    default -> {
                        return bad(err, "unknown option " + option);
                    }
                }
            }
            if (request != null) {
                JsonNode node = JSON.readTree(request);
                if (!node.isObject()) {
                    return bad(err, "--request must be a JSON object");
                }
                agent = node.path("agent").asString(node.path("agentId").asString(agent));
                environment = node.path("environment").asString(environment);
                tool = node.path("tool").asString(tool);
                if (node.has("grantNarrowing") && node.get("grantNarrowing").isString()) {
                    narrowing = EventTranslator.narrowing(node.get("grantNarrowing")
                            .stringValue());
                } else if (node.has("grantNarrowing") || node.has("narrowing")) {
                    JsonNode given = node.has("narrowing")
                            ? node.get("narrowing")
                            : node.get("grantNarrowing");
                    narrowing = EventTranslator.narrowing(given.toString());
                }
                if (node.has("arguments")) {
                    arguments.putAll(JSON.convertValue(node.get("arguments"), Map.class));
                } else if (node.has("argumentsJson")) {
                    arguments.putAll(JSON.readValue(node.get("argumentsJson").asString(),
                            Map.class));
                }
            }
        } catch (JacksonException e) {
            return bad(err, "--request or --arg is not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            return bad(err, e.getMessage());
        }
        if (policyFile == null && policyOptions.isEmpty()) {
            return bad(err, "name the policy: --policy FILE (or --gh-repo / --scope)");
        }
        if (policyFile != null && !policyOptions.isEmpty()) {
            return bad(err, "give --policy or service-gator's --gh-repo/--scope, not both");
        }
        if (agent == null || environment == null || tool == null) {
            return bad(err, "name the request: --agent, --env and --tool (or --request JSON)");
        }
        LoadedPolicy loaded;
        try {
            loaded = policyFile != null
                    ? PolicyLoader.load(Path.of(policyFile))
                    : PolicyLoader.fromCommandLine(policyOptions);
        } catch (InvalidPolicyException e) {
            err.println(e.getMessage());
            return BAD_INPUT;
        }
        loaded.warnings().forEach(warning -> err.println("warning: " + loaded.source() + ": "
                + warning));

        DecisionRequest decisionRequest;
        try {
            decisionRequest = DecisionRequest.forCall(agent, environment, tool, arguments)
                    .narrowedTo(narrowing);
        } catch (InvalidArgumentException e) {
            // The ingress refuses such a call before it reaches the policy: say so, as it would.
            out.println("policy     " + loaded.policy().version() + " (" + loaded.source() + ")");
            out.println("request    agent=" + agent + " environment=" + environment + " tool="
                    + tool);
            out.println("decision   DENIED (invalid arguments)");
            out.println("reason     the gateway refuses the call before any policy sees it: "
                    + e.getMessage());
            return DENIED;
        }
        Decision decision = new PolicyEngine(loaded.policy()).decide(decisionRequest);

        print(out, loaded, decisionRequest, arguments, decision);
        return decision.allowed() ? ALLOWED : DENIED;
    }

    private static void print(PrintStream out, LoadedPolicy loaded, DecisionRequest request,
            Map<String, Object> arguments, Decision decision) {
        out.println("policy     " + decision.policyVersion() + " (" + loaded.source() + ", "
                + loaded.policy().ruleCount() + " rules)");
        out.println("request    agent=" + request.agent() + " environment=" + request
                .environment() + " tool=" + request.tool() + " repository="
                + request
                        .repository());
        if (!arguments.isEmpty()) {
            out.println("arguments  " + new TreeMap<>(arguments));
        }
        if (request.target() != null) {
            out.println("target     " + request.target().describe().replace("\n",
                    "\n           "));
        }
        switch (decision) {
            case Allowed allowed -> {
                out.println("decision   " + (allowed.monitorOnly()
                        ? "ALLOWED (monitor mode: enforce would deny)"
                        : "ALLOWED"));
                out.println("reason     " + allowed.reason());
                out.println("permissions " + new TreeMap<>(allowed.permissions()).entrySet()
                        .stream().map(entry -> entry.getKey() + ": " + entry.getValue()).collect(
                                Collectors.joining(", ")));
                out.println("repositories " + String.join(", ", allowed.repositories()));
                out.println("preconditions " + (allowed.preconditions().isEmpty()
                        ? "none"
                        : allowed.preconditions().stream().map(Precondition::code).collect(
                                Collectors.joining(", "))));
                out.println("routing key " + allowed.routingKey());
            }
            case Denied denied -> {
                out.println("decision   DENIED (" + denied.kind().name().toLowerCase(
                        java.util.Locale.ROOT).replace('_', ' ') + ")");
                out.println("reason     " + denied.reason());
            }
        }
        out.println("rules evaluated, in order:");
        for (RuleTrace rule : decision.rules()) {
            out.println("  " + rule);
        }
    }

    private static Object typed(String value) {
        if (value.equals("true") || value.equals("false")) {
            return Boolean.valueOf(value);
        }
        if (value.matches("-?\\d{1,18}")) {
            return Long.valueOf(value);
        }
        if (value.startsWith("[") || value.startsWith("{")) {
            return JSON.readValue(value, Object.class);
        }
        return value;
    }

    private static int bad(PrintStream err, String message) {
        err.println("explain: " + message);
        err.print(USAGE);
        return BAD_INPUT;
    }
}
