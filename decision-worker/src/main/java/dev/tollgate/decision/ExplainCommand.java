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
import dev.tollgate.tools.Scope;
import dev.tollgate.tools.Target;
import dev.tollgate.decision.policy.load.ServiceGatorOptions;
import dev.tollgate.runtime.cli.Cli;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code explain}: decides one request against a policy file and prints the decision and every
 * rule evaluated, without Kafka. Security teams run it to review a policy change before shipping
 * it; CI runs it with {@code --json}. Exit code 0 when allowed, 1 when denied, 2 on bad input
 * (unreadable policy, bad options).
 *
 * <pre>
 * tollgate explain --policy policy.toml \
 *     --agent reviewer --env prod --tool create_pending_review \
 *     --arg owner=myorg --arg repo=app --arg pull_number=42
 * tollgate explain --policy policy.toml --json \
 *     --request '{"agent":"bot","environment":"prod","tool":"get_file",
 *                 "arguments":{"owner":"myorg","repo":"app","path":"README.md"}}'
 * </pre>
 *
 * <p>The {@code --json} object ({@code "format": "tollgate.explain/1"}) is documented in the
 * module's README; keys are only ever added to it.
 */
@Command(name = "explain", sortOptions = false, usageHelpAutoWidth = false, synopsisHeading = "usage: ", customSynopsis = {
        "${COMMAND-FULL-NAME} --policy FILE --agent AGENT --env ENVIRONMENT --tool TOOL"
                + " [--arg KEY=VALUE ...] [--json]",
        "       ${COMMAND-FULL-NAME} --policy FILE --request JSON [--json]"}, description = {
                "Decides one request against a policy, without Kafka, and prints the"
                        + " decision and every rule evaluated, in order."}, footer = {"",
                                "exit code: 0 allowed, 1 denied, 2 bad input"})
public final class ExplainCommand implements Callable<Integer> {

    public static final int ALLOWED = 0;
    public static final int DENIED = 1;
    public static final int BAD_INPUT = Cli.USAGE;

    /** The {@code --json} object's format; a new version only if a key changes meaning. */
    public static final String JSON_FORMAT = "tollgate.explain/1";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Option(names = "--policy", paramLabel = "FILE", description = "the policy file (.toml, .json, .yaml); or service-gator's --gh-repo /"
            + " --scope instead")
    private String policyFile;

    @Mixin
    private ServiceGatorOptions serviceGator;

    @Option(names = "--agent", paramLabel = "AGENT", description = "who asks")
    private String agent;

    @Option(names = {"--env",
            "--environment"}, paramLabel = "ENVIRONMENT", description = "the agent's environment")
    private String environment;

    @Option(names = "--tool", paramLabel = "TOOL", description = "the tool name, e.g. get_file, create_pr, push_files")
    private String tool;

    @Option(names = "--repo", paramLabel = "OWNER/REPO", description = "shorthand for --arg owner=.. --arg repo=..")
    private String repo;

    @Option(names = "--arg", paramLabel = "KEY=VALUE", description = {
            "a tool argument (repeatable); numbers and true/false are typed, and a"
                    + " value starting with [ or { is read as JSON (e.g. labels=[\"bug\"])"})
    private List<String> args = new ArrayList<>();

    @Option(names = "--request", paramLabel = "JSON", description = {
            "the whole request as JSON instead of --agent/--env/--tool/--arg;"
                    + " \"narrowing\": {\"tools\": [..], \"repositories\": [..]} adds a"
                    + " token narrowing"})
    private String request;

    @Option(names = "--json", description = "print one JSON object instead of the text")
    private boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    private ExplainCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The command, to run on its own or as {@code tollgate explain}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return Cli.commandLine(new ExplainCommand(out, err), out, err);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    /** Records that {@code key} is given by {@code option}; a second time is refused. */
    private void once(Map<String, String> givenBy, String key, String option) {
        String earlier = givenBy.putIfAbsent(key, option);
        if (earlier != null) {
            throw bad("the argument '" + key + "' is given twice (" + earlier + " and " + option
                    + "): give each once");
        }
    }

    @Override
    public Integer call() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        TokenNarrowing narrowing = TokenNarrowing.NONE;
        try {
            // each argument once: a policy check must explain the call it names, not the last of
            // two (--repo myorg/web --arg repo=app would otherwise explain myorg/app)
            Map<String, String> givenBy = new LinkedHashMap<>();
            for (Cli.Given given : Cli.inOrder(spec.commandLine().getParseResult(),
                    option -> option.longestName().equals("--repo") || option.longestName()
                            .equals("--arg"))) {
                String value = given.value();
                if (given.option().equals("--repo")) {
                    int slash = value.indexOf('/');
                    if (slash <= 0) {
                        throw bad("--repo is owner/repo, not '" + value + "'");
                    }
                    once(givenBy, "owner", "--repo " + value);
                    once(givenBy, "repo", "--repo " + value);
                    arguments.put("owner", value.substring(0, slash));
                    arguments.put("repo", value.substring(slash + 1));
                } else {
                    int equals = value.indexOf('=');
                    if (equals <= 0) {
                        throw bad("--arg is KEY=VALUE, not '" + value + "'");
                    }
                    once(givenBy, value.substring(0, equals), "--arg " + value);
                    arguments.put(value.substring(0, equals), typed(value.substring(equals + 1)));
                }
            }
            if (request != null) {
                JsonNode node = JSON.readTree(request);
                if (!node.isObject()) {
                    throw bad("--request must be a JSON object");
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
            throw bad("--request or --arg is not valid JSON: " + e.getOriginalMessage());
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        if (policyFile == null && !serviceGator.any()) {
            throw bad("name the policy: --policy FILE (or --gh-repo / --scope)");
        }
        if (policyFile != null && serviceGator.any()) {
            throw bad("give --policy or service-gator's --gh-repo/--scope, not both");
        }
        if (agent == null || environment == null || tool == null) {
            throw bad("name the request: --agent, --env and --tool (or --request JSON)");
        }
        LoadedPolicy loaded;
        try {
            loaded = policyFile != null
                    ? PolicyLoader.load(Path.of(policyFile))
                    : PolicyLoader.fromServiceGatorOptions(ServiceGatorOptions.given(spec
                            .commandLine().getParseResult()));
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
            if (json) {
                out.println(refusedJson(loaded, agent, environment, tool, arguments, e));
                out.flush();
                return DENIED;
            }
            out.println("policy     " + loaded.policy().version() + " (" + loaded.source() + ")");
            out.println("request    agent=" + agent + " environment=" + environment + " tool="
                    + tool);
            out.println("decision   DENIED (invalid arguments)");
            out.println("reason     the gateway refuses the call before any policy sees it: "
                    + e.getMessage());
            return DENIED;
        }
        Decision decision = new PolicyEngine(loaded.policy()).decide(decisionRequest);

        if (json) {
            out.println(json(loaded, decisionRequest, arguments, decision));
        } else {
            print(out, loaded, decisionRequest, arguments, decision);
        }
        out.flush();
        return decision.allowed() ? ALLOWED : DENIED;
    }

    private ParameterException bad(String message) {
        return Cli.usage(spec.commandLine(), message);
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

    /**
     * The {@code --json} form: one object with the sections {@code policy}, {@code request},
     * {@code decision} and {@code rules} (README: "explain --json").
     */
    static String json(LoadedPolicy loaded, DecisionRequest request,
            Map<String, Object> arguments, Decision decision) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", JSON_FORMAT);
        ObjectNode policy = root.putObject("policy");
        policy.put("version", decision.policyVersion());
        policy.put("source", loaded.source());
        policy.put("rules", loaded.policy().ruleCount());
        ArrayNode warnings = policy.putArray("warnings");
        loaded.warnings().forEach(warning -> warnings.add(warning.toString()));
        ObjectNode asked = root.putObject("request");
        asked.put("agent", request.agent());
        asked.put("environment", request.environment());
        asked.put("tool", request.tool());
        asked.put("repository", request.repository());
        asked.set("arguments", JSON.valueToTree(new TreeMap<>(arguments)));
        if (request.target() != null) {
            root.set("target", target(request.target()));
        }
        ObjectNode decided = root.putObject("decision");
        switch (decision) {
            case Allowed allowed -> {
                decided.put("outcome", "allowed");
                decided.put("monitor_only", allowed.monitorOnly());
                decided.put("reason", allowed.reason());
                ObjectNode permissions = decided.putObject("permissions");
                new TreeMap<>(allowed.permissions()).forEach(permissions::put);
                ArrayNode repositories = decided.putArray("repositories");
                allowed.repositories().forEach(repositories::add);
                ArrayNode preconditions = decided.putArray("preconditions");
                allowed.preconditions().forEach(p -> preconditions.add(p.code()));
                decided.put("routing_key", allowed.routingKey());
            }
            case Denied denied -> {
                decided.put("outcome", "denied");
                decided.put("kind", denied.kind().name().toLowerCase(java.util.Locale.ROOT));
                decided.put("reason", denied.reason());
            }
        }
        ArrayNode rules = root.putArray("rules");
        for (RuleTrace rule : decision.rules()) {
            ObjectNode traced = rules.addObject();
            traced.put("rule", rule.rule());
            traced.put("effect", rule.effect().key());
            traced.put("matched", rule.matched());
            traced.put("detail", rule.detail());
        }
        return JSON.writeValueAsString(root);
    }

    /** The {@code --json} form of a call the gateway refuses before any policy sees it. */
    static String refusedJson(LoadedPolicy loaded, String agent, String environment, String tool,
            Map<String, Object> arguments, InvalidArgumentException refusal) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", JSON_FORMAT);
        ObjectNode policy = root.putObject("policy");
        policy.put("version", loaded.policy().version());
        policy.put("source", loaded.source());
        ObjectNode asked = root.putObject("request");
        asked.put("agent", agent);
        asked.put("environment", environment);
        asked.put("tool", tool);
        asked.set("arguments", JSON.valueToTree(new TreeMap<>(arguments)));
        ObjectNode decided = root.putObject("decision");
        decided.put("outcome", "denied");
        decided.put("kind", "invalid_arguments");
        decided.put("field", refusal.field());
        decided.put("reason", "the gateway refuses the call before any policy sees it: "
                + refusal.getMessage());
        root.putArray("rules");
        return JSON.writeValueAsString(root);
    }

    /** A target as JSON: each of numbers, refs and paths with the items named and "every". */
    private static ObjectNode target(Target target) {
        ObjectNode node = JSON.createObjectNode();
        node.put("host", target.host());
        node.put("repository", target.repository());
        node.set("numbers", scope(target.numbers()));
        node.put("number_kind", target.numberKind().name().toLowerCase(java.util.Locale.ROOT));
        node.set("refs", scope(target.refs()));
        node.put("branch", target.branch());
        node.set("paths", scope(target.paths()));
        node.set("labels", JSON.valueToTree(target.labels()));
        node.put("base", target.base());
        if (target.head() != null) {
            node.putObject("head").put("owner", target.head().owner()).put("repo", target.head()
                    .repo()).put("branch", target.head().branch());
        }
        if (target.draft() != null) {
            node.put("draft", target.draft());
        }
        return node;
    }

    private static ObjectNode scope(Scope<?> scope) {
        ObjectNode node = JSON.createObjectNode();
        node.set("named", JSON.valueToTree(scope.named()));
        node.put("every", scope.every().orElse(null));
        return node;
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

}
