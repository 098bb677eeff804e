package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped compose/nginx/nginx.conf, run by a real nginx on loopback in front of a trivial
 * upstream that records what reaches it (only the upstream addresses, the listener and the
 * temporary paths replaced): the agents' and operators' paths are passed on with the client's
 * Host; everything else, the metrics however the path is spelt, is answered 404 by nginx and
 * never reaches the upstream. Requests are written on a socket byte for byte, so no client
 * normalises the path first. Needs the nginx binary (apt-get install nginx); without it the
 * test fails, saying so.
 */
class NginxPathsTest {

    private static final Path SHIPPED = RoleSettings.repository().resolve(
            "compose/nginx/nginx.conf");
    /** A request the upstream received: its raw path and its Host header. */
    private record Received(String uri, String host) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer upstream;
    private Process nginx;
    private int port;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        Path binary = Stream.of("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElseThrow(
                        () -> new AssertionError("nginx is not installed: apt-get install -y"
                                + " nginx (the proof that the proxy passes only the agents'"
                                + " paths runs the real binary)"));
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                0);
        upstream.createContext("/", exchange -> {
            received.add(new Received(exchange.getRequestURI().toString(), exchange
                    .getRequestHeaders().getFirst("Host")));
            byte[] body = "upstream".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        int to = upstream.getAddress().getPort();
        port = freePort();
        String config = Files.readString(SHIPPED);
        config = replaceOnce(config, "server ingress-1:8080", "server 127.0.0.1:" + to);
        config = replaceOnce(config, "server ingress-2:8080", "server 127.0.0.1:" + to);
        config = replaceOnce(config, "listen 8080;", "listen 127.0.0.1:" + port + ";");
        StringBuilder paths = new StringBuilder("http {\n  access_log off;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            paths.append("  ").append(temp).append("_temp_path ").append(dir.resolve(temp))
                    .append(";\n");
        }
        config = replaceOnce(config, "http {", paths.toString());
        // as root, nginx's workers run as nobody: they must reach the temporary folders
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = Files.writeString(dir.resolve("nginx.conf"), config);
        nginx = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c", file
                .toString(), "-e", dir.resolve("error.log").toString(), "-g",
                "daemon off; pid "
                        + dir.resolve("nginx.pid") + ";")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!listening(port)) {
            if (!nginx.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nginx did not start: " + Files.readString(dir.resolve(
                        "nginx.out")) + read(dir.resolve("error.log")));
            }
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (nginx != null) {
            List<ProcessHandle> workers = nginx.descendants().toList();
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            workers.forEach(ProcessHandle::destroyForcibly);
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void theAgentsAndOperatorsPathsReachTheIngress() throws Exception {
        List<String> allowed = List.of("/mcp", "/mcp?x=1", "/token/rotate", "/webhooks/github",
                "/healthz", "/readyz", "/admin/tokens", "/admin/installations/sync",
                "/.well-known/oauth-protected-resource",
                "/.well-known/oauth-protected-resource/mcp");

        for (String path : allowed) {
            assertThat(status("GET", path, "localhost:8080")).as(path).isEqualTo(200);
        }

        assertThat(received).extracting(Received::uri).containsExactlyElementsOf(allowed);
    }

    @Test
    void theMetricsAndEveryOtherPathAreAnswered404HoweverSpelt() throws Exception {
        List<String> refused = List.of("/actuator/prometheus", "/actuator;x/prometheus",
                "/actuator;/prometheus", "/%61ctuator/prometheus", "/actuator%3Bx/prometheus",
                "/admin/..;/actuator/prometheus", "/admin/%2e%2e;/actuator/prometheus",
                "/admin/..%3B/actuator/prometheus", "/mcp;x", "/mcp/..;/actuator/prometheus",
                "/healthz/../actuator/prometheus", "/admin/../actuator/prometheus",
                "/readyz;jsessionid=1", "/", "/error", "/actuator");

        for (String path : refused) {
            assertThat(status("GET", path, "localhost:8080")).as(path).isEqualTo(404);
        }

        assertThat(received).as("what reached the upstream").isEmpty();
    }

    /** The client's Host reaches the ingress, whose allowed-hosts check then refuses a rebinding page. */
    @Test
    void theClientsHostIsPassedOnForTheIngressToCheck() throws Exception {
        status("GET", "/readyz", "localhost:8080");
        status("GET", "/readyz", "rebind.attacker.example:8080");

        assertThat(received).extracting(Received::host).containsExactly("localhost",
                "rebind.attacker.example");
    }

    /** The status nginx answers a request written byte for byte (the path exactly as given). */
    private int status(String method, String path, String host) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] statusLine = answer.substring(0, Math.max(0, answer.indexOf("\r\n")))
                    .split(" ");
            assertThat(statusLine.length).as("nginx's answer to %s: %s", path, answer)
                    .isGreaterThanOrEqualTo(2);
            return Integer.parseInt(statusLine[1]);
        }
    }

    private static String replaceOnce(String text, String what, String with) {
        int at = text.indexOf(what);
        assertThat(at).as("compose/nginx/nginx.conf contains '%s'", what).isNotNegative();
        assertThat(text.indexOf(what, at + 1)).as("'%s' once", what).isNegative();
        return text.substring(0, at) + with + text.substring(at + what.length());
    }

    /** A free loopback port in 18000–18999. */
    private static int freePort() throws IOException {
        for (int candidate = 18000 + (int) (ProcessHandle.current().pid() % 1000),
                tries = 0; tries < 1000; tries++, candidate = 18000
                        + (candidate - 18000 + 1) % 1000) {
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress
                    .getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IOException("no free port in 18000-18999 on loopback");
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
