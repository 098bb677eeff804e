package dev.tollgate.bench;

import io.modelcontextprotocol.client.McpSyncClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import dev.tollgate.runtime.cli.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The benchmark command: the gateway against its floors, measured in one run on one machine.
 *
 * <pre>
 * ./mvnw -o -q -pl benchmarks validate exec:exec@bench -Dbench.args="--calls 5000 --concurrency 32"
 * </pre>
 *
 * It starts a GitHub stand-in with the given latency and the standalone system (by default in one
 * child JVM; {@code --system roles}: one JVM per role; {@code --system in-process}: in this JVM), or
 * drives a running deployment with {@code --target URL --token T}; measures one Kafka hop and the
 * direct read, then drives {@code get_file} calls through MCP sessions, and measures each process's
 * peak RSS and CPU over the series. The results go to standard output (a table, or one JSON object
 * with {@code --json}); progress and the system's own logging go to standard error.
 */
public final class Bench {

    /** How the standalone system runs. */
    enum SystemMode {
        PROCESS("process"), ROLES("roles"), IN_PROCESS("in-process");

        final String flag;

        SystemMode(String flag) {
            this.flag = flag;
        }

        static SystemMode of(String flag) {
            for (SystemMode mode : values()) {
                if (mode.flag.equals(flag)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("--system takes process, roles or in-process, was '"
                    + flag + "'");
        }
    }

    record Options(int calls, int concurrency, double rate, long latencyMillis, int warmup,
            double warmupJitPercent, double warmupMaxSeconds, int floorCalls, int owners, int repos,
            List<String> launcherArgs, boolean json,
            String target,
            String token, String kafka, String github, SystemMode system, String systemJvm,
            int tsClient, int tsWarmup, boolean goals, boolean aot) {

        /** Parses the command line ({@link BenchCommand}'s options). */
        static Options parse(String[] args) {
            BenchCommand command = new BenchCommand(System.out);
            CommandLine commandLine = numbersSaidPlainly(new CommandLine(command));
            commandLine.setExpandAtFiles(false);
            try {
                commandLine.parseArgs(args);
            } catch (CommandLine.UnmatchedArgumentException e) {
                throw new IllegalArgumentException("unknown argument " + String.join(" ", e
                        .getUnmatched()), e);
            } catch (ParameterException e) {
                throw new IllegalArgumentException(Cli.message(e), e);
            }
            if (commandLine.isUsageHelpRequested()) {
                throw new HelpRequested();
            }
            return command.options();
        }

        /** The owner of slot {@code i}: bench-org, bench-org-1, ... */
        String owner(int slot) {
            int index = slot % owners;
            return index == 0 ? "bench-org" : "bench-org-" + index;
        }

        String repo(int slot) {
            return "repo-" + (slot / owners) % repos;
        }

        List<String> ownerNames() {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < owners; i++) {
                names.add(owner(i));
            }
            return names;
        }

        boolean standalone() {
            return target == null;
        }

        /** The child JVMs' options: {@code --system-jvm}, or the mode's default. */
        List<String> childJvmOptions() {
            if (systemJvm != null) {
                return ChildJvm.options(systemJvm);
            }
            return system == SystemMode.ROLES ? RoleSystem.DEFAULT_JVM : ProcessSystem.DEFAULT_JVM;
        }
    }

    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help", null, false, false);
        }
    }

    /** Everything a run found, printed as a table or as JSON. */
    record Result(Options options, LatencyStats kafka, LatencyStats direct, LatencyStats gateway,
            Map<String, Long> mintsByScope, long peakRssKib, long rssBeforeKib, long rssAfterKib,
            String firstError, Stages.Breakdown stages, String system,
            List<ProcessStats.Usage> usages, SystemMetrics.Delta decisions,
            BrokerRequests.Delta broker, WarmUp.Summary warmUp, TsSeries ts,
            WakeUps.Cost wakeUps, MachineCpu.Shares machine) {

        boolean inOneJvm() {
            return options.standalone() && options.system() == SystemMode.IN_PROCESS;
        }

        String rssNote() {
            return inOneJvm()
                    ? "VmHWM of this one JVM: broker, every role, stand-in and client"
                    : options.standalone()
                            ? "VmHWM of the benchmark's JVM: client and stand-in (the system's"
                                    + " processes: see processes)"
                            : "VmHWM of the benchmark's JVM: client";
        }

        double addedP50() {
            return direct == null ? Double.NaN : gateway.p50Millis() - direct.p50Millis();
        }

        double addedP99() {
            return direct == null ? Double.NaN : gateway.p99Millis() - direct.p99Millis();
        }

        double ratioP50() {
            return kafka == null ? Double.NaN : addedP50() / (3 * kafka.p50Millis());
        }

        double ratioP99() {
            return kafka == null ? Double.NaN : addedP99() / (3 * kafka.p99Millis());
        }

        String table() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "stand-in latency %d ms, %s, %d calls%s%n",
                    options.latencyMillis(), options.rate() > 0
                            ? String.format(Locale.ROOT, "open loop at %.0f calls/s (at most %d"
                                    + " in flight)", options.rate(), options.concurrency())
                            : "closed loop with " + options.concurrency() + " in flight",
                    options.calls(), options.standalone()
                            ? ", " + system
                            : ", target " + options.target()));
            out.append(LatencyStats.header()).append('\n');
            for (LatencyStats s : java.util.Arrays.asList(kafka, direct, gateway)) {
                if (s != null) {
                    out.append(s.row()).append('\n');
                }
            }
            if (kafka != null) {
                out.append(String.format(Locale.ROOT, "three Kafka hops (p50 / p99):        %.2f"
                        + " / %.2f ms%n", 3 * kafka.p50Millis(), 3 * kafka.p99Millis()));
            }
            if (direct != null) {
                out.append(String.format(Locale.ROOT, "gateway added latency (p50 / p99):   %.2f"
                        + " / %.2f ms", addedP50(), addedP99()));
                out.append(kafka == null
                        ? "\n"
                        : String.format(Locale.ROOT,
                                "  = %.2fx / %.2fx three Kafka hops (goal 1.25x / 1.5x)%n",
                                ratioP50(),
                                ratioP99()));
            }
            if (mintsByScope != null) {
                long total = mintsByScope.values().stream().mapToLong(Long::longValue).sum();
                long most = mintsByScope.values().stream().mapToLong(Long::longValue).max()
                        .orElse(0);
                out.append(String.format(Locale.ROOT, "token mints: %d for %d scopes (most for"
                        + " one scope: %d; goal 1)%n", total, mintsByScope.size(), most));
            }
            if (peakRssKib > 0) {
                out.append(String.format(Locale.ROOT, "peak RSS (%s): %d MiB; RSS before / after"
                        + " the gateway series: %d / %d MiB%n", rssNote(), peakRssKib / 1024,
                        rssBeforeKib / 1024, rssAfterKib / 1024));
            }
            out.append(warmUp.line());
            if (stages != null) {
                out.append(stages.table());
            }
            if (decisions != null) {
                out.append(decisions.line());
            }
            if (broker != null) {
                out.append(broker.lines());
            }
            out.append(ProcessStats.table(usages, options.calls()));
            if (!usages.isEmpty()) {
                out.append(WakeUps.line(wakeUps, usages, options.calls()));
            }
            if (machine != null) {
                out.append(machine.line());
            }
            if (ts != null) {
                out.append(ts.table());
            }
            if (firstError != null) {
                out.append("first error: ").append(firstError).append('\n');
            }
            return out.toString();
        }

        String json() {
            JsonMapper mapper = JsonMapper.builder().build();
            ObjectNode root = mapper.createObjectNode();
            root.put("calls", options.calls()).put("concurrency", options.concurrency()).put(
                    "rate", options.rate()).put("latency_ms", options.latencyMillis()).put(
                            "standalone", options.standalone());
            if (options.standalone()) {
                root.put("system", options.system().flag);
            }
            var series = root.putArray("series");
            for (LatencyStats s : java.util.Arrays.asList(kafka, direct, gateway)) {
                if (s != null) {
                    series.add(mapper.readTree(s.json()));
                }
            }
            if (kafka != null) {
                root.put("three_kafka_hops_p50_ms", 3 * kafka.p50Millis()).put(
                        "three_kafka_hops_p99_ms", 3 * kafka.p99Millis());
            }
            if (direct != null) {
                root.put("added_p50_ms", addedP50()).put("added_p99_ms", addedP99());
                if (kafka != null) {
                    root.put("added_p50_over_three_hops", ratioP50()).put(
                            "added_p99_over_three_hops", ratioP99());
                }
            }
            if (mintsByScope != null) {
                ObjectNode mints = root.putObject("mints_by_scope");
                mintsByScope.forEach(mints::put);
            }
            if (peakRssKib > 0) {
                root.put("peak_rss_kib", peakRssKib).put("peak_rss_note", rssNote())
                        .put("rss_before_gateway_kib", rssBeforeKib).put("rss_after_gateway_kib",
                                rssAfterKib);
            }
            warmUp.json(root.putObject("warm_up_until_steady"));
            if (stages != null) {
                root.put("stages_matched", stages.matched());
                root.set("request_to_decision", mapper.readTree(stages.requestToDecision().json()));
                root.set("decision_to_result", mapper.readTree(stages.decisionToResult().json()));
            }
            if (decisions != null) {
                root.putObject("decision_transactions").put("count", decisions.transactions())
                        .put("mean_ms", decisions.meanMillis()).put("mean_requests", decisions
                                .meanBatch())
                        .put("p50_ms_last_window", decisions.p50Millis()).put(
                                "p99_ms_last_window", decisions.p99Millis());
            }
            if (broker != null) {
                root.set("broker_per_call", broker.json(mapper));
            }
            var processes = root.putArray("processes");
            double cpu = 0;
            for (ProcessStats.Usage usage : usages) {
                cpu += usage.cpuMillis();
                ObjectNode process = processes.addObject().put("name", usage.name()).put("pid",
                        usage.pid()).put("peak_rss_kib", usage.peakRssKib()).put(
                                "rss_before_gateway_kib", usage.rssBeforeKib())
                        .put("rss_after_gateway_kib", usage.rssAfterKib()).put("cpu_ms", usage
                                .cpuMillis())
                        .put("cpu_ms_per_call", usage.cpuMillis() / options.calls());
                ObjectNode components = process.putObject("cpu_ms_per_call_by_component");
                usage.componentMillis().forEach((component, millis) -> components.put(component,
                        millis / options.calls()));
                components.put("exited-threads", usage.exitedMillis() / options.calls());
                if (usage.switches() >= 0) {
                    process.put("context_switches_per_call", (double) usage.switches() / options
                            .calls());
                    ObjectNode switched = process.putObject(
                            "context_switches_per_call_by_component");
                    usage.componentSwitches().forEach((component, count) -> switched.put(
                            component, (double) count / options.calls()));
                }
            }
            if (wakeUps != null && !usages.isEmpty()) {
                root.set("wake_up", WakeUps.json(wakeUps, mapper));
            }
            if (machine != null) {
                root.set("machine_cpu", MachineCpu.json(machine, mapper));
            }
            if (usages.isEmpty()) {
                root.put("processes_note", "not measured (no /proc)");
            } else {
                root.put("cpu_ms_per_call_all_processes", cpu / options.calls());
            }
            if (ts != null) {
                root.set("typescript_client", mapper.readTree(ts.json()));
            }
            if (firstError != null) {
                root.put("first_error", firstError);
            }
            return root.toString();
        }
    }

    private Bench() {
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.out, System.err).execute(args));
    }

    /** {@code tollgate bench}: results on {@code out}, progress on {@code err}. */
    public static CommandLine commandLine(PrintStream out, PrintStream err) {
        return Cli.configure(numbersSaidPlainly(new CommandLine(new BenchCommand(out))), out,
                err);
    }

    /** "--calls takes a whole number, was 'x'" rather than Java's type names. */
    private static CommandLine numbersSaidPlainly(CommandLine commandLine) {
        CommandLine.ITypeConverter<Integer> whole = text -> {
            try {
                return Integer.valueOf(text.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("takes a whole number, was '"
                        + text + "'");
            }
        };
        CommandLine.ITypeConverter<Double> number = text -> {
            try {
                return Double.valueOf(text.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("takes a number, was '" + text
                        + "'");
            }
        };
        CommandLine.ITypeConverter<Long> wholeLong = text -> {
            try {
                return Long.valueOf(text.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("takes a whole number, was '"
                        + text + "'");
            }
        };
        return commandLine.registerConverter(Integer.class, whole).registerConverter(int.class,
                whole).registerConverter(Double.class, number).registerConverter(double.class,
                        number)
                .registerConverter(Long.class, wholeLong).registerConverter(
                        long.class, wholeLong);
    }

    /** The command line of {@code bench}; {@link Options} is what it asks for, checked. */
    @Command(name = "bench", sortOptions = false, description = {
            "The gateway against its floors, measured in one run on this machine:"
                    + " a GitHub stand-in, the standalone system (or --target), MCP sessions"
                    + " calling get_file.",
            "Results on standard output (a table, or JSON with --json); progress on standard"
                    + " error."}, footer = {"",
                            "exit code: 0 every call succeeded, 1 some failed, 2 wrong command line"})
    public static final class BenchCommand implements Callable<Integer> {

        @Option(names = "--calls", paramLabel = "N", description = "measured calls per series (default 2000)")
        int calls = 2000;

        @Option(names = "--concurrency", paramLabel = "C", description = "calls in flight, one MCP session each (default 16)")
        int concurrency = 16;

        @Option(names = "--rate", paramLabel = "R", description = "open loop: start R calls per second (at most C in flight);"
                + " latencies count from when each call was due. 0 = closed loop")
        double rate;

        @Option(names = "--latency-ms", paramLabel = "L", description = "the GitHub stand-in's latency (default 0)")
        long latency;

        @Option(names = "--warmup", paramLabel = "W", description = "unmeasured gateway calls first (default calls/5, at most 1000)")
        Integer warmup;

        @Option(names = "--warmup-jit", paramLabel = "PCT", description = "then more warm-up rounds (closed loop, ~10 s each) until the JIT"
                + " compilers use at most PCT %% of all measured CPU: steady state; the same"
                + " with the TypeScript client before its get_file series, until the system's"
                + " JIT is there (default 10; 0 = off)")
        double warmupJit = 10;

        @Option(names = "--warmup-max-s", paramLabel = "S", description = "stop those rounds after S seconds even if not steady (default"
                + " 240)")
        double warmupMax = 240;

        @Option(names = "--floor-calls", paramLabel = "F", description = "calls of the direct floor (default: --calls; the Kafka floor makes"
                + " at most 2000 hops)")
        Integer floorCalls;

        @Option(names = "--owners", paramLabel = "O", description = "benchmark owners (one installation each; default 1)")
        int owners = 1;

        @Option(names = "--repos", paramLabel = "R", description = "repositories per owner (one token scope each; default 1)")
        int repos = 1;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "passed to the launcher (or to every role JVM) as --KEY=VALUE,"
                + " repeatable (e.g. --set tollgate.executor.consumers=4)")
        List<String> settings = new ArrayList<>();

        @Option(names = "--system", paramLabel = "MODE", description = "how the standalone system runs (default process): process = the"
                + " launcher in one child JVM; roles = one JVM per role as deployed;"
                + " in-process = the launcher in this JVM")
        String system = "process";

        @Option(names = "--system-jvm", paramLabel = "OPTIONS", description = "the child JVMs' options instead of the default (process: -Xmx2g -Xms1g;"
                + " roles: -Xmx512m each), e.g. \"-Xmx1g -XX:+UseZGC\"")
        String systemJvm;

        @Option(names = "--ts-client", paramLabel = "N", description = "then the TypeScript MCP SDK"
                + " client (Node.js and npm needed; installed under .tollgate/bench-ts-client):"
                + " one session, N calls in flight, get_file through the gateway and echo of"
                + " server-everything, a server doing nothing, side by side (default 8; 0 = off)")
        int tsClient = 8;

        @Option(names = "--ts-warmup", paramLabel = "W", description = "unmeasured calls of the"
                + " TypeScript client before each of its series (default --calls, at most 5000):"
                + " its requests are not the Java client's, and the system's JIT recompiles the"
                + " ingress's request handling for them")
        Integer tsWarmup;

        @Option(names = "--goals", description = "measure the performance goals instead, each"
                + " with its figure and verdict, in one run from one start of the system: the"
                + " first 1000 calls after start, the floors, steady state, one call in flight,"
                + " open loop at 500 calls/s and the TypeScript client's series, at --ts-client"
                + " in flight (default 8); --calls sizes the steady, open-loop and TypeScript"
                + " series")
        boolean goals;

        @Option(names = "--aot", negatable = true, defaultValue = "true", fallbackValue = "true", description = "with --goals on JDK 25+ (--system process): first train JDK 25's"
                + " AOT cache in a start of its own (1000 + --calls calls, recorded),"
                + " start the system from the cache for its first 1000 calls and judge"
                + " the cold goal on them too; every other series runs on a plain start"
                + " as before (default on; --no-aot: the plain start alone)")
        boolean aot = true;

        @Option(names = "--json", description = "one JSON object on standard output instead of"
                + " the table")
        boolean json;

        @Option(names = "--target", paramLabel = "URL", description = "drive a running deployment instead (needs --token, a gateway token"
                + " whose agent may read the owners bench-org[-N]/repo-M)")
        String target;

        @Option(names = "--token", paramLabel = "T", description = "the gateway token for --target")
        String token;

        @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "with --target: the deployment's Kafka, for the Kafka floor")
        String kafka;

        @Option(names = "--github", paramLabel = "URL", description = "with --target: the GitHub it calls, for the direct floor")
        String github;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        @Spec
        CommandSpec spec;

        private final PrintStream out;

        BenchCommand(PrintStream out) {
            this.out = out;
        }

        /** The options, checked together. */
        Options options() {
            List<String> launcherArgs = new ArrayList<>();
            for (String setting : settings) {
                if (!setting.contains("=")) {
                    throw new IllegalArgumentException("--set takes KEY=VALUE, was '" + setting
                            + "'");
                }
                launcherArgs.add("--" + setting);
            }
            if (calls < 1 || concurrency < 1 || owners < 1 || repos < 1 || (floorCalls != null
                    && floorCalls < 1)) {
                throw new IllegalArgumentException("--calls, --concurrency, --floor-calls,"
                        + " --owners and --repos must be positive");
            }
            if (latency < 0 || rate < 0 || (warmup != null && warmup < 0) || (tsWarmup != null
                    && tsWarmup < 0)) {
                throw new IllegalArgumentException("--latency-ms, --rate, --warmup and --ts-warmup"
                        + " must not be negative");
            }
            if (tsClient < 0) {
                throw new IllegalArgumentException("--ts-client takes the calls in flight, or 0"
                        + " for no TypeScript series, not " + tsClient);
            }
            if (warmupJit < 0 || warmupJit > 100 || warmupMax < 0) {
                throw new IllegalArgumentException("--warmup-jit takes a percentage (0 to 100)"
                        + " and --warmup-max-s seconds, not negative");
            }
            if ((target == null) != (token == null)) {
                throw new IllegalArgumentException("--target and --token go together: the URL of"
                        + " a running ingress and a gateway token for it");
            }
            if (goals && (target != null || rate > 0 || latency > 0 || tsClient == 0)) {
                throw new IllegalArgumentException("--goals runs its own series on a fresh"
                        + " standalone system with a 0 ms stand-in and the TypeScript client:"
                        + " it takes neither --target, --rate, --latency-ms nor --ts-client 0");
            }
            int warm = warmup != null ? warmup : Math.min(1000, calls / 5);
            return new Options(calls, concurrency, rate, latency, warm, warmupJit, warmupMax,
                    floorCalls != null ? floorCalls : calls, owners, repos, List.copyOf(
                            launcherArgs),
                    json, target, token, kafka, github, SystemMode.of(
                            system),
                    systemJvm, tsClient, tsWarmup != null ? tsWarmup : Math.min(5000, calls),
                    goals, aot);
        }

        @Override
        public Integer call() throws Exception {
            Options options;
            try {
                options = options();
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec.commandLine(), e.getMessage());
            }
            // Results alone on standard output; the launcher's and Spring's lines go to standard
            // error.
            PrintStream results = out;
            System.setOut(System.err);
            if (options.goals()) {
                Goals.Figures figures = Goals.run(options, System.err);
                results.println(options.json() ? Goals.json(figures) : Goals.table(figures));
                results.flush();
                return figures.errors() == 0 ? 0 : 1;
            }
            Result result = run(options, System.err);
            results.println(options.json() ? result.json() : result.table());
            results.flush();
            return result.gateway().errors() == 0 ? 0 : 1;
        }
    }

    static Result run(Options options, PrintStream progress) throws Exception {
        if (!options.standalone()) {
            // a cluster of your own: its bootstrap address only (no credentials are taken)
            return measure(options, progress, options.target(), options.token(), options
                    .kafka() == null ? null : Map.of("bootstrap.servers", options.kafka()),
                    options.github(), null, null);
        }
        try (GitHubStandIn github = new GitHubStandIn(options.latencyMillis())) {
            progress.printf("[bench] GitHub stand-in at %s with %d ms latency%n", github.baseUrl(),
                    options.latencyMillis());
            progress.printf("[bench] starting the standalone system (--system %s)...%n", options
                    .system().flag);
            try (SystemUnderTest system = startSystem(options, github.baseUrl(), progress)) {
                String token = Gateway.mintToken(system.baseUrl(), system.adminKey(),
                        "bench-agent");
                return measure(options, progress, system.baseUrl(), token, system
                        .kafkaClientProperties(), github.baseUrl(), github, system);
            }
        }
    }

    static SystemUnderTest startSystem(Options options, String githubUrl,
            PrintStream progress) throws Exception {
        return switch (options.system()) {
            case IN_PROCESS -> StandaloneSystem.start(githubUrl, options.ownerNames(), options
                    .launcherArgs());
            case PROCESS -> ProcessSystem.start(githubUrl, options.ownerNames(), options
                    .launcherArgs(), options.childJvmOptions(), progress);
            case ROLES -> RoleSystem.start(githubUrl, options.ownerNames(), options
                    .launcherArgs(), options.childJvmOptions(), progress);
        };
    }

    private static Result measure(Options options, PrintStream progress, String gatewayUrl,
            String token, Map<String, Object> kafkaClient, String githubUrl,
            GitHubStandIn standIn,
            SystemUnderTest system) throws Exception {
        List<ProcessStats.Measured> processes = new ArrayList<>();
        processes.add(new ProcessStats.Measured(system == null
                ? "bench (client)"
                : system.processes().isEmpty()
                        ? "bench (client, stand-in and system)"
                        : "bench (client and stand-in)",
                ProcessHandle.current().pid()));
        if (system != null) {
            processes.addAll(system.processes());
        }
        LatencyStats kafka = null;
        if (kafkaClient != null) {
            progress.println("[bench] Kafka floor: one produce->consume hop, one at a time...");
            kafka = KafkaFloor.measure(kafkaClient, Math.min(options.floorCalls(), 2000), 512);
        }
        LatencyStats direct = null;
        if (githubUrl != null) {
            progress.println("[bench] direct floor: the same read straight to the stand-in...");
            direct = DirectFloor.measure(githubUrl, options.floorCalls(), options.concurrency(),
                    options.rate(), progress);
        }
        try (Gateway gateway = new Gateway(gatewayUrl, token)) {
            progress.printf("[bench] opening %d MCP sessions at %s/mcp...%n", options
                    .concurrency(), gatewayUrl);
            List<McpSyncClient> sessions = openSessions(gateway, options.concurrency());
            java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.function.IntFunction<Load.Caller> callers = slot -> () -> {
                McpSyncClient session = sessions.get(slot);
                var answer = session.callTool(io.modelcontextprotocol.spec.McpSchema.CallToolRequest
                        .builder("get_file").arguments(Map.of("owner", options.owner(slot), "repo",
                                options.repo(slot), "path", "README.md"))
                        .build());
                boolean ok = Gateway.succeeded(answer);
                if (!ok) {
                    firstError.compareAndSet(null, Gateway.describe(answer));
                }
                return ok;
            };
            if (options.warmup() > 0) {
                progress.printf("[bench] gateway warm-up: %d calls (mints the tokens)...%n", options
                        .warmup());
                Load.run("gateway warm-up", options.warmup(), options.concurrency(), 0, callers,
                        progress);
            }
            WarmUp.Summary warmUp = WarmUp.Summary.none();
            if (options.warmupJitPercent() > 0) {
                progress.printf(Locale.ROOT, "[bench] warm-up until the JIT uses at most %.1f%% of"
                        + " the CPU (at most %.0f s)...%n", options.warmupJitPercent(),
                        options
                                .warmupMaxSeconds());
                warmUp = WarmUp.run(processes, options.concurrency(), callers, options
                        .warmupJitPercent() / 100, options.warmupMaxSeconds(), progress);
            }
            List<String> metricsUrls = system == null
                    ? List.of(gatewayUrl + "/actuator/prometheus")
                    : system.metricsUrls();
            SystemMetrics.Sample metricsBefore = SystemMetrics.read(metricsUrls);
            BrokerRequests.Sampled brokerBefore = system == null
                    ? null
                    : BrokerRequests.sample(system.brokerPid());
            long rssBefore = procStatus("VmRSS");
            MachineCpu.Sample machineBefore = MachineCpu.sample();
            var cpuBefore = ProcessStats.sampleAll(processes);
            long measuredSince = System.currentTimeMillis();
            progress.println("[bench] gateway: get_file through MCP -> Kafka -> decision ->"
                    + " executor -> stand-in...");
            LatencyStats measured = Load.run("gateway get_file (MCP)", options.calls(), options
                    .concurrency(), options.rate(), callers, progress);
            var cpuAfter = ProcessStats.sampleAll(processes);
            MachineCpu.Shares machine = MachineCpu.between(machineBefore, MachineCpu.sample());
            long rssAfter = procStatus("VmRSS");
            List<ProcessStats.Usage> usages = ProcessStats.usages(processes, cpuBefore, cpuAfter);
            SystemMetrics.Delta decisions = SystemMetrics.between(metricsBefore, SystemMetrics
                    .read(metricsUrls));
            BrokerRequests.Delta broker = brokerBefore == null
                    ? null
                    : BrokerRequests.Sampled.between(brokerBefore, BrokerRequests.sample(system
                            .brokerPid()), options.calls());
            // what a context switch costs this machine now, to price the series' switches
            WakeUps.Cost wakeUps = usages.isEmpty()
                    ? null
                    : WakeUps.measure(WakeUps.DEFAULT_HAND_OFFS);
            Stages.Breakdown stages = null;
            if (kafkaClient != null) {
                progress.println("[bench] reading the hops' timestamps back from the topics...");
                stages = Stages.read(kafkaClient, measuredSince);
            }
            TsSeries ts = options.tsClient() > 0
                    ? TsSeries.measure(options, gatewayUrl, token, system == null
                            ? List.of()
                            : TsSeries.serving(system), progress)
                    : null;
            return new Result(options, kafka, direct, measured, standIn == null
                    ? null
                    : standIn.mintsByScope(), standIn == null ? 0 : procStatus("VmHWM"),
                    rssBefore, rssAfter, firstError.get(), stages, system == null
                            ? null
                            : system.description(),
                    usages, decisions, broker, warmUp, ts, wakeUps, machine);
        }
    }

    static List<McpSyncClient> openSessions(Gateway gateway, int count) throws Exception {
        List<McpSyncClient> sessions = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<McpSyncClient>> opening = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                opening.add(threads.submit(gateway::session));
            }
            for (Future<McpSyncClient> session : opening) {
                sessions.add(session.get());
            }
        }
        return sessions;
    }

    /** A {@code /proc/self/status} figure in KiB (0 where there is no /proc). */
    static long procStatus(String field) {
        try {
            return parseStatus(Files.readAllLines(Path.of("/proc/self/status")), field);
        } catch (IOException e) {
            return 0;
        }
    }

    static long parseStatus(List<String> lines, String field) {
        return ProcessStats.statusField(lines, field);
    }

}
