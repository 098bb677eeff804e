package dev.tollgate.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The TypeScript MCP SDK client's series: the gateway's {@code get_file} and server-everything's
 * {@code echo} (an MCP server doing nothing), one session each, the same calls in flight, one
 * after the other in the same run, and what a call cost each side in CPU: the client, and the
 * system's processes or server-everything's ({@code null} costs: not measured). {@code note} says
 * why there are none when the client could not run; the rest of the bench stands without them.
 * {@code warmUp} is what the TypeScript client's rounds before the gateway's series did, until the
 * system's JIT settled for its requests (none: not run).
 */
record TsSeries(int inFlight, LatencyStats gateway, LatencyStats baseline, String note,
        TsClient.CallCost gatewayCost, TsClient.CallCost baselineCost, WarmUp.Summary warmUp) {

    /** The goal: get_file through the gateway at 0.8x or more of echo's calls/s. */
    static final double GOAL = 0.8;

    /** The series without their costs (or none, with {@code note}). */
    TsSeries(int inFlight, LatencyStats gateway, LatencyStats baseline, String note) {
        this(inFlight, gateway, baseline, note, null, null);
    }

    /** The series and their costs, without warm-up rounds. */
    TsSeries(int inFlight, LatencyStats gateway, LatencyStats baseline, String note,
            TsClient.CallCost gatewayCost, TsClient.CallCost baselineCost) {
        this(inFlight, gateway, baseline, note, gatewayCost, baselineCost, WarmUp.Summary.none());
    }

    /**
     * Both series; {@code system} are the processes of the system under test (empty: its CPU is
     * not counted). A system in the bench's own JVM is that JVM, with the GitHub stand-in.
     */
    static TsSeries measure(Bench.Options options, String gatewayUrl, String token,
            List<ProcessStats.Measured> system, PrintStream progress) {
        int inFlight = options.tsClient();
        try {
            TsClient client = TsClient.install(TsClient.defaultFolder(), progress);
            String url = gatewayUrl + "/mcp";
            Map<String, Object> arguments = Map.of("owner", options.owner(0), "repo", options.repo(
                    0), "path", "README.md");
            WarmUp.Summary warmUp = WarmUp.Summary.none();
            if (options.warmupJitPercent() > 0 && !system.isEmpty()) {
                // The system compiles its handling of these requests anew (they are not the Java
                // client's); the series is steady state only once that is done, as the Java one.
                progress.printf(Locale.ROOT, "[bench] TypeScript MCP SDK client: warm-up rounds"
                        + " until the system's JIT uses at most %.1f%% of its CPU (at most %.0f"
                        + " s)...%n", options.warmupJitPercent(), options.warmupMaxSeconds());
                warmUp = WarmUp.rounds((number, calls) -> {
                    TsClient.Run round = client.load("ts warm-up round " + number, url, token,
                            "get_file", arguments, calls, inFlight, 0, 1, system, null);
                    return new WarmUp.RoundResult(calls, round.stats().callsPerSecond() > 0
                            ? calls / round.stats().callsPerSecond()
                            : Double.POSITIVE_INFINITY, round.stats().errors(),
                            round
                                    .serverJitShare());
                }, "TypeScript warm-up", "the system's JIT", options.warmupJitPercent() / 100,
                        options.warmupMaxSeconds(), progress);
            }
            progress.printf("[bench] TypeScript MCP SDK client: get_file through the gateway, one"
                    + " session, %d in flight...%n", inFlight);
            TsClient.Run gateway = client.load("ts client get_file (MCP)", url, token, "get_file",
                    arguments, options.calls(), inFlight, options.tsWarmup(), 1, system,
                    progress);
            progress.printf("[bench] TypeScript MCP SDK client: echo of server-everything, one"
                    + " session, %d in flight...%n", inFlight);
            TsClient.Run baseline;
            try (TsClient.Baseline everything = client.startBaseline()) {
                baseline = client.load("ts client echo (server-everything)", everything.url(),
                        null, "echo", Map.of("message", "README.md"), options.calls(), inFlight,
                        options.tsWarmup(), 1, List.of(everything.measured()), progress);
            }
            return new TsSeries(inFlight, gateway.stats(), baseline.stats(), null, gateway
                    .cost(), baseline.cost(), warmUp);
        } catch (RuntimeException e) {
            progress.println("[bench] the TypeScript client's series did not run: " + e
                    .getMessage());
            return new TsSeries(inFlight, null, null, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TsSeries(inFlight, null, null, "interrupted during its warm-up");
        }
    }

    /** The processes that serve the gateway's calls: the system's, or this JVM if it holds it. */
    static List<ProcessStats.Measured> serving(SystemUnderTest system) {
        return system.processes().isEmpty()
                ? List.of(new ProcessStats.Measured("bench", ProcessHandle.current().pid()))
                : system.processes();
    }

    double ratio() {
        return gateway == null || baseline == null || baseline.callsPerSecond() == 0
                ? Double.NaN
                : gateway.callsPerSecond() / baseline.callsPerSecond();
    }

    String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "TypeScript MCP SDK client, one session, %d in"
                + " flight:%n", inFlight));
        if (note != null) {
            return out.append("  not measured: ").append(note).append('\n').toString();
        }
        out.append(LatencyStats.header()).append('\n');
        out.append(gateway.row()).append('\n');
        out.append(baseline.row()).append('\n');
        out.append(String.format(Locale.ROOT, "gateway get_file / server-everything echo calls/s:"
                + " %.2fx (goal %.1fx)%n", ratio(), GOAL));
        if (warmUp.rounds() > 0) {
            out.append(warmUpLine());
        }
        return out.append(costLine()).toString();
    }

    /** What the rounds before the gateway's series did. */
    String warmUpLine() {
        return warmUp.line("TypeScript warm-up until steady (get_file)",
                "the system's JIT's share of its CPU");
    }

    /**
     * What bounds the ratio on a machine whose cores both sides share: each side's CPU per call,
     * then the servers' context switches per call where both were counted (empty when not
     * measured).
     */
    String costLine() {
        if (gatewayCost == null || baselineCost == null) {
            return "";
        }
        String line = String.format(Locale.ROOT, "CPU ms per call over the measured calls:"
                + " get_file: TypeScript client %.3f + the system %s%s; echo: TypeScript client"
                + " %.3f + server-everything %s%n", gatewayCost.client(),
                millis(gatewayCost
                        .server()),
                Double.isNaN(gatewayCost.serverJit()) || Double.isNaN(gatewayCost.server())
                        ? ""
                        : String.format(Locale.ROOT, " (its JIT compilers %.3f)", gatewayCost
                                .serverJit()),
                baselineCost.client(), millis(baselineCost.server()));
        if (!Double.isNaN(gatewayCost.serverSwitches()) && !Double.isNaN(baselineCost
                .serverSwitches())) {
            line += String.format(Locale.ROOT, "context switches per call, server side:"
                    + " get_file: the system %.1f; echo: server-everything %.1f%n",
                    gatewayCost
                            .serverSwitches(),
                    baselineCost.serverSwitches());
        }
        if (gatewayCost.machine() != null && baselineCost.machine() != null) {
            // the ratio holds only if both series had the same machine: a host taking its CPUs
            // during one of them (steal) moves it
            line += String.format(Locale.ROOT, "the machine's CPUs: get_file busy %.0f%%, idle"
                    + " %.0f%%, stolen by the host %.1f%%; echo busy %.0f%%, idle %.0f%%, stolen"
                    + " %.1f%%%n", 100 * gatewayCost.machine().busy(),
                    100 * gatewayCost
                            .machine().idle(),
                    100 * gatewayCost.machine().steal(), 100 * baselineCost.machine().busy(),
                    100 * baselineCost.machine().idle(), 100 * baselineCost.machine().steal());
        }
        return line;
    }

    private static void put(ObjectNode node, TsClient.CallCost cost) {
        node.put("client", cost.client());
        if (!Double.isNaN(cost.server())) {
            node.put("server", cost.server());
        }
        if (!Double.isNaN(cost.serverJit())) {
            node.put("server_jit", cost.serverJit());
        }
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? "not measured" : String.format(Locale.ROOT, "%.3f", value);
    }

    String json() {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode().put("in_flight", inFlight).put("sessions", 1);
        if (note != null) {
            return root.put("note", note).toString();
        }
        root.set("gateway", mapper.readTree(gateway.json()));
        root.set("baseline", mapper.readTree(baseline.json()));
        if (warmUp.rounds() > 0) {
            warmUp.json(root.putObject("warm_up_until_steady"));
        }
        if (gatewayCost != null && baselineCost != null) {
            ObjectNode cost = root.putObject("cpu_ms_per_call");
            put(cost.putObject("gateway"), gatewayCost);
            put(cost.putObject("baseline"), baselineCost);
            if (!Double.isNaN(gatewayCost.serverSwitches()) && !Double.isNaN(baselineCost
                    .serverSwitches())) {
                root.putObject("server_context_switches_per_call").put("gateway", gatewayCost
                        .serverSwitches()).put("baseline", baselineCost.serverSwitches());
            }
            if (gatewayCost.machine() != null && baselineCost.machine() != null) {
                ObjectNode machine = root.putObject("machine_cpu");
                machine.set("gateway", MachineCpu.json(gatewayCost.machine(), mapper));
                machine.set("baseline", MachineCpu.json(baselineCost.machine(), mapper));
            }
        }
        return root.put("calls_per_s_over_baseline", ratio()).put("goal", GOAL).toString();
    }
}
