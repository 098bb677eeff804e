package dev.tollgate.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** The same read sent straight to the stand-in, with the same concurrency: what GitHub costs. */
public final class DirectFloor {

    private DirectFloor() {
    }

    public static LatencyStats measure(String baseUrl, int calls, int concurrency)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl
                + "/repos/octo-org/hello/contents/README.md")).header("Accept",
                        "application/vnd.github+json")
                .build();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger remaining = new AtomicInteger(calls);
        long started = System.nanoTime();
        try (ExecutorService workers = Executors.newFixedThreadPool(concurrency)) {
            for (int w = 0; w < concurrency; w++) {
                workers.submit(() -> {
                    while (remaining.getAndDecrement() > 0) {
                        long sent = System.nanoTime();
                        try {
                            HttpResponse<byte[]> response = client.send(request,
                                    HttpResponse.BodyHandlers.ofByteArray());
                            if (response.statusCode() == 200) {
                                latencies.add(System.nanoTime() - sent);
                            } else {
                                errors.incrementAndGet();
                            }
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }
        long elapsed = System.nanoTime() - started;
        return LatencyStats.of("direct to stand-in (floor)", latencies.stream().mapToLong(
                Long::longValue).toArray(), errors.get(), elapsed);
    }
}
