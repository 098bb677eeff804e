package dev.tollgate.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark command: the gateway against its floors, measured in one run on one machine.
 *
 * <pre>
 * ./mvnw -pl benchmarks -am -DskipTests install
 * ./mvnw -pl benchmarks exec:exec@bench -Dbench.args="--calls 2000 --concurrency 16 --latency-ms 0"
 * </pre>
 */
public final class Bench {

    record Options(int calls, int concurrency, long latencyMillis, boolean json,
            String kafka) {

        static Options parse(String[] args) {
            int calls = 2000;
            int concurrency = 16;
            long latency = 0;
            boolean json = false;
            String kafka = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--calls" -> calls = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--latency-ms" -> latency = Long.parseLong(args[++i]);
                    case "--json" -> json = true;
                    case "--kafka" -> kafka = args[++i];
                    case "--help" -> {
                        System.out.println("bench [--calls N] [--concurrency C] [--latency-ms L] "
                                + "[--kafka HOST:PORT] [--json]");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (calls < 1 || concurrency < 1 || latency < 0) {
                throw new IllegalArgumentException("--calls and --concurrency must be positive, "
                        + "--latency-ms not negative");
            }
            return new Options(calls, concurrency, latency, json, kafka);
        }
    }

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        PrintStream progress = System.err;
        List<LatencyStats> series = new ArrayList<>();
        try (GitHubStandIn github = new GitHubStandIn(options.latencyMillis());
                var launcher = BenchSystem.start(options, github)) {
            progress.printf("[bench] GitHub stand-in at %s with %d ms latency%n", github.baseUrl(),
                    options.latencyMillis());
            progress.println("[bench] measuring the Kafka floor (one produce->consume hop)...");
            LatencyStats kafka = KafkaFloor.measure(launcher.bootstrapServers(), Math.min(
                    options.calls(), 2000), 512);
            series.add(kafka);
            progress.println("[bench] measuring the direct floor...");
            series.add(DirectFloor.measure(github.baseUrl(), options.calls(), options
                    .concurrency()));
            print(options, series, kafka);
        }
    }

    private static void print(Options options, List<LatencyStats> series, LatencyStats kafka) {
        if (options.json()) {
            System.out.println("{\"calls\":" + options.calls() + ",\"concurrency\":" + options
                    .concurrency() + ",\"latency_ms\":" + options.latencyMillis() + ",\"series\":["
                    + String.join(",", series.stream().map(LatencyStats::json).toList()) + "]}");
            return;
        }
        System.out.println(LatencyStats.header());
        series.forEach(s -> System.out.println(s.row()));
        System.out.printf(Locale.ROOT, "three Kafka hops (p50 / p99): %.2f / %.2f ms%n", 3
                * kafka.p50Millis(), 3 * kafka.p99Millis());
    }
}
