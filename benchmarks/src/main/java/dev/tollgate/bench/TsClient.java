package dev.tollgate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official TypeScript MCP SDK client (the one most agents embed), driving a server from a
 * Node.js child process ({@code load.mjs}), and server-everything, an MCP server doing nothing,
 * as the baseline measured beside the gateway in the same run. Both are pinned npm packages
 * ({@code package-lock.json}), installed with {@code npm ci} into a folder of the caller's own
 * (never a shared temporary folder another user could plant packages in) the first time and
 * whenever the lock file changes.
 */
final class TsClient {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String RESOURCES = "/dev/tollgate/bench/ts-client/";
    private static final List<String> FILES = List.of("package.json", "package-lock.json",
            "load.mjs", "loopback.cjs");

    private final Path work;

    private TsClient(Path work) {
        this.work = work;
    }

    /** Where the client is installed unless told otherwise: under the working directory. */
    static Path defaultFolder() {
        return Path.of(".tollgate", "bench-ts-client").toAbsolutePath();
    }

    /**
     * Installs the client into {@code work}; fails with what to do when Node.js 20+ and npm are
     * missing or the npm registry cannot be reached.
     */
    static TsClient install(Path work, PrintStream progress) {
        try {
            // .tollgate/ is the standalone's data folder: created 0700 if this makes it
            dev.tollgate.runtime.security.PrivateFolders.create(work);
            byte[] lock = resource("package-lock.json");
            Path stamp = work.resolve("installed-package-lock.json");
            boolean current = Files.isRegularFile(work.resolve("node_modules/.package-lock.json"))
                    && Files.isRegularFile(stamp) && Arrays.equals(Files.readAllBytes(stamp),
                            lock);
            for (String file : FILES) {
                Files.write(work.resolve(file), resource(file));
            }
            if (!current) {
                progress.printf("[bench] installing the TypeScript MCP SDK client and"
                        + " server-everything (npm ci) in %s...%n", work);
                run(work, 600, Map.of(), "npm", "ci", "--no-audit", "--no-fund",
                        "--loglevel=error");
                Files.write(stamp, lock);
            }
            return new TsClient(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TsClient.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("the benchmark jar lacks " + RESOURCES + name);
            }
            return in.readAllBytes();
        }
    }

    /**
     * One series and what its measured calls cost: the client's CPU (its own count) and the
     * server's CPU and context switches, every process in {@code servers} from the moment the
     * client says it begins measuring to its end; -1 where the server's could not be read. {@code
     * serverJitMillis} is the part of the server's CPU its JIT compilers used (NaN where the
     * server has none, as a Node.js server, or its threads could not be read).
     */
    record Run(LatencyStats stats, double clientCpuMillis, double serverCpuMillis,
            long serverSwitches, double serverJitMillis, MachineCpu.Shares machine) {

        /** The client's and the server's CPU ms per measured call, the server's switches. */
        CallCost cost() {
            return new CallCost(clientCpuMillis / stats.calls(), serverCpuMillis < 0
                    ? Double.NaN
                    : serverCpuMillis / stats.calls(),
                    serverSwitches < 0
                            ? Double.NaN
                            : (double) serverSwitches / stats.calls(),
                    serverJitMillis / stats.calls(), machine);
        }

        /** The server's JIT compilers' share of its CPU over the measured calls (NaN: unknown). */
        double serverJitShare() {
            return serverCpuMillis <= 0 ? Double.NaN : serverJitMillis / serverCpuMillis;
        }
    }

    /**
     * CPU ms per call of the client and of the server, the server's context switches per call
     * and its JIT compilers' CPU ms per call (NaN: not measured), and the machine's CPU shares
     * over the measured calls (null: not measured).
     */
    record CallCost(double client, double server, double serverSwitches, double serverJit,
            MachineCpu.Shares machine) {

        CallCost(double client, double server) {
            this(client, server, Double.NaN, Double.NaN, null);
        }

        CallCost(double client, double server, double serverSwitches) {
            this(client, server, serverSwitches, Double.NaN, null);
        }

        CallCost(double client, double server, double serverSwitches, MachineCpu.Shares machine) {
            this(client, server, serverSwitches, Double.NaN, machine);
        }
    }

    /** What {@code load.mjs} prints right before its measured calls. */
    static final String MEASURING = "[bench-ts] measuring:";

    /**
     * One series: {@code warmup} unmeasured calls, then {@code calls} of {@code tool} with
     * {@code concurrency} in flight over {@code sessions} MCP sessions; {@code token} may be
     * null (no Authorization header); {@code servers} are the processes serving the calls, whose
     * CPU is counted over the measured ones. The client's progress goes to {@code progress}.
     */
    Run load(String name, String url, String token, String tool, Map<String, Object> arguments,
            int calls, int concurrency, int warmup, int sessions,
            List<ProcessStats.Measured> servers, PrintStream progress) {
        AtomicReference<ProcessStats.Totals> serversAtStart = new AtomicReference<>(
                new ProcessStats.Totals(-1, -1));
        AtomicReference<MachineCpu.Sample> machineAtStart = new AtomicReference<>();
        AtomicReference<Map<ProcessStats.Measured, ProcessStats.Sample>> threadsAtStart = new AtomicReference<>(
                Map.of());
        // the token goes in the environment, which other users cannot read, not on the command
        // line, which they can (/proc/PID/cmdline)
        String out = run(work, 3600, token == null
                ? Map.of()
                : Map.of("TOLLGATE_BENCH_TOKEN",
                        token),
                progress, line -> {
                    if (line.startsWith(MEASURING)) {
                        serversAtStart.set(ProcessStats.totals(servers));
                        threadsAtStart.set(ProcessStats.sampleAll(servers));
                        machineAtStart.set(MachineCpu.sample());
                    }
                }, "node", "--no-warnings", "load.mjs", url, tool, JSON.writeValueAsString(
                        arguments),
                Integer.toString(calls), Integer.toString(concurrency), Integer.toString(warmup),
                Integer.toString(sessions));
        ProcessStats.Totals atEnd = ProcessStats.totals(servers);
        Map<ProcessStats.Measured, ProcessStats.Sample> threadsAtEnd = ProcessStats.sampleAll(
                servers);
        double jit = jitMillis(ProcessStats.usages(servers, threadsAtStart.get(), threadsAtEnd),
                threadsAtEnd, servers.size());
        MachineCpu.Shares machine = MachineCpu.between(machineAtStart.get(), MachineCpu.sample());
        JsonNode result = JSON.readTree(out);
        int errors = result.path("errors").asInt();
        if (errors > 0) {
            progress.printf("[bench] %s: %d errors, the first: %s%n", name, errors, result.path(
                    "firstError").asString(""));
        }
        JsonNode millis = result.path("latenciesMillis");
        long[] nanos = new long[millis.size()];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = Math.round(millis.get(i).asDouble() * 1e6);
        }
        LatencyStats stats = LatencyStats.of(name, nanos, errors, Math.round(result.path(
                "elapsedMillis").asDouble() * 1e6));
        ProcessStats.Totals atStart = serversAtStart.get();
        double serverCpu = servers.isEmpty() || atStart.ticks() < 0 || atEnd.ticks() < 0
                ? -1
                : ProcessStats.millis(atEnd.ticks() - atStart.ticks());
        return new Run(stats, result.path("cpuMillis").asDouble(), serverCpu, servers.isEmpty()
                || atStart.switches() < 0 || atEnd.switches() < 0
                        ? -1
                        : atEnd.switches() - atStart.switches(),
                jit, machine);
    }

    /**
     * The JIT compilers' CPU ms in {@code usages}, or NaN unless every one of the {@code servers}
     * processes was read and at least one has compiler threads (a JVM; Node.js's have other names).
     */
    static double jitMillis(List<ProcessStats.Usage> usages,
            Map<ProcessStats.Measured, ProcessStats.Sample> atEnd, int servers) {
        boolean compilers = atEnd.values().stream().flatMap(sample -> sample.threads().values()
                .stream()).anyMatch(thread -> ThreadComponents.JIT.equals(
                        ThreadComponents.of(
                                thread.comm())));
        if (servers == 0 || usages.size() != servers || !compilers) {
            return Double.NaN;
        }
        return usages.stream().mapToDouble(usage -> usage.componentMillis().getOrDefault(
                ThreadComponents.JIT, 0.0)).sum();
    }

    /** server-everything on a free loopback port, until closed. */
    Baseline startBaseline() {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress
                .getLoopbackAddress())) {
            port = probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path log = Files.createTempFile(work, "server-everything", ".log");
            ProcessBuilder builder = new ProcessBuilder("node", "--no-warnings", "--require",
                    "./loopback.cjs",
                    "node_modules/@modelcontextprotocol/server-everything/dist/index.js",
                    "streamableHttp").directory(work.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("PORT", Integer.toString(port));
            Process process = builder.start();
            Baseline baseline = new Baseline(process, port, log);
            baseline.awaitListening(30_000);
            return baseline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running server-everything on {@code port}, its output in {@code log}; closing stops it. */
    record Baseline(Process process, int port, Path log) implements AutoCloseable {

        String url() {
            return "http://127.0.0.1:" + port + "/mcp";
        }

        /** The server's process, for its CPU. */
        ProcessStats.Measured measured() {
            return new ProcessStats.Measured("server-everything", process.pid());
        }

        private void awaitListening(long timeoutMillis) throws IOException {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (System.currentTimeMillis() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("server-everything exited " + process
                            .exitValue() + ": " + Files.readString(log));
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    sleep(100);
                }
            }
            close();
            throw new IllegalStateException("server-everything did not listen on 127.0.0.1:"
                    + port + " within " + timeoutMillis + " ms; it printed: " + Files.readString(
                            log));
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                Files.deleteIfExists(log);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            } catch (IOException e) {
                // the log of a stopped baseline is only a leftover
            }
        }
    }

    private static String run(Path dir, long timeoutSeconds, Map<String, String> environment,
            String... command) {
        return run(dir, timeoutSeconds, environment, null, line -> {
        }, command);
    }

    /**
     * Runs {@code command} in {@code dir}; its standard output. Standard error is forwarded line
     * by line to {@code progress} (or kept for the failure message when null) and, as it comes,
     * to {@code onLine}.
     */
    private static String run(Path dir, long timeoutSeconds, Map<String, String> environment,
            PrintStream progress, Consumer<String> onLine, String... command) {
        // what the command is, without its arguments (a URL may carry anything)
        String what = String.join(" ", List.of(command).subList(0, Math.min(3, command.length)));
        Path out;
        Process process;
        try {
            out = Files.createTempFile(dir, "run", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile());
            builder.environment().remove("TOLLGATE_BENCH_TOKEN");
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(what + " cannot start: install Node.js 20+ and npm"
                    + " (Debian: apt-get install nodejs npm), or run the bench with --ts-client 0: "
                    + e.getMessage(), e);
        }
        List<String> errors = new ArrayList<>();
        Thread forwarder = Thread.ofPlatform().daemon().name("bench-ts-stderr").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process
                    .getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    onLine.accept(line);
                    if (progress != null) {
                        progress.println(line);
                    }
                    synchronized (errors) {
                        errors.add(line);
                        if (errors.size() > 40) {
                            errors.remove(0);
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended; what it said is kept
            }
        });
        try {
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " still running after " + timeoutSeconds
                        + " s");
            }
            forwarder.join(5_000);
            if (process.exitValue() != 0) {
                synchronized (errors) {
                    throw new IllegalStateException(what + " exited " + process.exitValue()
                            + " in " + dir + ": " + String.join("\n", errors));
                }
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted", e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // a leftover output file under the client's own folder
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
