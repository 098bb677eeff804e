package dev.tollgate.compose.scale;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * GitHub for the scale test: answers the token exchange and file reads after a fixed latency,
 * each request on its own virtual thread, so only the executors bound throughput.
 */
final class SlowGitHub implements AutoCloseable {

    private static final Pattern TOKENS = Pattern.compile("/app/installations/\\d+/access_tokens");
    private static final Pattern CONTENTS = Pattern.compile("/repos/[^/]+/[^/]+/contents/.+");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final long latencyMillis;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong mints = new AtomicLong();

    SlowGitHub(long latencyMillis) throws IOException {
        this.latencyMillis = latencyMillis;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                1024);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String apiUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    long requests() {
        return requests.get();
    }

    long mints() {
        return mints.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            try {
                Thread.sleep(latencyMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            if (exchange.getRequestMethod().equals("POST") && TOKENS.matcher(path).matches()) {
                status = 201;
                body = "{\"token\":\"ghs_scale" + mints.incrementAndGet() + "\",\"expires_at\":\""
                        + Instant.now().truncatedTo(ChronoUnit.SECONDS).plus(1, ChronoUnit.HOURS)
                        + "\",\"permissions\":{\"contents\":\"read\"},"
                        + "\"repository_selection\":\"selected\"}";
            } else if (exchange.getRequestMethod().equals("GET") && CONTENTS.matcher(path)
                    .matches()) {
                status = 200;
                body = "{\"type\":\"file\",\"encoding\":\"base64\",\"size\":12,\"name\":\"f.txt\","
                        + "\"path\":\"f.txt\",\"content\":\"SGVsbG8gd29ybGQK\\n\","
                        + "\"sha\":\"3d21ec53a331a6f037a91c368710b99387d012c1\","
                        + "\"html_url\":\"https://github.com/o/r/blob/main/f.txt\"}";
            } else {
                status = 404;
                body = "{\"message\":\"Not Found\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().add("x-ratelimit-remaining", "4999");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
