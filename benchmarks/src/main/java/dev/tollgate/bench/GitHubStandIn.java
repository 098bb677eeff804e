package dev.tollgate.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback stand-in for api.github.com for benchmarks. After a fixed latency it answers the
 * paths the executor calls for reads: the installation lookup
 * ({@code GET /repos/{o}/{r}/installation}, one installation per owner), the token exchange
 * ({@code POST /app/installations/{id}/access_tokens}, 201 with {@code expires_at} an hour ahead),
 * the repository and file contents; anything else is GitHub's 404. It counts mints per
 * (installation, requested scope) so a run can show one mint per scope. It does not verify the
 * App JWT (the executor's own tests do). Each request runs on a virtual thread, so the stand-in's
 * concurrency never bounds a measurement: its latency stands for GitHub's.
 */
public final class GitHubStandIn implements AutoCloseable {

    /** The installation every repository of an owner belongs to: stable per owner. */
    static long installationOf(String owner) {
        return 1000 + Math.floorMod(owner.hashCode(), 9000);
    }

    private static final Pattern INSTALLATION = Pattern.compile(
            "/repos/([^/]+)/([^/]+)/installation");
    private static final Pattern ACCESS_TOKENS = Pattern.compile(
            "/app/installations/(\\d+)/access_tokens");
    private static final Pattern CONTENTS = Pattern.compile("/repos/([^/]+)/([^/]+)/contents/(.*)");
    private static final Pattern REPO = Pattern.compile("/repos/([^/]+)/([^/]+)");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME
            .withZone(ZoneOffset.UTC);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final long latencyMillis;
    private final Clock clock;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong mints = new AtomicLong();
    private final Map<String, AtomicLong> mintsByScope = new ConcurrentHashMap<>();

    public GitHubStandIn(long latencyMillis) throws IOException {
        this(latencyMillis, Clock.systemUTC());
    }

    GitHubStandIn(long latencyMillis, Clock clock) throws IOException {
        this.latencyMillis = latencyMillis;
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                1024);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String requestBody = new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8);
            sleep(latencyMillis);
            Answer answer = answer(method, path, requestBody);
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            var headers = exchange.getResponseHeaders();
            headers.add("Content-Type", "application/json; charset=utf-8");
            headers.add("Date", HTTP_DATE.format(clock.instant()));
            headers.add("x-ratelimit-limit", "5000");
            headers.add("x-ratelimit-remaining", "4999");
            headers.add("x-ratelimit-reset", Long.toString(clock.instant().plus(1, ChronoUnit.HOURS)
                    .getEpochSecond()));
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    record Answer(int status, String body) {
    }

    /** What GitHub would answer; package-private so tests can ask without HTTP. */
    Answer answer(String method, String path, String requestBody) {
        Matcher m;
        if (method.equals("POST") && (m = ACCESS_TOKENS.matcher(path)).matches()) {
            long count = mints.incrementAndGet();
            mintsByScope.computeIfAbsent(m.group(1) + " " + requestBody.replaceAll("\\s", ""),
                    k -> new AtomicLong()).incrementAndGet();
            Instant expires = clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(1,
                    ChronoUnit.HOURS);
            return new Answer(201, "{\"token\":\"ghs_standin" + count + "\",\"expires_at\":\""
                    + expires + "\",\"permissions\":{\"contents\":\"read\"},"
                    + "\"repository_selection\":\"selected\"}");
        }
        if (!method.equals("GET")) {
            return notFound();
        }
        if ((m = INSTALLATION.matcher(path)).matches()) {
            long id = installationOf(m.group(1));
            return new Answer(200, "{\"id\":" + id + ",\"app_id\":1,\"account\":{\"login\":\""
                    + m.group(1) + "\"},\"target_type\":\"Organization\"}");
        }
        if ((m = CONTENTS.matcher(path)).matches()) {
            String file = m.group(3);
            String name = file.substring(file.lastIndexOf('/') + 1);
            return new Answer(200, "{\"type\":\"file\",\"encoding\":\"base64\",\"size\":12,"
                    + "\"name\":\"" + name + "\",\"path\":\"" + file + "\","
                    + "\"content\":\"SGVsbG8gd29ybGQK\\n\","
                    + "\"sha\":\"3d21ec53a331a6f037a91c368710b99387d012c1\","
                    + "\"html_url\":\"https://github.com/" + m.group(1) + "/" + m.group(2)
                    + "/blob/main/" + file + "\"}");
        }
        if ((m = REPO.matcher(path)).matches()) {
            return new Answer(200, "{\"full_name\":\"" + m.group(1) + "/" + m.group(2) + "\","
                    + "\"default_branch\":\"main\",\"private\":false,\"fork\":false,"
                    + "\"visibility\":\"public\",\"archived\":false}");
        }
        return notFound();
    }

    private static Answer notFound() {
        return new Answer(404, "{\"message\":\"Not Found\","
                + "\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"404\"}");
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

    /** Mints per (installation, requested repositories and permissions). */
    public Map<String, Long> mintsByScope() {
        Map<String, Long> copy = new TreeMap<>();
        mintsByScope.forEach((scope, count) -> copy.put(scope, count.get()));
        return copy;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
