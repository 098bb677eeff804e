package dev.tollgate.bench;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The same read sent straight to the stand-in, with the same concurrency or rate, over reused
 * HTTP/1.1 connections: what GitHub itself costs. The gateway's added latency is measured against
 * this.
 */
public final class DirectFloor {

    private DirectFloor() {
    }

    public static LatencyStats measure(String baseUrl, int calls, int concurrency, double rate,
            PrintStream progress) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).executor(Executors
                        .newVirtualThreadPerTaskExecutor())
                .build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl
                    + "/repos/bench-org/repo-0/contents/README.md")).header("Accept",
                            "application/vnd.github+json")
                    .header("Authorization", "Bearer ghs_direct").build();
            return Load.run("direct to stand-in (floor)", calls, concurrency, rate,
                    slot -> () -> client.send(request, HttpResponse.BodyHandlers.ofByteArray())
                            .statusCode() == 200,
                    progress);
        }
    }
}
