package dev.tollgate.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback stand-in for api.github.com for benchmarks: answers every request after a fixed
 * latency with a small JSON body shaped like GitHub's, and counts token mints. Handles each request
 * on a virtual thread, so its own concurrency never bounds a measurement.
 */
public final class GitHubStandIn implements AutoCloseable {

    private static final byte[] CONTENT = """
            {"type":"file","encoding":"base64","size":12,"name":"README.md","path":"README.md",
             "content":"SGVsbG8gd29ybGQK","sha":"3d21ec53a331a6f037a91c368710b99387d012c1"}
            """.getBytes(StandardCharsets.UTF_8);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong mints = new AtomicLong();

    public GitHubStandIn(long latencyMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            sleep(latencyMillis);
            byte[] body;
            int status = 200;
            if (path.matches("/app/installations/\\d+/access_tokens")) {
                mints.incrementAndGet();
                status = 201;
                body = ("{\"token\":\"ghs_bench" + mints.get() + "\",\"expires_at\":\""
                        + java.time.Instant.now().plusSeconds(3600) + "\"}").getBytes(
                                StandardCharsets.UTF_8);
            } else if (path.matches("/repos/[^/]+/[^/]+/installation")) {
                body = "{\"id\":4242,\"app_id\":1}".getBytes(StandardCharsets.UTF_8);
            } else {
                body = CONTENT;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("x-ratelimit-remaining", "4999");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private static void sleep(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public long requests() {
        return requests.get();
    }

    public long mints() {
        return mints.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
