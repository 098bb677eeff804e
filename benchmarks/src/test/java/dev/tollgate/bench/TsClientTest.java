package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript MCP SDK client and server-everything, the real npm packages (installed by
 * {@code npm ci} from the pinned lock file), driving each other on loopback.
 */
class TsClientTest {

    private static final Path WORK = Path.of("target", "bench-ts-client").toAbsolutePath();

    @Test
    void theClientDrivesServerEverythingAndReportsEveryCall() {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8);
        TsClient client = TsClient.install(WORK, out);

        TsClient.Run run;
        try (TsClient.Baseline everything = client.startBaseline()) {
            run = client.load("echo", everything.url(), null, "echo", Map.of("message", "hi"),
                    300, 4, 50, 2, List.of(everything.measured()), out);
        }
        LatencyStats echo = run.stats();

        assertThat(echo.calls()).isEqualTo(300);
        assertThat(echo.errors()).as(progress.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(echo.callsPerSecond()).isPositive();
        assertThat(echo.p50Millis()).isPositive().isLessThanOrEqualTo(echo.p99Millis());
        assertThat(echo.p99Millis()).isLessThanOrEqualTo(echo.maxMillis());
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains(
                "[bench-ts] measuring: 300 calls of echo, 4 in flight, 2 session(s)");
        // each side's CPU over the measured calls: both did work, neither is implausibly large
        // (300 calls in a second or more of CPU each would be over 3 ms a call)
        assertThat(run.clientCpuMillis()).isPositive().isLessThan(10_000);
        assertThat(run.serverCpuMillis()).isPositive().isLessThan(10_000);
        assertThat(run.cost().client()).isEqualTo(run.clientCpuMillis() / 300);
        assertThat(run.cost().server()).isEqualTo(run.serverCpuMillis() / 300);
        // the server's threads slept and woke for the calls: some switches, not thousands a call
        assertThat(run.serverSwitches()).isPositive().isLessThan(300 * 1_000);
        assertThat(run.cost().serverSwitches()).isEqualTo(run.serverSwitches() / 300.0);
        assertThat(run.cost().serverJit()).as("a Node.js server: no JIT threads to count").isNaN();
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) {
            assertThat(run.machine()).as("the machine's CPU over the measured calls").isNotNull();
            assertThat(run.machine().busy()).isPositive().isLessThanOrEqualTo(1.0);
            assertThat(run.cost().machine()).isSameAs(run.machine());
        }
    }

    @Test
    void aServerWhoseCpuCannotBeReadIsNotMeasuredRatherThanZero() {
        TsClient client = TsClient.install(WORK, new PrintStream(PrintStream.nullOutputStream()));

        TsClient.Run run;
        try (TsClient.Baseline everything = client.startBaseline()) {
            // no such process: its CPU cannot be read
            run = client.load("echo", everything.url(), null, "echo", Map.of("message", "hi"),
                    20, 2, 0, 1, List.of(new ProcessStats.Measured("gone", Long.MAX_VALUE)),
                    new PrintStream(PrintStream.nullOutputStream()));
        }

        assertThat(run.serverCpuMillis()).isEqualTo(-1);
        assertThat(run.cost().server()).isNaN();
        assertThat(run.serverSwitches()).isEqualTo(-1);
        assertThat(run.cost().serverSwitches()).isNaN();
        assertThat(run.cost().serverJit()).isNaN();
        assertThat(run.serverJitShare()).isNaN();
        assertThat(run.cost().client()).isPositive();
    }

    @Test
    void callsTheServerRefusesAreCountedAsErrors() {
        TsClient client = TsClient.install(WORK, new PrintStream(PrintStream.nullOutputStream()));

        LatencyStats unknown;
        try (TsClient.Baseline everything = client.startBaseline()) {
            unknown = client.load("unknown tool", everything.url(), null, "no_such_tool", Map
                    .of(), 20, 2, 0, 1, List.of(),
                    new PrintStream(PrintStream
                            .nullOutputStream()))
                    .stats();
        }

        assertThat(unknown.calls()).isEqualTo(20);
        assertThat(unknown.errors()).isEqualTo(20);
    }

    @Test
    void theBaselineListensOnLoopbackOnly() throws IOException {
        TsClient client = TsClient.install(WORK, new PrintStream(PrintStream.nullOutputStream()));
        Optional<InetAddress> outside = Collections.list(NetworkInterface.getNetworkInterfaces())
                .stream().flatMap(NetworkInterface::inetAddresses).filter(
                        address -> address instanceof Inet4Address && !address.isLoopbackAddress())
                .findFirst();

        try (TsClient.Baseline everything = client.startBaseline()) {
            int port = URI.create(everything.url()).getPort();
            try (Socket loopback = new Socket()) {
                loopback.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            }
            // machines without another interface have nothing else to try
            for (InetAddress address : outside.map(List::of).orElse(List.of())) {
                assertThatThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(address, port), 2_000);
                    }
                }).as("server-everything reached at %s:%d", address.getHostAddress(), port)
                        .isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void theServersJitIsCountedOnlyWhereEveryServerWasReadAndOneIsAJvm() {
        var jvm = new ProcessStats.Measured("system", 7);
        var node = new ProcessStats.Measured("server-everything", 8);
        var jvmThreads = new ProcessStats.Sample(100, 0, Map.of(1L, new ProcessStats.ThreadSample(
                "C2 CompilerThre", 40), 2L, new ProcessStats.ThreadSample("tomcat-handler", 60)));
        var nodeThreads = new ProcessStats.Sample(100, 0, Map.of(1L, new ProcessStats.ThreadSample(
                "node", 90), 2L, new ProcessStats.ThreadSample("V8Worker", 10)));
        var jvmUsage = new ProcessStats.Usage("system", 7, 0, 0, 0, 1000, Map.of(
                ThreadComponents.JIT, 400.0, ThreadComponents.INGRESS, 600.0), 0);
        var nodeUsage = new ProcessStats.Usage("server-everything", 8, 0, 0, 0, 1000, Map.of(
                ThreadComponents.OTHER, 1000.0), 0);

        assertThat(TsClient.jitMillis(List.of(jvmUsage), Map.of(jvm, jvmThreads), 1))
                .isEqualTo(400.0);
        assertThat(TsClient.jitMillis(List.of(nodeUsage), Map.of(node, nodeThreads), 1))
                .as("Node.js has no compiler threads the bench can tell apart").isNaN();
        assertThat(TsClient.jitMillis(List.of(jvmUsage), Map.of(jvm, jvmThreads), 2))
                .as("one of two servers not read").isNaN();
        assertThat(TsClient.jitMillis(List.of(), Map.of(), 0)).isNaN();

        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self/task"))) {
            // a real JVM (this one): its compiler threads are found by their names
            var self = new ProcessStats.Measured("bench", ProcessHandle.current().pid());
            var before = ProcessStats.sampleAll(List.of(self));
            var after = ProcessStats.sampleAll(List.of(self));
            assertThat(TsClient.jitMillis(ProcessStats.usages(List.of(self), before, after), after,
                    1)).isNotNaN().isNotNegative();
        }

        var run = new TsClient.Run(LatencyStats.of("get_file", new long[]{1_000_000, 2_000_000},
                0, 1_000_000_000L), 10, 1000, 50, 400, null);
        assertThat(run.serverJitShare()).isEqualTo(0.4);
        assertThat(run.cost().serverJit()).isEqualTo(200.0);
    }
}
