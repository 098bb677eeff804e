package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The shipped {@code compose/nginx/nginx.conf}, run by a real nginx (the Debian package; CI
 * installs it) in front of two ingress replicas on a real broker, with only its upstream
 * addresses, its port and its log and temporary paths replaced: a few hundred MCP sessions of the
 * SDK's own client, each with calls and {@code get_request_status} polls that round-robin lands
 * on either replica, and one replica stopped (SIGTERM's path) halfway. Every session must succeed.
 */
@WithKafka
class NginxRoundRobinIntegrationTest {

    private static final String PREFIX = "nginx-it-";
    private static final int SESSIONS = 200;
    private static final int WORKERS = 12;
    private static final int STOP_AFTER = SESSIONS / 2;
    /**
     * Sessions begun once the stop has ended, however many that takes beyond {@link #SESSIONS}:
     * the stop lasts until nginx closes its idle connections to the replica (its 10 s upstream
     * keep-alive timeout), long enough for the first {@link #SESSIONS} to end inside it.
     */
    private static final int AFTER_STOP = 25;
    /** Never more sessions than these, whatever happens to the stop. */
    private static final int MAX_SESSIONS = 2_000;
    private static final int AGENTS = 8;
    /** Agents whose calls the responder holds: they come back pending and are polled. */
    private static final int HELD_AGENTS = 2;
    private static final Path SHIPPED = Path.of("..", "compose", "nginx", "nginx.conf");
    /** A system property naming the nginx binary to run instead of the one installed. */
    private static final String NGINX_PROPERTY = "tollgate.test.nginx";
    /** Loopback ports for nginx and the two replicas. */
    private static final int PORTS_FROM = 23000;
    private static final int PORTS_TO = 23999;

    /** nginx's configuration, pid, logs and temporary files: kept under target/ to be read. */
    private Path dir;

    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    private Process nginx;
    /** Kills nginx should the JVM end without running {@link #stopEverything}. */
    private Thread nginxKiller;
    private TestResponder responder;

    @AfterEach
    void stopEverything() throws Exception {
        try {
            stopNginx();
        } finally {
            try {
                replicas.forEach(ConfigurableApplicationContext::close);
            } finally {
                if (responder != null) {
                    responder.close();
                }
            }
        }
    }

    /** nginx's master and its worker, whatever happened to the test. */
    private void stopNginx() throws InterruptedException {
        if (nginx == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(nginxKiller);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        List<ProcessHandle> workers = nginx.descendants().toList();
        nginx.destroy(); // SIGTERM: nginx's fast shutdown
        if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
            nginx.destroyForcibly();
            nginx.waitFor(10, TimeUnit.SECONDS);
        }
        workers.forEach(ProcessHandle::destroyForcibly);
        assertThat(nginx.isAlive()).as("nginx (pid %d) still running after SIGTERM and SIGKILL",
                nginx.pid()).isFalse();
    }

    /** What one session did, and what went wrong if anything did. */
    private record Session(int index, String agent, long startedNanos, long endedNanos,
            int calls, int polls, String failure) {
    }

    @Test
    void everySessionSucceedsWhicheverReplicaEachRequestReachesAndWhenOneReplicaStops()
            throws Exception {
        Path binary = nginxBinary().orElseThrow(() -> new AssertionError("nginx is not "
                + "installed (or -D" + NGINX_PROPERTY + " names no executable), and this test "
                + "needs the real binary: install the Debian package "
                + "(apt-get install nginx; .ci/run installs it without starting its service). "
                + "Without it the proof that two ingress replicas behind the shipped "
                + "compose/nginx/nginx.conf serve every MCP session cannot run"));
        dir = Files.createDirectories(Path.of("target", "nginx-it")).resolve(KafkaTestBroker
                .uniqueName("run")).toAbsolutePath();
        Files.createDirectories(dir);
        KafkaProbe.provisionTopics();
        responder = new TestResponder(PREFIX);
        int proxyPort = freePortInRange(PORTS_FROM, PORTS_TO);
        ConfigurableApplicationContext first = replica(1, proxyPort);
        ConfigurableApplicationContext second = replica(2, proxyPort, port(first));
        startNginx(binary, proxyPort, port(first), port(second));
        System.out.println("nginx " + binary + " on 127.0.0.1:" + proxyPort + " in front of "
                + "the first replica on " + port(first) + " and the second on " + port(second)
                + "; its configuration and logs: " + dir);
        String proxy = "http://127.0.0.1:" + proxyPort;
        // The replicas trust nginx (it connects from 127.0.0.1) to name the client: wrong admin
        // keys are throttled per client behind it, not per nginx (3 a minute per replica here).
        List<Integer> guesser = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            guesser.add(ForwardedAddressIntegrationTest.guess(proxyPort, "127.0.0.8", null,
                    "wrong-" + i + "-0123456789abcdef0123456789").status());
        }
        int otherClient = ForwardedAddressIntegrationTest.guess(proxyPort, "127.0.0.9", null,
                "wrong-other-0123456789abcdef0123456789").status();
        assertThat(guesser.subList(8, 10)).as("a client guessing through nginx: %s", guesser)
                .containsOnly(429);
        assertThat(otherClient).as("another client behind the same nginx").isEqualTo(401);
        List<String> agents = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            String agent = KafkaTestBroker
                    .uniqueName(PREFIX + (i < HELD_AGENTS ? "held" : "agent"));
            if (i < HELD_AGENTS) {
                responder.hold(agent);
            }
            agents.add(agent);
            tokens.add(HttpCalls.mint(proxy, agent));
        }

        ConcurrentLinkedQueue<Session> done = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger startedAfterStop = new AtomicInteger();
        AtomicLong stopStarted = new AtomicLong();
        AtomicLong stopEnded = new AtomicLong();
        AtomicLong stopStartedMillis = new AtomicLong();
        AtomicLong stopEndedMillis = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(WORKERS + 1);
        workers.submit(() -> {
            while (done.size() < STOP_AFTER) {
                sleep(20);
            }
            stopStartedMillis.set(System.currentTimeMillis());
            stopStarted.set(System.nanoTime());
            second.close(); // what SIGTERM does: the drain, then the web server and Kafka stop
            stopEnded.set(System.nanoTime());
            stopEndedMillis.set(System.currentTimeMillis());
            return null;
        });
        for (int w = 0; w < WORKERS; w++) {
            workers.submit(() -> {
                for (int i = next.getAndIncrement(); i < MAX_SESSIONS && (i < SESSIONS
                        || startedAfterStop.get() < AFTER_STOP); i = next.getAndIncrement()) {
                    if (stopEnded.get() != 0) {
                        startedAfterStop.incrementAndGet();
                    }
                    int a = i % AGENTS;
                    done.add(session(i, proxyPort, agents.get(a), tokens.get(a),
                            a < HELD_AGENTS));
                }
            });
        }
        workers.shutdown();
        boolean finished = workers.awaitTermination(15, TimeUnit.MINUTES);
        if (!finished) {
            workers.shutdownNow();
        }

        List<Session> sessions = new ArrayList<>(done);
        List<Session> failed = sessions.stream().filter(s -> s.failure() != null).toList();
        List<Logged> log = accessLog();
        Stop stop = new Stop(stopStarted.get(), stopEnded.get(), stopStartedMillis.get(),
                stopEndedMillis.get());
        int firstPort = port(first);
        int secondPort = port(second);
        String summary = summary(sessions, failed, log, stop, firstPort, secondPort);
        System.out.println(summary);
        assertThat(finished).as("all sessions ended within 15 minutes; " + summary).isTrue();
        assertThat(failed).as(summary).isEmpty();
        assertThat(sessions).as(summary).hasSizeGreaterThanOrEqualTo(SESSIONS);
        assertThat(second.isActive()).as("the stopped replica").isFalse();
        assertThat(sessions.stream().filter(s -> s.startedNanos() > stop.endedNanos()).count())
                .as("sessions run wholly after the replica stopped; " + summary)
                .isGreaterThanOrEqualTo(AFTER_STOP);
        assertThat(log.stream().filter(request -> request.epochMillis() < stop.startedMillis())
                .map(request -> request.ports().getLast()).distinct()).as(
                        "replicas that answered before the stop; " + summary)
                .containsOnly(
                        firstPort, secondPort)
                .hasSize(2);
        assertThat(log.stream().filter(request -> request.epochMillis() > stop.endedMillis())
                .map(request -> request.ports().getLast()).distinct()).as(
                        "replicas that answered after the stop; " + summary)
                .containsOnly(
                        firstPort);
    }

    /**
     * One agent's session as a real client runs it: initialize, a call, get_request_status of that
     * call (each request goes wherever nginx sends it), and status; a held agent's call comes back
     * pending, is released, and is polled until its answer arrives.
     */
    private Session session(int index, int proxyPort, String agent, String token, boolean held) {
        long started = System.nanoTime();
        int calls = 0;
        int polls = 0;
        try (McpSyncClient client = McpClients.connect(proxyPort, token)) {
            client.initialize();
            Map<String, Object> answer = McpClients.structured(McpClients.call(client,
                    "read_repo", Map.of("owner", "octo", "repo", "repo" + index)));
            calls++;
            String requestId = (String) answer.get("request_id");
            if (requestId == null) {
                throw new AssertionError("the call answered without a request_id: " + answer);
            }
            if (held) {
                expect(answer, "pending", "the held call");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!responder.release(requestId)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the responder never read request " + requestId);
                    }
                    sleep(20);
                }
            } else {
                expect(answer, "succeeded", "the call");
            }
            Map<String, Object> status = Map.of();
            for (int attempt = 0; attempt < 300
                    && !"succeeded".equals(status.get("status")); attempt++) {
                if (attempt > 0) {
                    sleep(100);
                }
                status = McpClients.structured(McpClients.call(client, "get_request_status", Map
                        .of("request_id", requestId)));
                polls++;
                if (!List.of("pending", "succeeded").contains(status.get("status"))) {
                    break;
                }
            }
            expect(status, "succeeded", "get_request_status after " + polls + " polls");
            if (!requestId.equals(status.get("request_id"))
                    || !(status.get("result") instanceof Map<?, ?> result)
                    || !requestId.equals(result.get("echo"))) {
                throw new AssertionError("get_request_status gave another call's answer: "
                        + status);
            }
            Map<String, Object> who = McpClients.structured(McpClients.call(client, "status",
                    Map.of()));
            calls++;
            if (!agent.equals(who.get("agent"))) {
                throw new AssertionError("status named " + who.get("agent"));
            }
            return new Session(index, agent, started, System.nanoTime(), calls, polls, null);
        } catch (RuntimeException | AssertionError e) {
            return new Session(index, agent, started, System.nanoTime(), calls, polls, e
                    .toString());
        }
    }

    private static void expect(Map<String, Object> answer, String status, String what) {
        if (!status.equals(answer.get("status"))) {
            throw new AssertionError(what + " answered " + answer + ", not " + status);
        }
    }

    /** A replica on a free loopback port of this test's range, other than those given. */
    private ConfigurableApplicationContext replica(int replyPartition, int... taken) {
        int port;
        do {
            port = freePortInRange(PORTS_FROM, PORTS_TO);
        } while (contains(taken, port));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(
                IngressApplication.class).properties(IngressApplication.defaults()).run(
                        "--server.port=" + port, "--server.address=127.0.0.1",
                        "--" + TestConfig.ADMIN_KEY_PROPERTY,
                        "--" + TestConfig.SIGNING_KEY_PROPERTY,
                        "--" + TestConfig.STATE_DIR_PROPERTY,
                        "--tollgate.ingress.reply-partition=" + replyPartition,
                        "--tollgate.ingress.reply-timeout=2s",
                        // as compose.yaml: above nginx's upstream keepalive_timeout (10 s)
                        "--tollgate.ingress.drain-grace=15s",
                        "--tollgate.ingress.rate-limit.agent-limit-for-period=1000",
                        "--tollgate.ingress.rate-limit.admin-limit-for-period=3",
                        "--tollgate.ingress.trusted-proxies=127.0.0.1",
                        "--spring.kafka.bootstrap-servers=" + KafkaTestBroker.get()
                                .bootstrapServers());
        replicas.add(context);
        return context;
    }

    private static boolean contains(int[] ports, int port) {
        for (int taken : ports) {
            if (taken == port) {
                return true;
            }
        }
        return false;
    }

    private static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /**
     * The binary {@value #NGINX_PROPERTY} names if set (only that one), else nginx from the Debian
     * package, or wherever PATH has it.
     */
    private static Optional<Path> nginxBinary() {
        String named = System.getProperty(NGINX_PROPERTY, "");
        if (!named.isBlank()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        Stream<Path> fromPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(entry -> !entry.isBlank()).map(entry -> Path.of(entry, "nginx"));
        return Stream.concat(Stream.of(Path.of("/usr/sbin/nginx")), fromPath).filter(
                Files::isExecutable).findFirst();
    }

    /**
     * The shipped configuration with the replicas' and the listener's addresses put in, and its
     * pid, logs and temporary files kept in this test's directory (an access log that names the
     * replica each request went to).
     */
    private String configuration(int proxyPort, int first, int second) throws IOException {
        String shipped = Files.readString(SHIPPED, StandardCharsets.UTF_8);
        String config = replaceOnce(shipped, "server ingress-1:8080", "server 127.0.0.1:" + first);
        config = replaceOnce(config, "server ingress-2:8080", "server 127.0.0.1:" + second);
        config = replaceOnce(config, "listen 8080;", "listen 127.0.0.1:" + proxyPort + ";");
        String paths = "\n  log_format tollgate '$msec|$status|$request_method|$upstream_addr';\n"
                + "  access_log " + dir.resolve("access.log") + " tollgate;\n";
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            paths += "  " + temp + "_temp_path " + dir.resolve(temp + "_temp") + ";\n";
        }
        return replaceOnce(config, "http {", "http {" + paths);
    }

    private static String replaceOnce(String text, String what, String with) {
        int at = text.indexOf(what);
        assertThat(at).as("compose/nginx/nginx.conf contains '%s'", what).isNotNegative();
        assertThat(text.indexOf(what, at + 1)).as("'%s' once", what).isNegative();
        return text.substring(0, at) + with + text.substring(at + what.length());
    }

    private void startNginx(Path binary, int proxyPort, int first, int second) throws Exception {
        // as root, nginx's workers run as nobody: they must reach the temporary files in here
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, configuration(proxyPort, first, second));
        Path errors = dir.resolve("error.log");
        nginx = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c", config
                .toString(), "-e", errors.toString(), "-g",
                "daemon off; pid " + dir.resolve(
                        "nginx.pid") + ";")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        Process started = nginx;
        nginxKiller = new Thread(() -> {
            started.descendants().forEach(ProcessHandle::destroyForcibly);
            started.destroyForcibly();
        }, "nginx-killer");
        Runtime.getRuntime().addShutdownHook(nginxKiller);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!listening(proxyPort)) {
            if (!nginx.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nginx did not listen on " + proxyPort + " (alive: "
                        + nginx.isAlive() + "): " + read(dir.resolve("nginx.out")) + read(
                                errors));
            }
            sleep(50);
        }
    }

    /** One request as nginx logged it: when it ended, its status, and the replicas it tried. */
    private record Logged(long epochMillis, String status, String method, List<Integer> ports) {
    }

    private List<Logged> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        List<Logged> logged = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] fields = line.split("\\|", 4);
            List<Integer> ports = Stream.of(fields[3].split(",")).map(String::trim).filter(
                    upstream -> upstream.contains(":")).map(
                            upstream -> Integer.parseInt(upstream
                                    .substring(upstream.lastIndexOf(':') + 1)))
                    .toList();
            logged.add(new Logged(Math.round(Double.parseDouble(fields[0]) * 1000), fields[1],
                    fields[2], ports));
        }
        return logged;
    }

    /** Sessions, calls, polls and failures, and where nginx sent the requests. */
    private static String summary(List<Session> sessions, List<Session> failed, List<Logged> log,
            Stop stop, int first, int second) {
        int calls = sessions.stream().mapToInt(Session::calls).sum();
        int polls = sessions.stream().mapToInt(Session::polls).sum();
        Map<String, Integer> before = new TreeMap<>();
        Map<String, Integer> during = new TreeMap<>();
        Map<String, Integer> after = new TreeMap<>();
        Map<String, Integer> statuses = new TreeMap<>();
        for (Logged request : log) {
            String upstream = String.join(" then ",
                    request.ports().stream().map(port -> port == first
                            ? "first"
                            : port == second ? "second" : "port " + port).toList());
            Map<String, Integer> period = request.epochMillis() < stop.startedMillis()
                    ? before
                    : stop.endedMillis() == 0 || request.epochMillis() <= stop.endedMillis()
                            ? during
                            : after;
            period.merge(upstream, 1, Integer::sum);
            statuses.merge(request.status(), 1, Integer::sum);
        }
        long afterStop = sessions.stream().filter(s -> stop.endedNanos() > 0 && s
                .startedNanos() > stop.endedNanos()).count();
        List<String> firstFailures = failed.stream().limit(10).map(s -> "#" + s.index() + " "
                + s.agent() + ": " + s.failure()).toList();
        return "nginx round-robin over two ingress replicas: " + sessions.size() + " sessions "
                + "ended (" + SESSIONS + " and those begun until " + AFTER_STOP + " had begun "
                + "after the stop), " + calls + " tool calls and " + polls
                + " get_request_status polls, " + failed.size() + " sessions failed "
                + firstFailures + "; the second replica (port " + second + ") was stopped at "
                + (stop.startedMillis() > 0
                        ? Instant.ofEpochMilli(stop.startedMillis())
                        : "(never)")
                + ", once " + STOP_AFTER + " sessions had ended, taking " + (stop
                        .endedNanos() > 0
                                ? Duration.ofNanos(stop.endedNanos() - stop.startedNanos())
                                        .toMillis()
                                        + " ms"
                                : "(not stopped)")
                + "; sessions run wholly after it stopped: " + afterStop
                + "; HTTP requests by replica before the stop " + before + ", while it stopped "
                + during + ", after " + after + "; by status: " + statuses;
    }

    /** When the second replica's stop began and ended (0: not yet). */
    private record Stop(long startedNanos, long endedNanos, long startedMillis, long endedMillis) {
    }

    private static int freePortInRange(int from, int to) {
        List<Integer> ports = new ArrayList<>();
        for (int port = from; port <= to; port++) {
            ports.add(port);
        }
        Collections.shuffle(ports);
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress
                    .getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // next
            }
        }
        throw new AssertionError("no free port in " + from + ".." + to);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
