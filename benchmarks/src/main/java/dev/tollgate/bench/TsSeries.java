package dev.tollgate.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The TypeScript MCP SDK client's series: the gateway's {@code get_file} and server-everything's
 * {@code echo} (an MCP server doing nothing), one session each, the same calls in flight, one
 * after the other in the same run. {@code note} says why there are none when the client could not
 * run; the rest of the bench stands without them.
 */
record TsSeries(int inFlight, LatencyStats gateway, LatencyStats baseline, String note) {

    /** The goal: get_file through the gateway at 0.8x or more of echo's calls/s. */
    static final double GOAL = 0.8;

    static TsSeries measure(Bench.Options options, String gatewayUrl, String token,
            PrintStream progress) {
        int inFlight = options.tsClient();
        try {
            TsClient client = TsClient.install(TsClient.defaultFolder(), progress);
            progress.printf("[bench] TypeScript MCP SDK client: get_file through the gateway, one"
                    + " session, %d in flight...%n", inFlight);
            LatencyStats gateway = client.load("ts client get_file (MCP)", gatewayUrl + "/mcp",
                    token, "get_file", Map.of("owner", options.owner(0), "repo", options.repo(
                            0), "path", "README.md"),
                    options.calls(), inFlight, options.warmup(), 1, progress);
            progress.printf("[bench] TypeScript MCP SDK client: echo of server-everything, one"
                    + " session, %d in flight...%n", inFlight);
            LatencyStats baseline;
            try (TsClient.Baseline everything = client.startBaseline()) {
                baseline = client.load("ts client echo (server-everything)", everything.url(),
                        null, "echo", Map.of("message", "README.md"), options.calls(), inFlight,
                        options.warmup(), 1, progress);
            }
            return new TsSeries(inFlight, gateway, baseline, null);
        } catch (RuntimeException e) {
            progress.println("[bench] the TypeScript client's series did not run: " + e
                    .getMessage());
            return new TsSeries(inFlight, null, null, e.getMessage());
        }
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
        return out.toString();
    }

    String json() {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode().put("in_flight", inFlight).put("sessions", 1);
        if (note != null) {
            return root.put("note", note).toString();
        }
        root.set("gateway", mapper.readTree(gateway.json()));
        root.set("baseline", mapper.readTree(baseline.json()));
        return root.put("calls_per_s_over_baseline", ratio()).put("goal", GOAL).toString();
    }
}
