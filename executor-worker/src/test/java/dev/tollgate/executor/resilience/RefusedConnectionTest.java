package dev.tollgate.executor.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.testsupport.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection GitHub refuses (nothing listening yet: a restart, a load balancer turning a node
 * away) was never sent: a read, and even a write, is made again once it is accepted, over real
 * sockets and the real OkHttp client. The refusal is a real {@code ECONNREFUSED} from a loopback
 * port nothing listens on; the server starts there during the retry's wait.
 */
class RefusedConnectionTest {

    private static final RetryPolicy NO_JITTER = new RetryPolicy(4, Duration.ofMillis(500),
            Duration.ofSeconds(8), Duration.ofSeconds(60), () -> 1.0);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
    private final MockWebServer github = new MockWebServer();
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private int port;
    private ScheduledThreadPoolExecutor scheduler;
    private ResilientTransport transport;

    @BeforeEach
    void refuseConnections() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // closed again: connecting to it is refused
        }
        // The retry's wait, recorded and not slept; GitHub comes up during it.
        scheduler = new ScheduledThreadPoolExecutor(1) {
            @Override
            public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
                waits.add(Duration.ofNanos(unit.toNanos(delay)));
                clock.advance(Duration.ofNanos(unit.toNanos(delay)));
                try {
                    if (!github.getStarted()) {
                        github.start(InetAddress.getLoopbackAddress(), port);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("cannot start the stand-in on " + port, e);
                }
                return super.schedule(command, 0, TimeUnit.NANOSECONDS);
            }
        };
        transport = new ResilientTransport(new OkHttpTransport(URI.create("http://127.0.0.1:"
                + port), OkHttpTransport.defaultClient()), "stand-in", NO_JITTER,
                ResilientTransport.breakerFor("stand-in", Duration.ofSeconds(30), clock), Duration
                        .ofSeconds(30),
                new WritePacer(Duration.ZERO, clock, wait -> {
                }), scheduler, clock);
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        github.close();
    }

    @Test
    void aReadMeetingARefusedConnectionIsMadeAgainAndAnswered() throws Exception {
        github.enqueue(new MockResponse.Builder().code(200).body("{\"name\":\"hello\"}").build());

        GitHubResponse answer = transport.send(GitHubRequest.get("/repos/octo/hello", token()));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("hello");
        assertThat(waits).as("the one wait before the second attempt").singleElement();
        assertThat(github.getRequestCount()).as("requests that reached GitHub").isEqualTo(1);
    }

    @Test
    void aWriteMeetingARefusedConnectionWasNeverSentSoItIsMadeAgainOnce() throws Exception {
        github.enqueue(new MockResponse.Builder().code(201).body("{\"number\":1}").build());

        GitHubResponse answer = transport.send(GitHubRequest.post("/repos/octo/hello/issues",
                token(), "{\"title\":\"t\"}"));

        assertThat(answer.status()).isEqualTo(201);
        RecordedRequest received = github.takeRequest(5, TimeUnit.SECONDS);
        assertThat(received).as("the write, once it was accepted").isNotNull();
        assertThat(received.getMethod()).isEqualTo("POST");
        assertThat(github.getRequestCount()).as("writes that reached GitHub").isEqualTo(1);
        assertThat(waits).singleElement();
    }

    private static GitHubRequest.Credential token() {
        return new GitHubRequest.Credential.RepositoryListing("ghs_refused_connection_test");
    }
}
