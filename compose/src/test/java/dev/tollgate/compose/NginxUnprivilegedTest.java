package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * compose's ingress-proxy settings, run for real: the shipped nginx.conf under a real nginx as
 * the service's {@code user}, with every capability removed and no-new-privileges
 * ({@code setpriv}), on a read-only root file system where only the service's {@code tmpfs}
 * folders are writable (a private mount namespace, {@code unshare -m}). The nginx image's
 * compiled-in paths (temporary folders under /var/cache/nginx, the pid file /var/run/nginx.pid)
 * are given on the command line, since this host's nginx (Debian's) compiles in others. It must
 * start, pass an allowed path with a body large enough to go through a temporary file, and
 * refuse the metrics. Needs root (to drop to the user and mount), {@code unshare} and
 * {@code setpriv}; skipped without them, saying so.
 */
class NginxUnprivilegedTest {

    private static final JsonNode PROXY = YAMLMapper.builder().build().readTree(RoleSettings
            .repository().resolve("compose/compose.yaml").toFile()).at(
                    "/services/ingress-proxy");

    @Test
    void theProxyServesAsTheImagesUserWithoutCapabilitiesOnAReadOnlyRoot(@TempDir Path dir)
            throws Exception {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "needs root to run nginx as another user in a mount namespace");
        Assumptions.assumeTrue(run("unshare", "-m", "true") == 0 && run("setpriv", "--help") == 0,
                "needs unshare -m and setpriv");
        assertThat(PROXY.path("user").asString("")).as("ingress-proxy's user, uid:gid")
                .matches("[0-9]+:[0-9]+");
        String[] user = PROXY.path("user").asString().split(":");
        List<String> tmpfs = new ArrayList<>();
        PROXY.path("tmpfs").forEach(t -> tmpfs.add(t.asString()));
        List<byte[]> bodies = new ArrayList<>();
        HttpServer upstream = HttpServer.create(new InetSocketAddress(InetAddress
                .getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        upstream.start();
        int port = freePort();
        String config = Files.readString(RoleSettings.repository().resolve(
                "compose/nginx/nginx.conf"));
        config = config.replace("server ingress-1:8080", "server 127.0.0.1:" + upstream
                .getAddress().getPort()).replace("server ingress-2:8080", "server 127.0.0.1:"
                        + upstream.getAddress().getPort())
                .replace("listen 8080;",
                        "listen 127.0.0.1:" + port + ";");
        // the nginx image's compiled-in paths (its configure arguments), not Debian's
        StringBuilder http = new StringBuilder("http {\n  access_log off;\n");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            http.append("  ").append(temp).append("_temp_path /var/cache/nginx/").append(temp
                    .equals("client_body") ? "client" : temp).append("_temp;\n");
        }
        config = config.replace("http {", http.toString());
        Path conf = Files.writeString(dir.resolve("nginx.conf"), config);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));
        StringBuilder script = new StringBuilder("set -eu\nmount --make-rprivate /\n");
        // the image's layout where this host's differs: the image has /var/cache/nginx, root's,
        // on its (here read-only) root; Debian has none, so it is made on a read-only tmpfs
        script.append("if [ ! -d /var/cache/nginx ]; then mount -t tmpfs -o mode=755 tmpfs"
                + " /var/cache; mkdir /var/cache/nginx; mount -o remount,ro /var/cache; fi\n");
        for (String path : tmpfs) {
            script.append("mount -t tmpfs -o mode=1777 tmpfs ").append(path).append("\n");
        }
        script.append("mount -o remount,bind,ro /\n");
        script.append("if touch /etc/.tollgate-probe 2>/dev/null; then echo root is writable;"
                + " exit 9; fi\n");
        script.append("exec setpriv --reuid=").append(user[0]).append(" --regid=").append(
                user[1]).append(
                        " --clear-groups --inh-caps=-all --bounding-set=-all"
                                + " --no-new-privs nginx -c ")
                .append(conf).append(
                        " -g 'daemon off; pid /var/run/nginx.pid;'\n");
        Process nginx = new ProcessBuilder("unshare", "-m", "sh", "-c", script.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!listening(port)) {
                if (!nginx.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("nginx did not start as compose runs it: "
                            + Files.readString(dir.resolve("nginx.out")));
                }
                Thread.sleep(50);
            }
            byte[] body = "x".repeat(256 * 1024).getBytes(StandardCharsets.US_ASCII);

            int mcp = status("POST", "/mcp", body, port);
            int metrics = status("GET", "/actuator/prometheus", new byte[0], port);

            String out = Files.readString(dir.resolve("nginx.out"));
            assertThat(mcp).as("a 256 KiB POST /mcp through nginx; it printed:%n%s", out)
                    .isEqualTo(200);
            assertThat(bodies).singleElement().satisfies(b -> assertThat(b).hasSize(body.length));
            assertThat(metrics).isEqualTo(404);
            // unshare, sh and setpriv each exec the next: the process started is nginx's master
            List<ProcessHandle> processes = new ArrayList<>(List.of(nginx.toHandle()));
            processes.addAll(nginx.descendants().toList());
            assertThat(processes).as("nginx's master and worker").hasSizeGreaterThanOrEqualTo(2);
            for (ProcessHandle process : processes) {
                String status = Files.readString(Path.of("/proc", String.valueOf(process.pid()),
                        "status"));
                assertThat(status).as("process %d", process.pid()).containsPattern(
                        "(?m)^Uid:\\s+" + user[0] + "\\s").containsPattern("(?m)^CapEff:\\s+0+$")
                        .containsPattern("(?m)^CapBnd:\\s+0+$").containsPattern(
                                "(?m)^NoNewPrivs:\\s+1$");
            }
            Path temp = Path.of("/proc", String.valueOf(processes.get(processes.size() - 1)
                    .pid()), "root/var/cache/nginx/client_temp");
            assertThat(Files.getAttribute(temp, "unix:uid")).as(
                    "the request body's temporary folder, made by nginx as its user").isEqualTo(
                            Integer.parseInt(user[0]));
        } finally {
            List<ProcessHandle> all = nginx.descendants().toList();
            nginx.destroy();
            all.forEach(ProcessHandle::destroy);
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
            all.forEach(ProcessHandle::destroyForcibly);
            upstream.stop(0);
        }
    }

    private static int run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (java.io.IOException | InterruptedException e) {
            return -1;
        }
    }

    private static int status(String method, String path, byte[] body, int port)
            throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n").getBytes(
                            StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String[] statusLine = answer.split("\r\n", 2)[0].split(" ");
            assertThat(statusLine.length).as("nginx's answer to %s: %s", path, answer)
                    .isGreaterThanOrEqualTo(2);
            return Integer.parseInt(statusLine[1]);
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
