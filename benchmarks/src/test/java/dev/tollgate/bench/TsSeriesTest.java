package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The TypeScript series' report: the ratio, and what a call cost each side. */
class TsSeriesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static LatencyStats stats(String name, double callsPerSecond) {
        return new LatencyStats(name, 1000, 0, 20, 20, 40, 40, callsPerSecond);
    }

    @Test
    void eachSidesCpuPerCallIsReportedBesideTheRatio() {
        TsSeries ts = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900), null,
                new TsClient.CallCost(1.25, 3.5), new TsClient.CallCost(1.1, 1.0));

        assertThat(ts.ratio()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ts.table()).contains("0.33x (goal 0.8x)").contains(
                "get_file: TypeScript client 1.250 + the system 3.500; echo: TypeScript client"
                        + " 1.100 + server-everything 1.000");
        JsonNode cost = JSON.readTree(ts.json()).path("cpu_ms_per_call");
        assertThat(cost.path("gateway").path("client").asDouble()).isEqualTo(1.25);
        assertThat(cost.path("gateway").path("server").asDouble()).isEqualTo(3.5);
        assertThat(cost.path("baseline").path("server").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aServerNotMeasuredSaysSoInsteadOfAFigure() {
        TsSeries ts = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900), null,
                new TsClient.CallCost(1.25, Double.NaN), new TsClient.CallCost(1.1, 1.0));

        assertThat(ts.costLine()).contains("the system not measured");
        JsonNode gateway = JSON.readTree(ts.json()).path("cpu_ms_per_call").path("gateway");
        assertThat(gateway.has("server")).isFalse();
        assertThat(gateway.path("client").asDouble()).isEqualTo(1.25);
    }

    @Test
    void theServersContextSwitchesPerCallFollowTheirCpu() {
        TsSeries ts = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900), null,
                new TsClient.CallCost(1.25, 3.5, 41.26), new TsClient.CallCost(1.1, 1.0, 1.94));

        assertThat(ts.costLine()).contains("context switches per call, server side: get_file:"
                + " the system 41.3; echo: server-everything 1.9");
        JsonNode switches = JSON.readTree(ts.json()).path("server_context_switches_per_call");
        assertThat(switches.path("gateway").asDouble()).isEqualTo(41.26);
        assertThat(switches.path("baseline").asDouble()).isEqualTo(1.94);
        assertThat(ts.costLine()).as("no machine shares measured").doesNotContain(
                "the machine's CPUs");
        TsSeries uncounted = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900),
                null, new TsClient.CallCost(1.25, 3.5, 41.26), new TsClient.CallCost(1.1, 1.0));
        assertThat(uncounted.costLine()).doesNotContain("context switches");
        assertThat(JSON.readTree(uncounted.json()).has("server_context_switches_per_call"))
                .isFalse();
    }

    @Test
    void eachSeriesSaysWhatTheMachineDidMeanwhileStealIncluded() {
        TsSeries ts = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 420), null,
                new TsClient.CallCost(1.25, 3.5, 41.0, new MachineCpu.Shares(0.7, 0.15, 0.03,
                        0.12, 0, 0, 2)),
                new TsClient.CallCost(1.1, 1.0, 0.9, new MachineCpu.Shares(0.5, 0.1, 0.01, 0.27,
                        0, 0.12, 2)));

        assertThat(ts.costLine()).contains("the machine's CPUs: get_file busy 88%, idle 12%,"
                + " stolen by the host 0.0%; echo busy 61%, idle 27%, stolen 12.0%");
        JsonNode machine = JSON.readTree(ts.json()).path("machine_cpu");
        assertThat(machine.path("baseline").path("steal").asDouble()).isEqualTo(0.12);
        assertThat(machine.path("gateway").path("busy").asDouble()).isCloseTo(0.88,
                org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void seriesWithoutCostsPrintNoCostLine() {
        TsSeries ts = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900), null);

        assertThat(ts.costLine()).isEmpty();
        assertThat(ts.table()).doesNotContain("CPU ms per call");
        assertThat(JSON.readTree(ts.json()).has("cpu_ms_per_call")).isFalse();
    }

    @Test
    void theSystemsJitIsShownWithinItsCpuAndTheWarmUpRoundsBesideTheRatio() {
        WarmUp.Summary rounds = new WarmUp.Summary(16_000, 41.6, 3, 0.072, 0.10, true);
        TsSeries ts = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900), null,
                new TsClient.CallCost(1.25, 3.5, 41.0, 0.61, null), new TsClient.CallCost(1.1,
                        1.0),
                rounds);

        assertThat(ts.costLine()).contains("get_file: TypeScript client 1.250 + the system 3.500"
                + " (its JIT compilers 0.610); echo: TypeScript client 1.100 + server-everything"
                + " 1.000");
        assertThat(ts.table()).contains("TypeScript warm-up until steady (get_file): 16000 calls"
                + " in 42 s (3 rounds); the system's JIT's share of its CPU in the last round"
                + " 7.2% (reached 10.0%)");
        JsonNode json = JSON.readTree(ts.json());
        assertThat(json.path("cpu_ms_per_call").path("gateway").path("server_jit").asDouble())
                .isEqualTo(0.61);
        assertThat(json.path("cpu_ms_per_call").path("baseline").has("server_jit")).isFalse();
        assertThat(json.path("warm_up_until_steady").path("rounds").asInt()).isEqualTo(3);
        assertThat(json.path("warm_up_until_steady").path("jit_share_last_round").asDouble())
                .isEqualTo(0.072);

        TsSeries unwarmed = new TsSeries(8, stats("ts get_file", 300), stats("ts echo", 900),
                null, new TsClient.CallCost(1.25, 3.5), new TsClient.CallCost(1.1, 1.0));
        assertThat(unwarmed.table()).doesNotContain("warm-up").doesNotContain("JIT");
        assertThat(JSON.readTree(unwarmed.json()).has("warm_up_until_steady")).isFalse();
    }
}
