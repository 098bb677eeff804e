package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The goals' verdicts are arithmetic on the figures of one run; each bound is where it says. */
class GoalsTest {

    private static LatencyStats stats(String name, double p50, double p99, double callsPerSecond) {
        return new LatencyStats(name, 1000, 0, p50, p50, p99, p99, callsPerSecond);
    }

    /**
     * Kafka hop 1 / 10 ms (three hops 3 / 30); TypeScript 400 vs 1000 calls/s (0.4x); one in
     * flight 6.5 ms over a 0.5 ms direct read (6 ms added: 2.0x, on the bound); open loop p99 50
     * over 5 (45 added: 1.5x, on the bound); cold p50 30 over steady 10 (3.0x).
     */
    private static Goals.Figures figures(double tsCallsPerSecond) {
        TsSeries ts = new TsSeries(8, stats("ts get_file", 20, 40, tsCallsPerSecond), stats(
                "ts echo", 8, 20, 1000), null);
        return new Goals.Figures(8, stats("cold", 30, 90, 200), stats("kafka", 1, 10, 500),
                stats("direct 1", 0.5, 2, 1500), stats("direct 500", 0.4, 5, 500), WarmUp.Summary
                        .none(),
                stats("steady", 10, 40, 600), List.of(new ProcessStats.Usage("system", 7, 1024,
                        1000, 1000, 4000, Map.of(ThreadComponents.JIT, 400.0), 0)),
                BrokerRequests.between(new BrokerRequests.Sample(Map.of("Produce", 10L, "EndTxn",
                        0L), Map.of()), new BrokerRequests.Sample(
                                Map.of("Produce", 2010L, "EndTxn",
                                        250L),
                                Map.of("gateway.requests", 1000L)),
                        1000),
                stats("one", 6.5, 20, 150), BrokerRequests.Delta.notMeasured(
                        "AttachNotSupportedException: no such process"),
                stats("open", 2, 50, 500), ts, "standalone system in one child JVM", null);
    }

    @Test
    void eachGoalIsJudgedOnItsOwnFigureAndBound() {
        List<Goals.Goal> goals = Goals.goals(figures(400));

        assertThat(goals).extracting(Goals.Goal::value).containsExactly(0.4, 2.0, 1.5, 3.0);
        assertThat(goals).extracting(Goals.Goal::met).containsExactly(false, true, true, false);
        assertThat(Goals.goals(figures(800)).getFirst().met()).as("0.8x reaches the goal")
                .isTrue();
    }

    @Test
    void theTableAndTheJsonSayEveryVerdict() {
        Goals.Figures figures = figures(400);

        String table = Goals.table(figures);
        JsonNode json = JsonMapper.builder().build().readTree(Goals.json(figures));

        assertThat(table).contains("TypeScript client, 1 session, 8 in flight").contains(
                "0.40x").contains(">= 0.8x").contains("NOT met").contains("the first 1,000 calls")
                .contains("3.00x").contains("CPU ms/call").contains(
                        "broker requests per call: 2.25 (Produce 2.00, EndTxn 0.25)")
                .contains(
                        "with one call in flight (one request per transaction):\n"
                                + "broker per call: not measured (AttachNotSupported");
        assertThat(json.get("goals")).hasSize(4);
        assertThat(json.get("goals").get(3).get("value").asDouble()).isEqualTo(3.0);
        assertThat(json.get("goals").get(3).get("met").asBoolean()).isFalse();
        assertThat(json.get("steady_cpu_ms_per_call").get("system").asDouble()).isEqualTo(4.0);
        assertThat(json.get("series")).hasSize(9);
        assertThat(json.get("steady_broker_per_call").get("transaction_requests_per_call")
                .asDouble()).isEqualTo(0.25);
        assertThat(json.get("one_in_flight_broker_per_call").get("not_measured").asString())
                .startsWith("AttachNotSupportedException");
    }

    @Test
    void withoutTheTypeScriptClientItsGoalIsNotMeasuredNotFailed() {
        Goals.Figures measured = figures(400);
        Goals.Figures without = new Goals.Figures(8, measured.cold(), measured.kafka(), measured
                .directOne(), measured.directOpen(), measured.warmUp(), measured.steady(),
                measured.steadyUsages(), measured.steadyBroker(), measured.one(), measured
                        .oneBroker(),
                measured.open(), new TsSeries(8, null,
                        null, "Node.js 20+ is not on the PATH"),
                measured.system(), null);

        assertThat(Goals.goals(without).getFirst().met()).isFalse();
        assertThat(Goals.table(without)).contains("not measured").contains(
                "TypeScript client not measured: Node.js 20+ is not on the PATH");
        assertThat(JsonMapper.builder().build().readTree(Goals.json(without)).path(
                "typescript_client").path("note").asString()).isEqualTo(
                        "Node.js 20+ is not on the PATH");
        assertThat(without.errors()).isZero();
    }

    @Test
    void theTypeScriptGoalComesWithWhatACallCostEachSide() {
        Goals.Figures measured = figures(400);
        Goals.Figures withCosts = new Goals.Figures(8, measured.cold(), measured.kafka(),
                measured.directOne(), measured.directOpen(), measured.warmUp(), measured.steady(),
                measured.steadyUsages(), measured.steadyBroker(), measured.one(), measured
                        .oneBroker(),
                measured.open(), new TsSeries(8, measured.ts().gateway(), measured.ts()
                        .baseline(), null, new TsClient.CallCost(1.2, 3.9),
                        new TsClient.CallCost(
                                0.9, 0.8),
                        new WarmUp.Summary(7518, 22.4, 3, 0.099, 0.10, true)),
                measured.system(), null);

        assertThat(Goals.table(withCosts)).contains("CPU ms per call over the measured calls:"
                + " get_file: TypeScript client 1.200 + the system 3.900; echo: TypeScript client"
                + " 0.900 + server-everything 0.800");
        JsonNode cost = JsonMapper.builder().build().readTree(Goals.json(withCosts)).path(
                "typescript_client").path("cpu_ms_per_call");
        assertThat(cost.path("gateway").path("server").asDouble()).isEqualTo(3.9);
        assertThat(cost.path("baseline").path("client").asDouble()).isEqualTo(0.9);
        assertThat(Goals.table(withCosts)).contains("TypeScript warm-up until steady (get_file):"
                + " 7518 calls in 22 s (3 rounds); the system's JIT's share of its CPU in the last"
                + " round 9.9% (reached 10.0%)");
        assertThat(Goals.table(measured)).as("a series without costs prints no cost line")
                .doesNotContain("CPU ms per call over the measured calls").doesNotContain(
                        "TypeScript warm-up");
    }

    @Test
    void eachSeriesStealIsListedAndASeriesTheHostTookFromIsNoted() throws Exception {
        Goals.Figures measured = figures(400);
        java.util.Map<String, MachineCpu.Shares> machines = new java.util.LinkedHashMap<>();
        machines.put("cold: first 1000 calls", new MachineCpu.Shares(0.8, 0.1, 0.02, 0.08, 0,
                0.001, 2));
        machines.put("steady, 8 in flight", new MachineCpu.Shares(0.5, 0.15, 0.02, 0.2, 0, 0.133,
                2));
        Goals.Figures withSteal = new Goals.Figures(8, measured.cold(), measured.kafka(),
                measured.directOne(), measured.directOpen(), measured.warmUp(), measured.steady(),
                measured.steadyUsages(), measured.steadyBroker(), measured.one(), measured
                        .oneBroker(),
                measured.open(), measured.ts(), measured.system(), null, null, null, machines);

        String table = Goals.table(withSteal);

        assertThat(table).contains("the host's share of the CPUs (steal) per series: cold: first"
                + " 1000 calls 0.1%; steady, 8 in flight 13.3%").contains("NOTE: the host took"
                        + " 13.3% of the CPUs during \"steady, 8 in flight\"")
                .doesNotContain(
                        "during \"cold");
        assertThat(JsonMapper.builder().build().readTree(Goals.json(withSteal)).path(
                "steal_by_series").path("steady, 8 in flight").asDouble()).isEqualTo(0.133);
        assertThat(Goals.table(measured)).doesNotContain("steal");

        java.util.Map<String, MachineCpu.Shares> watched = new java.util.LinkedHashMap<>();
        LatencyStats stats = Goals.watched(watched, () -> {
            Thread.sleep(100); // /proc/stat counts in ticks of 10 ms
            return stats("a series", 1, 2, 3);
        });
        assertThat(stats.name()).isEqualTo("a series");
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) {
            assertThat(watched).containsOnlyKeys("a series");
        }
    }

    @Test
    void theSteadySeriesContextSwitchesArePricedAtTheMachinesWakeUpCost() {
        Goals.Figures measured = figures(400);
        ProcessStats.Usage counted = new ProcessStats.Usage("system", 7, 1024, 1000, 1000, 4000,
                Map.of(ThreadComponents.BROKER, 1500.0), 0, 40_000,
                Map.of(ThreadComponents.BROKER, 15_000L));
        Goals.Figures withSwitches = new Goals.Figures(8, measured.cold(), measured.kafka(),
                measured.directOne(), measured.directOpen(), measured.warmUp(), measured.steady(),
                List.of(counted), measured.steadyBroker(), measured.one(), measured.oneBroker(),
                measured.open(), measured.ts(), measured.system(), null, new WakeUps.Cost(40_000,
                        9.5, 14.0, 39_000),
                new MachineCpu.Shares(0.8, 0.1, 0.02, 0.05, 0, 0.03, 2), Map.of());

        String table = Goals.table(withSwitches);
        JsonNode json = JsonMapper.builder().build().readTree(Goals.json(withSwitches));

        assertThat(table).contains("context switches/call: 40.00 (broker 15.00)").contains(
                "one thread waking another: 9.5 µs of the two threads' CPU per hand-off").contains(
                        "system 40.0 switches per call ≈ 0.380 of its 4.000 CPU ms");
        assertThat(json.path("steady_context_switches_per_call").path("system").asDouble())
                .isEqualTo(40.0);
        assertThat(json.path("wake_up").path("cpu_us_per_hand_off").asDouble()).isEqualTo(9.5);
        assertThat(table).contains("the machine's 2 CPUs over the series: busy 92%");
        assertThat(json.path("steady_machine_cpu").path("steal").asDouble()).isEqualTo(0.03);
        assertThat(Goals.table(measured)).as("no wake-up cost or shares measured: no lines")
                .doesNotContain("waking another").doesNotContain("the machine's");
    }

    @Test
    void theKafkaFloorSaysWhatTheThroughputGoalsLeaveTheSystemBesidesIt() {
        Goals.Figures measured = figures(400);
        TsSeries ts = new TsSeries(8, measured.ts().gateway(), measured.ts().baseline(), null,
                new TsClient.CallCost(1.2, 3.9), new TsClient.CallCost(0.9, 0.8));
        KafkaRelay.Result relay = new KafkaRelay.Result(stats("kafka relay, 8 in flight", 2, 5,
                900), 0.42, 0.02, 0.6, 0.05, null);
        Goals.Figures withRelay = new Goals.Figures(8, measured.cold(), measured.kafka(), measured
                .directOne(), measured.directOpen(), measured.warmUp(), measured.steady(),
                measured.steadyUsages(), measured.steadyBroker(), measured.one(), measured
                        .oneBroker(),
                measured.open(), ts, measured.system(), null, null, new MachineCpu.Shares(0.8,
                        0.1, 0.02, 0.08, 0, 0.0, 2),
                Map.of("open", new MachineCpu.Shares(0.8, 0.15, 0.02, 0.02, 0, 0.01, 2)), relay,
                new KafkaRelay.Result(stats("kafka relay, 8 in flight, txn", 4,
                        9, 600), 0.57, 0.02, 0.85, 0.05, null, 3.5));

        String table = Goals.table(withRelay);
        JsonNode json = JsonMapper.builder().build().readTree(Goals.json(withRelay));

        // 0.8 x 1000 echo calls/s = 800 calls/s: 2 CPUs give each 2.5 ms; the client takes 1.2,
        // the system may spend 1.3; the hops take 1.0 of it, 0.3 is left for everything else
        assertThat(table).contains("kafka relay, 8 in flight").contains("3 Kafka hops relayed,"
                + " kafka relay, 8 in flight: CPU ms per call: the clients 0.420 less their JIT"
                + " 0.020 + the broker 0.600 = 1.000")
                .contains("the TypeScript goal's budget: 0.8x echo's calls/s"
                        + " is 800.0 calls/s, at which the 2 CPUs give each call 2.500 CPU ms;"
                        + " the TypeScript client takes 1.200, leaving the system 1.300, of"
                        + " which 3 bare Kafka hops take 1.000 and everything else it does"
                        + " 0.300 (it spends 3.900 now: 2.900 besides the hops)")
                .contains("  3.50 calls per transaction\nthe second hop in a transaction, as the"
                        + " decision worker keeps it, adds 0.400 CPU ms per call (the clients"
                        + " +0.150, the broker +0.250)")
                // 500 calls/s x 1.0 ms = 0.5 CPU of 2
                .contains("at 500 calls/s (the open loop; 500.0 carried) the machine's 2 CPUs"
                        + " were 97% busy, 2% idle, 1.0% stolen by the host; the 3 bare Kafka"
                        + " hops at that rate would keep 25% of them busy");
        assertThat(json.path("kafka_relay").path("floor_cpu_ms_per_call").asDouble()).isEqualTo(
                1.0);
        assertThat(json.path("kafka_relay").path("typescript_goal_budget").path(
                "system_cpu_ms_per_call").asDouble()).isCloseTo(1.3, org.assertj.core.data.Offset
                        .offset(1e-9));
        assertThat(json.path("kafka_relay_transactional").path("calls_per_transaction")
                .asDouble()).isEqualTo(3.5);
        assertThat(json.path("series")).hasSize(11);
        assertThat(Goals.table(measured)).as("no relay: no floor lines").doesNotContain(
                "Kafka floor under each call");
    }

    @Test
    void theColdGoalIsJudgedAgainOnAStartFromTheAotCache() {
        Goals.Figures measured = figures(400);
        Goals.AotStart aot = new Goals.AotStart(stats("cold: first 1000 calls, AOT cache", 20,
                60, 300), java.time.Duration.ofMillis(5_100), java.time.Duration.ofMillis(9_300),
                6_000, new AotCache.Created(162_000_000L, 8.4), new MachineCpu.Shares(0.8,
                        0.1, 0.02, 0.08, 0, 0.031, 2));
        Goals.Figures fromCache = new Goals.Figures(8, measured.cold(), measured.kafka(), measured
                .directOne(), measured.directOpen(), measured.warmUp(), measured.steady(),
                measured.steadyUsages(), measured.steadyBroker(), measured.one(), measured
                        .oneBroker(),
                measured.open(), measured.ts(), measured.system(), null, null, null, Map.of(),
                null, null, aot);

        List<Goals.Goal> goals = Goals.goals(fromCache);
        String table = Goals.table(fromCache);
        JsonNode json = JsonMapper.builder().build().readTree(Goals.json(fromCache));

        // cold p50 30 (the goals' own start) and 20 (from the cache) over steady 10
        assertThat(goals).extracting(Goals.Goal::value).containsExactly(0.4, 2.0, 1.5, 3.0,
                2.0);
        assertThat(goals).extracting(Goals.Goal::met).containsExactly(false, true, true, false,
                true);
        assertThat(goals.get(3).name()).isEqualTo("the first 1,000 calls after start, 8 in flight");
        assertThat(goals.get(4).name()).isEqualTo("the same from JDK 25's AOT cache");
        assertThat(table).contains("JDK 25's AOT cache: trained by a first start on 6,000 calls"
                + " (recording), assembled in 8.4 s (162 MB); a second start from it was ready"
                + " 5.1 s after its JVM started and ran \"cold: first 1000 calls, AOT cache\";"
                + " the start every other series ran on, without it, was ready after 9.3 s")
                .contains("cold: first 1000 calls, AOT cache     1000");
        assertThat(json.path("goals")).hasSize(5);
        assertThat(json.path("aot_cache").path("ready_with_ms").asLong()).isEqualTo(5_100);
        assertThat(json.path("aot_cache").path("cold_p50_ms").asDouble()).isEqualTo(20.0);
        assertThat(json.path("aot_cache").path("bytes").asLong()).isEqualTo(162_000_000L);
        assertThat(json.path("series")).hasSize(10);
        // the start from the cache is one series more whose machine counts
        assertThat(table).contains("the host's share of the CPUs (steal) per series: cold: first"
                + " 1000 calls, AOT cache 3.1%").contains("NOTE: the host took 3.1% of the CPUs"
                        + " during \"cold: first 1000 calls, AOT cache\"");
        assertThat(fromCache.errors()).isZero();
        assertThat(Goals.goals(measured)).as("no cache: the four goals").hasSize(4);
    }

    @Test
    void goalsRunTheirOwnSeriesAndRefuseWhatWouldChangeThem() {
        assertThat(Bench.Options.parse(new String[]{"--goals", "--calls", "5000"}).goals())
                .isTrue();
        for (String[] args : List.of(new String[]{"--goals", "--rate", "500"}, new String[]{
                "--goals", "--latency-ms", "100"}, new String[]{"--goals", "--ts-client", "0"},
                new String[]{"--goals", "--target", "http://127.0.0.1:1", "--token", "t"})) {
            assertThatThrownBy(() -> Bench.Options.parse(args)).as(String.join(" ", args))
                    .hasMessageContaining("--goals runs its own series");
        }
    }
}
