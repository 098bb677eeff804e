package dev.tollgate.bench.jmh;

import dev.tollgate.bench.GitHubStandIn;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.InstallationToken;
import dev.tollgate.executor.core.TokenScope;
import dev.tollgate.executor.http.OkHttpTransport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The executor's GitHub transport reading a small file from a loopback server, 8 calls at once,
 * with the default client's timeouts ({@code call}: the whole call's only) against the client
 * with read and write timeouts as well ({@code call+read+write}, as it was): okio keeps every
 * timeout in one queue under one lock, so each read and write with a timeout of its own enters
 * and leaves that queue, and wakes its watchdog when its deadline comes first. The bench's GitHub
 * stand-in answers in the same JVM, at no added latency, and costs the same in both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(8)
public class GitHubTimeoutsBenchmark {

    @Param({"call", "call+read+write"})
    public String timeouts;

    private GitHubStandIn standIn;
    private OkHttpTransport transport;
    private final GitHubRequest.Credential token = new GitHubRequest.Credential.Token(
            new InstallationToken("ghs_benchmark-token", Instant.now().plus(Duration.ofDays(1)),
                    TokenScope.of(1, List.of("o/r"), Map.of("contents", "read")), false));

    @Setup(Level.Trial)
    public void start() throws IOException {
        standIn = new GitHubStandIn(0);
        OkHttpClient client = OkHttpTransport.defaultClient();
        if (timeouts.equals("call+read+write")) {
            client = client.newBuilder().readTimeout(Duration.ofSeconds(11)).writeTimeout(Duration
                    .ofSeconds(10)).build();
        }
        transport = new OkHttpTransport(URI.create(standIn.baseUrl()), client);
    }

    @TearDown(Level.Trial)
    public void stop() {
        standIn.close();
    }

    @Benchmark
    public GitHubResponse getFile() throws IOException {
        return transport.send(GitHubRequest.get("/repos/o/r/contents/README.md", token));
    }
}
