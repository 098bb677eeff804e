package dev.tollgate.bench;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code bench --goals}: the performance goals, each with the figure it is judged on, measured in
 * one run from one start of the system, so every ratio compares series of the same run on the same
 * machine:
 *
 * <ol>
 * <li>with JDK 25's AOT cache ({@code --aot}, the default where {@link AotCache#unsupported} finds
 * nothing against it), first two starts of their own: one records a training run for the cache,
 * one started from the cache runs the first {@value #COLD_CALLS} calls; then the goals' own start,
 * without the cache, for everything below;</li>
 * <li>the first {@value #COLD_CALLS} calls after the system is ready, before anything else reaches
 * it (the first mints the token), at N in flight;</li>
 * <li>the floors: one Kafka hop on the same broker, and the same read straight to the stand-in
 * one at a time and open loop at {@value #OPEN_LOOP_RATE} calls/s;</li>
 * <li>warm-up until steady state (as the plain run), then {@code --calls} calls at N in flight
 * through the Java MCP client, with the CPU of every process over them;</li>
 * <li>the Kafka floor under each call's CPU: {@value KafkaRelay#HOPS} hops relayed by bare clients
 * at N in flight on the same broker ({@link KafkaRelay});</li>
 * <li>{@value #ONE_IN_FLIGHT_CALLS} calls one at a time, and {@code --calls} open loop at
 * {@value #OPEN_LOOP_RATE} calls/s (at most {@value #OPEN_LOOP_MAX_IN_FLIGHT} in flight);</li>
 * <li>the TypeScript MCP SDK client, one session, N in flight: {@code get_file} through the
 * gateway, then server-everything's {@code echo}.</li>
 * </ol>
 *
 * N is {@code --ts-client} (default 8, the goal's). The verdicts are {@link #goals}, a pure
 * function of the figures.
 */
final class Goals {

    static final int COLD_CALLS = 1000;
    static final int ONE_IN_FLIGHT_CALLS = 2000;
    static final double OPEN_LOOP_RATE = 500;
    static final int OPEN_LOOP_MAX_IN_FLIGHT = 32;
    /** Steal above this share of the CPUs during a series gets a note under the goals. */
    static final double STEAL_NOTE = 0.02;

    private Goals() {
    }

    /** One goal: its figure and its bound ({@code atLeast}: the figure must reach it). */
    record Goal(String name, String measure, double value, double bound, boolean atLeast) {

        boolean met() {
            return !Double.isNaN(value) && (atLeast ? value >= bound : value <= bound);
        }

        String row() {
            return String.format(Locale.ROOT, "%-52s %-44s %7s %7s  %s", name, measure, Double
                    .isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2fx", value),
                    (atLeast
                            ? ">= "
                            : "<= ") + String.format(Locale.ROOT, "%.1fx", bound),
                    Double.isNaN(
                            value)
                                    ? "not measured"
                                    : met() ? "met" : "NOT met");
        }
    }

    /** Everything a goals run measured. */
    record Figures(int inFlight, LatencyStats cold, LatencyStats kafka, LatencyStats directOne,
            LatencyStats directOpen, WarmUp.Summary warmUp, LatencyStats steady,
            List<ProcessStats.Usage> steadyUsages, BrokerRequests.Delta steadyBroker,
            LatencyStats one, BrokerRequests.Delta oneBroker, LatencyStats open, TsSeries ts,
            String system, String firstError, WakeUps.Cost wakeUps, MachineCpu.Shares machine,
            Map<String, MachineCpu.Shares> seriesMachines, KafkaRelay.Result relay,
            KafkaRelay.Result transactionalRelay, AotStart aot) {

        /** Figures without the AOT cache's start. */
        Figures(int inFlight, LatencyStats cold, LatencyStats kafka, LatencyStats directOne,
                LatencyStats directOpen, WarmUp.Summary warmUp, LatencyStats steady,
                List<ProcessStats.Usage> steadyUsages, BrokerRequests.Delta steadyBroker,
                LatencyStats one, BrokerRequests.Delta oneBroker, LatencyStats open, TsSeries ts,
                String system, String firstError, WakeUps.Cost wakeUps, MachineCpu.Shares machine,
                Map<String, MachineCpu.Shares> seriesMachines, KafkaRelay.Result relay,
                KafkaRelay.Result transactionalRelay) {
            this(inFlight, cold, kafka, directOne, directOpen, warmUp, steady, steadyUsages,
                    steadyBroker, one, oneBroker, open, ts, system, firstError, wakeUps, machine,
                    seriesMachines, relay, transactionalRelay, null);
        }

        /** Figures without the Kafka relay. */
        Figures(int inFlight, LatencyStats cold, LatencyStats kafka, LatencyStats directOne,
                LatencyStats directOpen, WarmUp.Summary warmUp, LatencyStats steady,
                List<ProcessStats.Usage> steadyUsages, BrokerRequests.Delta steadyBroker,
                LatencyStats one, BrokerRequests.Delta oneBroker, LatencyStats open, TsSeries ts,
                String system, String firstError, WakeUps.Cost wakeUps, MachineCpu.Shares machine,
                Map<String, MachineCpu.Shares> seriesMachines) {
            this(inFlight, cold, kafka, directOne, directOpen, warmUp, steady, steadyUsages,
                    steadyBroker, one, oneBroker, open, ts, system, firstError, wakeUps, machine,
                    seriesMachines, null, null);
        }

        /** Figures without the machine's wake-up cost and CPU shares. */
        Figures(int inFlight, LatencyStats cold, LatencyStats kafka, LatencyStats directOne,
                LatencyStats directOpen, WarmUp.Summary warmUp, LatencyStats steady,
                List<ProcessStats.Usage> steadyUsages, BrokerRequests.Delta steadyBroker,
                LatencyStats one, BrokerRequests.Delta oneBroker, LatencyStats open, TsSeries ts,
                String system, String firstError) {
            this(inFlight, cold, kafka, directOne, directOpen, warmUp, steady, steadyUsages,
                    steadyBroker, one, oneBroker, open, ts, system, firstError, null, null,
                    Map.of(), null, null);
        }

        /**
         * What the machine's CPUs did during each series that has a figure, the TypeScript ones
         * included, in the order they ran.
         */
        Map<String, MachineCpu.Shares> machines() {
            Map<String, MachineCpu.Shares> all = new LinkedHashMap<>();
            if (aot != null && aot.coldMachine() != null) {
                all.put(aot.coldWith().name(), aot.coldMachine());
            }
            all.putAll(seriesMachines);
            if (ts != null && ts.note() == null && ts.gatewayCost() != null && ts
                    .baselineCost() != null && ts.gatewayCost().machine() != null && ts
                            .baselineCost().machine() != null) {
                all.put(ts.gateway().name(), ts.gatewayCost().machine());
                all.put(ts.baseline().name(), ts.baselineCost().machine());
            }
            return all;
        }

        List<LatencyStats> series() {
            List<LatencyStats> all = new ArrayList<>();
            for (LatencyStats s : java.util.Arrays.asList(kafka, directOne, directOpen,
                    cold, aot == null ? null : aot.coldWith(), steady,
                    relay == null ? null : relay.stats(), transactionalRelay == null
                            ? null
                            : transactionalRelay.stats(),
                    one, open)) {
                if (s != null) {
                    all.add(s);
                }
            }
            if (ts != null && ts.note() == null) {
                all.add(ts.gateway());
                all.add(ts.baseline());
            }
            return all;
        }

        int errors() {
            int errors = 0;
            for (LatencyStats s : java.util.Arrays.asList(aot == null
                    ? null
                    : aot.coldWith(), cold, steady, one, open)) {
                errors += s == null ? 0 : s.errors();
            }
            if (ts != null && ts.note() == null) {
                errors += ts.gateway().errors();
            }
            return errors;
        }
    }

    /**
     * The cold start from JDK 25's AOT cache, beside the goals' own start without it: a first
     * start trained the cache ({@code trainingCalls}, recording), a second started from it and ran
     * the first {@value #COLD_CALLS} calls ({@code coldWith}); how long each start took to be
     * ready, and what assembling the cache took. Every other series ran on a third start, without
     * the cache, as {@code bin/tollgate run} starts.
     */
    record AotStart(LatencyStats coldWith, java.time.Duration readyWith,
            java.time.Duration readyWithout, int trainingCalls, AotCache.Created created,
            MachineCpu.Shares coldMachine) {

        String line() {
            return String.format(Locale.ROOT, "JDK 25's AOT cache: trained by a first start on"
                    + " %,d calls (recording), assembled in %.1f s (%,d MB); a second start from"
                    + " it was ready %.1f s after its JVM started and ran \"%s\"; the start every"
                    + " other series ran on, without it, was ready after %.1f s%n", trainingCalls,
                    created.seconds(), created.bytes() / 1_000_000, readyWith.toMillis() / 1000.0,
                    coldWith.name(), readyWithout.toMillis() / 1000.0);
        }
    }

    /** The four goals, judged on {@code figures}, and the cold goal from the AOT cache. */
    static List<Goal> goals(Figures f) {
        double threeHopsP50 = 3 * f.kafka().p50Millis();
        double threeHopsP99 = 3 * f.kafka().p99Millis();
        List<Goal> goals = new ArrayList<>(List.of(new Goal("TypeScript client, 1 session, "
                + f.inFlight() + " in flight",
                "get_file calls/s / server-everything echo's", f.ts() == null
                        ? Double.NaN
                        : f.ts().ratio(),
                TsSeries.GOAL, true),
                new Goal("one call in flight", "added p50 / three Kafka hops' p50", (f.one()
                        .p50Millis() - f.directOne().p50Millis()) / threeHopsP50, 2.0, false),
                new Goal(String.format(Locale.ROOT, "open loop at %.0f calls/s", OPEN_LOOP_RATE),
                        "added p99 / three Kafka hops' p99", (f.open().p99Millis() - f
                                .directOpen().p99Millis()) / threeHopsP99,
                        1.5, false),
                new Goal(String.format(Locale.ROOT, "the first %,d calls after start, %d in"
                        + " flight", COLD_CALLS, f.inFlight()), "p50 / steady state's p50",
                        f
                                .cold().p50Millis() / f.steady().p50Millis(),
                        2.0, false)));
        if (f.aot() != null) {
            goals.add(new Goal("the same from JDK 25's AOT cache",
                    "p50 (a start from the cache) / steady's p50", f.aot().coldWith()
                            .p50Millis() / f.steady().p50Millis(),
                    2.0, false));
        }
        return List.copyOf(goals);
    }

    static String table(Figures f) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "performance goals, one run, %s; 0 ms stand-in%n", f
                .system()));
        out.append(LatencyStats.header()).append('\n');
        for (LatencyStats s : f.series()) {
            out.append(s.row()).append('\n');
        }
        if (f.ts() != null && f.ts().note() != null) {
            out.append("TypeScript client not measured: ").append(f.ts().note()).append('\n');
        } else if (f.ts() != null) {
            out.append(f.ts().costLine());
        }
        out.append(String.format(Locale.ROOT, "three Kafka hops (p50 / p99): %.2f / %.2f ms%n", 3
                * f.kafka().p50Millis(), 3 * f.kafka().p99Millis()));
        out.append(f.warmUp().line());
        if (f.ts() != null && f.ts().note() == null && f.ts().warmUp().rounds() > 0) {
            out.append(f.ts().warmUpLine());
        }
        if (f.aot() != null) {
            out.append(f.aot().line());
        }
        out.append(String.format(Locale.ROOT, "%-52s %-44s %7s %7s  %s%n", "goal", "figure",
                "value", "bound", "verdict"));
        for (Goal goal : goals(f)) {
            out.append(goal.row()).append('\n');
        }
        out.append(stealLines(f.machines()));
        out.append("resources over the steady series (what bounds it):\n");
        out.append(ProcessStats.table(f.steadyUsages(), f.steady().calls()));
        if (f.wakeUps() != null && !f.steadyUsages().isEmpty()) {
            out.append(WakeUps.line(f.wakeUps(), f.steadyUsages(), f.steady().calls()));
        }
        if (f.machine() != null) {
            out.append(f.machine().line());
        }
        if (f.steadyBroker() != null) {
            out.append("the broker over the steady series:\n").append(f.steadyBroker().lines());
        }
        if (f.oneBroker() != null) {
            out.append("the broker with one call in flight (one request per transaction):\n")
                    .append(f.oneBroker().lines());
        }
        out.append(floorLines(f));
        if (f.firstError() != null) {
            out.append("first error: ").append(f.firstError()).append('\n');
        }
        return out.toString();
    }

    /**
     * What the TypeScript goal leaves the system per call on these CPUs: at {@link TsSeries#GOAL}
     * times echo's calls/s the CPUs give each call {@code callMillis} in all, the TypeScript
     * client takes its share, the system may spend the rest.
     */
    record Budget(double rate, int cpus, double callMillis, double clientMillis,
            double systemMillis) {
    }

    /** The TypeScript goal's budget, or null where the series or their costs were not measured. */
    static Budget tsBudget(Figures f) {
        TsSeries ts = f.ts();
        if (ts == null || ts.note() != null || ts.gatewayCost() == null || ts.baseline()
                .callsPerSecond() <= 0) {
            return null;
        }
        int cpus = f.machine() != null
                ? f.machine().cpus()
                : Runtime.getRuntime().availableProcessors();
        double rate = TsSeries.GOAL * ts.baseline().callsPerSecond();
        double callMillis = cpus * 1000.0 / rate;
        double client = ts.gatewayCost().client();
        return new Budget(rate, cpus, callMillis, client, callMillis - client);
    }

    /**
     * The Kafka floor under the calls' CPU, and what it leaves of the CPUs at the goals that ask
     * for throughput: the TypeScript goal's budget, and how busy the CPUs were over the open loop
     * against what the floor alone would keep busy at its rate (empty without the relay).
     */
    static String floorLines(Figures f) {
        KafkaRelay.Result relay = f.relay();
        if (relay == null) {
            return "";
        }
        double floor = relay.floorMillis();
        StringBuilder out = new StringBuilder("the Kafka floor under each call (bare clients, the"
                + " same broker, no logic):\n").append(relay.line());
        KafkaRelay.Result txn = f.transactionalRelay();
        if (txn != null) {
            out.append(txn.line()).append(String.format(Locale.ROOT, "the second hop in a"
                    + " transaction, as the decision worker keeps it, adds %.3f CPU ms per call (the"
                    + " clients %+.3f, the broker %+.3f)%n", txn.floorMillis() - floor,
                    txn
                            .clientsLessJitMillis() - relay.clientsLessJitMillis(),
                    txn
                            .brokerMillis() - relay.brokerMillis()));
        }
        Budget budget = tsBudget(f);
        if (budget != null) {
            double server = f.ts().gatewayCost().server();
            out.append(String.format(Locale.ROOT, "the TypeScript goal's budget: %.1fx echo's"
                    + " calls/s is %.1f calls/s, at which the %d CPUs give each call %.3f CPU ms;"
                    + " the TypeScript client takes %.3f, leaving the system %.3f, of which %d"
                    + " bare Kafka hops take %.3f and everything else it does %.3f (it spends"
                    + " %.3f now: %.3f besides the hops)%n", TsSeries.GOAL, budget.rate(),
                    budget
                            .cpus(),
                    budget.callMillis(), budget.clientMillis(), budget.systemMillis(),
                    KafkaRelay.HOPS, floor, budget.systemMillis() - floor, server, server
                            - floor));
        }
        MachineCpu.Shares open = f.open() == null
                ? null
                : f.seriesMachines().get(f.open()
                        .name());
        if (open != null) {
            out.append(String.format(Locale.ROOT, "at %.0f calls/s (the open loop; %.1f carried)"
                    + " the machine's %d CPUs were %.0f%% busy, %.0f%% idle, %.1f%% stolen by the"
                    + " host; the %d bare Kafka hops at that rate would keep %.0f%% of them busy%n",
                    OPEN_LOOP_RATE, f.open().callsPerSecond(), open.cpus(), 100 * open.busy(),
                    100 * open.idle(), 100 * open.steal(), KafkaRelay.HOPS, 100 * OPEN_LOOP_RATE
                            * floor / 1000 / open.cpus()));
        }
        return out.toString();
    }

    /**
     * The host's share of the CPUs (steal) during each series, and a note for each series where
     * it took more than {@link #STEAL_NOTE}: a ratio with that series compares unlike machines.
     */
    static String stealLines(Map<String, MachineCpu.Shares> machines) {
        if (machines.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("the host's share of the CPUs (steal) per series:");
        StringBuilder notes = new StringBuilder();
        String separator = " ";
        for (var entry : machines.entrySet()) {
            double steal = entry.getValue().steal();
            out.append(separator).append(String.format(Locale.ROOT, "%s %.1f%%", entry.getKey(),
                    100 * steal));
            separator = "; ";
            if (steal > STEAL_NOTE) {
                notes.append(String.format(Locale.ROOT, "NOTE: the host took %.1f%% of the CPUs"
                        + " during \"%s\": a ratio with that series compares unlike machines;"
                        + " run again%n", 100 * steal, entry.getKey()));
            }
        }
        return out.append('\n').append(notes).toString();
    }

    static String json(Figures f) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode().put("system", f.system()).put("in_flight", f
                .inFlight());
        ArrayNode series = root.putArray("series");
        for (LatencyStats s : f.series()) {
            series.add(mapper.readTree(s.json()));
        }
        root.put("three_kafka_hops_p50_ms", 3 * f.kafka().p50Millis()).put(
                "three_kafka_hops_p99_ms", 3 * f.kafka().p99Millis());
        ArrayNode goals = root.putArray("goals");
        for (Goal goal : goals(f)) {
            ObjectNode node = goals.addObject().put("goal", goal.name()).put("figure", goal
                    .measure()).put("bound", goal.bound()).put("at_least", goal.atLeast()).put(
                            "met", goal.met());
            if (!Double.isNaN(goal.value())) {
                node.put("value", goal.value());
            }
        }
        ObjectNode cpu = root.putObject("steady_cpu_ms_per_call");
        ObjectNode switches = mapper.createObjectNode();
        for (ProcessStats.Usage usage : f.steadyUsages()) {
            cpu.put(usage.name(), usage.cpuMillis() / f.steady().calls());
            if (usage.switches() >= 0) {
                switches.put(usage.name(), (double) usage.switches() / f.steady().calls());
            }
        }
        if (!switches.isEmpty()) {
            root.set("steady_context_switches_per_call", switches);
        }
        if (f.wakeUps() != null) {
            root.set("wake_up", WakeUps.json(f.wakeUps(), mapper));
        }
        if (f.machine() != null) {
            root.set("steady_machine_cpu", MachineCpu.json(f.machine(), mapper));
        }
        if (!f.machines().isEmpty()) {
            ObjectNode steal = root.putObject("steal_by_series");
            f.machines().forEach((name, shares) -> steal.put(name, shares.steal()));
        }
        if (f.steadyBroker() != null) {
            root.set("steady_broker_per_call", f.steadyBroker().json(mapper));
        }
        if (f.oneBroker() != null) {
            root.set("one_in_flight_broker_per_call", f.oneBroker().json(mapper));
        }
        if (f.ts() != null) {
            root.set("typescript_client", mapper.readTree(f.ts().json()));
        }
        if (f.relay() != null) {
            ObjectNode relay = f.relay().json(mapper);
            Budget budget = tsBudget(f);
            if (budget != null) {
                relay.putObject("typescript_goal_budget").put("calls_per_s", budget.rate()).put(
                        "cpu_ms_per_call", budget.callMillis()).put("client_cpu_ms_per_call",
                                budget.clientMillis())
                        .put("system_cpu_ms_per_call", budget.systemMillis());
            }
            root.set("kafka_relay", relay);
            if (f.transactionalRelay() != null) {
                root.set("kafka_relay_transactional", f.transactionalRelay().json(mapper));
            }
        }
        if (f.aot() != null) {
            root.putObject("aot_cache").put("training_calls", f.aot().trainingCalls()).put(
                    "assembled_s", f.aot().created().seconds()).put("bytes",
                            f.aot().created()
                                    .bytes())
                    .put("ready_without_ms", f.aot().readyWithout().toMillis()).put(
                            "ready_with_ms", f.aot().readyWith().toMillis())
                    .put(
                            "cold_p50_ms", f.aot().coldWith().p50Millis());
        }
        if (f.firstError() != null) {
            root.put("first_error", f.firstError());
        }
        return root.toString();
    }

    /** Starts the stand-in and the system and measures every series, in the order above. */
    static Figures run(Bench.Options options, PrintStream progress) throws Exception {
        try (GitHubStandIn github = new GitHubStandIn(0)) {
            String noCache = options.aot()
                    ? AotCache.unsupported(options.system(), Runtime.version().feature(),
                            ChildJvm.nestedJars())
                    : null;
            if (noCache != null) {
                progress.println("[bench] goals: no AOT cache (" + noCache + "): the four goals"
                        + " on one start");
            }
            if (!options.aot() || noCache != null) {
                progress.printf("[bench] goals: GitHub stand-in at %s; starting the standalone"
                        + " system (--system %s)...%n", github.baseUrl(), options.system().flag);
                try (SystemUnderTest system = Bench.startSystem(options, github.baseUrl(),
                        progress)) {
                    return measure(options, github, system, null, progress);
                }
            }
            Path dir = Files.createTempDirectory("tollgate-bench-aot");
            try {
                AotCache cache = AotCache.prepare(dir, System.getProperty("java.class.path"));
                int trainingCalls = COLD_CALLS + options.calls();
                List<String> record = new ArrayList<>(options.childJvmOptions());
                record.addAll(cache.recordOptions());
                progress.printf("[bench] goals: training JDK 25's AOT cache: a first start of the"
                        + " system, recording, %,d calls (GitHub stand-in at %s)...%n",
                        trainingCalls, github.baseUrl());
                firstCalls(options, github, record, cache.classpath(), "AOT training",
                        trainingCalls, progress);
                AotCache.Created created = cache.create(ChildJvm.java(), options
                        .childJvmOptions(), progress);
                cache.checkUnchanged();
                progress.printf(Locale.ROOT, "[bench] goals: AOT cache of %,d MB assembled in %.1f"
                        + " s; a second start, from it, for its first %d calls...%n",
                        created
                                .bytes() / 1_000_000,
                        created.seconds(), COLD_CALLS);
                List<String> use = new ArrayList<>(options.childJvmOptions());
                use.addAll(cache.useOptions());
                FirstCalls fromCache = firstCalls(options, github, use, cache.classpath(),
                        "cold: first " + COLD_CALLS + " calls, AOT cache", COLD_CALLS, progress);
                progress.printf("[bench] goals: the goals' own start, without the cache"
                        + " (--system %s)...%n", options.system().flag);
                try (ProcessSystem system = ProcessSystem.start(github.baseUrl(), options
                        .ownerNames(), options.launcherArgs(), options.childJvmOptions(),
                        progress)) {
                    return measure(options, github, system, new AotStart(fromCache.calls(),
                            fromCache.ready(), system.startup(), trainingCalls, created,
                            fromCache.machine()),
                            progress);
                }
            } finally {
                // its jars and cache go; the assembly's log stays, as each start's logs do (a
                // failed assembly's message points at it)
                SystemSetup.delete(dir, true);
            }
        }
    }

    /**
     * A start's first calls, how long after its JVM started it was ready, and what the machine's
     * CPUs did during the calls.
     */
    private record FirstCalls(LatencyStats calls, java.time.Duration ready,
            MachineCpu.Shares machine) {
    }

    /**
     * Starts the system with {@code jvmOptions} from {@code classpath}, drives {@code calls}
     * {@code get_file} calls at the goals' calls in flight from the moment it is ready, and stops
     * it (a recording JVM writes its record as it exits).
     */
    private static FirstCalls firstCalls(Bench.Options options, GitHubStandIn github,
            List<String> jvmOptions, String classpath, String name, int calls,
            PrintStream progress) throws Exception {
        int inFlight = options.tsClient();
        try (ProcessSystem system = ProcessSystem.start(github.baseUrl(), options.ownerNames(),
                options.launcherArgs(), jvmOptions, classpath, progress)) {
            String token = Gateway.mintToken(system.baseUrl(), system.adminKey(), "bench-agent");
            try (Gateway gateway = new Gateway(system.baseUrl(), token)) {
                List<McpSyncClient> sessions = Bench.openSessions(gateway, inFlight);
                AtomicReference<String> firstError = new AtomicReference<>();
                MachineCpu.Sample before = MachineCpu.sample();
                LatencyStats stats = Load.run(name, calls, inFlight, 0, callers(options,
                        sessions, firstError), progress);
                MachineCpu.Shares machine = MachineCpu.between(before, MachineCpu.sample());
                if (firstError.get() != null) {
                    progress.println("[bench] goals: " + name + ": a call failed: " + firstError
                            .get());
                }
                progress.println("[bench] goals: stopping that start...");
                return new FirstCalls(stats, system.startup(), machine);
            }
        }
    }

    /** One {@code get_file} per call on session {@code slot}, the first failure kept. */
    private static IntFunction<Load.Caller> callers(Bench.Options options,
            List<McpSyncClient> sessions, AtomicReference<String> firstError) {
        return slot -> () -> {
            var answer = sessions.get(slot).callTool(McpSchema.CallToolRequest.builder("get_file")
                    .arguments(Map.of("owner", options.owner(slot), "repo", options.repo(slot),
                            "path", "README.md"))
                    .build());
            boolean ok = Gateway.succeeded(answer);
            if (!ok) {
                firstError.compareAndSet(null, Gateway.describe(answer));
            }
            return ok;
        };
    }

    /** Every series on a started system, in the order above. */
    private static Figures measure(Bench.Options options, GitHubStandIn github,
            SystemUnderTest system, AotStart aot, PrintStream progress) throws Exception {
        int inFlight = options.tsClient();
        String token = Gateway.mintToken(system.baseUrl(), system.adminKey(),
                "bench-agent");
        List<ProcessStats.Measured> processes = new ArrayList<>();
        processes.add(new ProcessStats.Measured(system.processes().isEmpty()
                ? "bench (client, stand-in and system)"
                : "bench (client and stand-in)", ProcessHandle.current().pid()));
        processes.addAll(system.processes());
        try (Gateway gateway = new Gateway(system.baseUrl(), token)) {
            int sessionsNeeded = Math.max(inFlight, OPEN_LOOP_MAX_IN_FLIGHT);
            progress.printf("[bench] opening %d MCP sessions...%n", sessionsNeeded);
            List<McpSyncClient> sessions = Bench.openSessions(gateway, sessionsNeeded);
            AtomicReference<String> firstError = new AtomicReference<>();
            IntFunction<Load.Caller> callers = callers(options, sessions, firstError);
            progress.printf("[bench] goals: the first %d calls after start, %d in"
                    + " flight...%n", COLD_CALLS, inFlight);
            Map<String, MachineCpu.Shares> machines = new LinkedHashMap<>();
            LatencyStats cold = watched(machines, () -> Load.run("cold: first "
                    + COLD_CALLS + " calls", COLD_CALLS, inFlight, 0, callers, progress));
            progress.println("[bench] goals: the floors...");
            LatencyStats kafka = watched(machines, () -> KafkaFloor.measure(system
                    .kafkaClientProperties(), Math.min(options.floorCalls(), 2000), 512));
            LatencyStats directOne = watched(machines, () -> rename(DirectFloor.measure(
                    github.baseUrl(), Math.min(options.floorCalls(),
                            ONE_IN_FLIGHT_CALLS),
                    1, 0, progress), "direct, 1 in flight"));
            LatencyStats directOpen = watched(machines, () -> rename(DirectFloor
                    .measure(github.baseUrl(), options.floorCalls(),
                            OPEN_LOOP_MAX_IN_FLIGHT, OPEN_LOOP_RATE, progress),
                    String.format(Locale.ROOT, "direct, %.0f calls/s",
                            OPEN_LOOP_RATE)));
            if (options.warmup() > 0) {
                Load.run("gateway warm-up", options.warmup(), inFlight, 0, callers,
                        progress);
            }
            WarmUp.Summary warmUp = options.warmupJitPercent() > 0
                    ? WarmUp.run(processes, inFlight, callers, options
                            .warmupJitPercent() / 100, options.warmupMaxSeconds(),
                            progress)
                    : WarmUp.Summary.none();
            progress.printf("[bench] goals: steady state, %d in flight...%n", inFlight);
            long broker = system.brokerPid();
            var brokerBefore = BrokerRequests.sample(broker);
            MachineCpu.Sample machineBefore = MachineCpu.sample();
            var before = ProcessStats.sampleAll(processes);
            LatencyStats steady = Load.run("steady, " + inFlight + " in flight", options
                    .calls(), inFlight, 0, callers, progress);
            List<ProcessStats.Usage> usages = ProcessStats.usages(processes, before,
                    ProcessStats.sampleAll(processes));
            MachineCpu.Shares machine = MachineCpu.between(machineBefore, MachineCpu
                    .sample());
            if (machine != null) {
                machines.put(steady.name(), machine);
            }
            var brokerSteady = BrokerRequests.sample(broker);
            // what a context switch costs this machine now, to price the series' switches
            WakeUps.Cost wakeUps = WakeUps.measure(WakeUps.DEFAULT_HAND_OFFS);
            progress.printf("[bench] goals: the Kafka floor under each call, %d hops"
                    + " relayed at %d in flight...%n", KafkaRelay.HOPS, inFlight);
            List<KafkaRelay.Result> relays = new ArrayList<>();
            for (boolean transactional : new boolean[]{false, true}) {
                watched(machines, () -> {
                    relays.add(KafkaRelay.measure(system.kafkaClientProperties(), options
                            .calls(), options.calls(), inFlight, transactional, processes,
                            broker, progress));
                    return relays.getLast().stats();
                });
            }
            var brokerBeforeOne = BrokerRequests.sample(broker);
            progress.println("[bench] goals: one call in flight...");
            LatencyStats one = watched(machines, () -> Load.run("gateway, 1 in flight",
                    ONE_IN_FLIGHT_CALLS, 1, 0, callers, progress));
            var brokerOne = BrokerRequests.sample(broker);
            progress.printf(Locale.ROOT, "[bench] goals: open loop at %.0f calls/s...%n",
                    OPEN_LOOP_RATE);
            LatencyStats open = watched(machines, () -> Load.run(String.format(
                    Locale.ROOT, "gateway, %.0f calls/s", OPEN_LOOP_RATE),
                    options
                            .calls(),
                    OPEN_LOOP_MAX_IN_FLIGHT, OPEN_LOOP_RATE, callers, progress));
            TsSeries ts = TsSeries.measure(options, system.baseUrl(), token, TsSeries
                    .serving(system), progress);
            return new Figures(inFlight, cold, kafka, directOne, directOpen, warmUp,
                    steady, usages, BrokerRequests.Sampled.between(brokerBefore,
                            brokerSteady, options.calls()),
                    one, BrokerRequests.Sampled.between(brokerBeforeOne, brokerOne,
                            ONE_IN_FLIGHT_CALLS),
                    open, ts, system.description(), firstError.get(), wakeUps,
                    machine, machines, relays.get(0), relays.get(1), aot);
        }
    }

    /** A series to measure. */
    @FunctionalInterface
    interface Series {
        LatencyStats run() throws Exception;
    }

    /** Runs {@code series}, keeping what the machine's CPUs did meanwhile under its name. */
    static LatencyStats watched(Map<String, MachineCpu.Shares> machines, Series series)
            throws Exception {
        MachineCpu.Sample before = MachineCpu.sample();
        LatencyStats stats = series.run();
        MachineCpu.Shares shares = MachineCpu.between(before, MachineCpu.sample());
        if (shares != null) {
            machines.put(stats.name(), shares);
        }
        return stats;
    }

    private static LatencyStats rename(LatencyStats s, String name) {
        return new LatencyStats(name, s.calls(), s.errors(), s.p50Millis(), s.p90Millis(), s
                .p99Millis(), s.maxMillis(), s.callsPerSecond());
    }
}
