package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.AnswerLimit;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.executor.http.OkHttpTransport;
import dev.tollgate.executor.metrics.ExecutorMetrics;
import dev.tollgate.executor.resilience.ResilientTransport;
import dev.tollgate.executor.resilience.WritePacer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import mockwebserver3.MockResponse;
import okhttp3.Dns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where {@code get_job_log}'s redirect may lead, through the chain the assembly builds (OkHttp
 * with a resolver of the test's, the metrics' timing, the log storage's breaker): the redirect's
 * target comes from an upstream's answer, so a name that resolves to an address of this machine
 * or its network is refused exactly like such an address written out ({@code
 * redirect_not_followed}, not retried, nothing fetched, not the store's failure), whatever form
 * the address takes, and a resolver that answers differently the second time (DNS rebinding) is
 * asked once: the addresses checked are the ones connected to.
 */
class JobLogRedirectAddressTest {

    private static final long JOB = 29_679_449_000L;
    private static final String LOGS = "/repos/octo/hello/actions/jobs/" + JOB + "/logs";

    /** Names the test's resolver answers, with what; every other name the system's resolver. */
    private final Map<String, Function<Integer, List<InetAddress>>> names = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private final Dns resolver = hostname -> {
        int lookup = lookups.computeIfAbsent(hostname, h -> new AtomicInteger()).incrementAndGet();
        Function<Integer, List<InetAddress>> answer = names.get(hostname);
        return answer == null ? Dns.SYSTEM.lookup(hostname) : answer.apply(lookup);
    };
    /** A service on loopback that no redirect may reach: it counts who connects. */
    private final ServerSocket internal;
    private final List<Socket> connected = new CopyOnWriteArrayList<>();
    private final ExecutorHarness harness = new ExecutorHarness();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ResponseBudget budget = new ResponseBudget(1 << 20, 256 * 1024, Duration
            .ofSeconds(30));
    private final ResilientTransport transport = new ResilientTransport(ExecutorMetrics.timed(
            new OkHttpTransport(harness.github.apiUrl(), OkHttpTransport.defaultClient()
                    .newBuilder().dns(resolver).connectTimeout(Duration.ofSeconds(2))
                    .callTimeout(Duration.ofSeconds(10)).build(), budget),
            registry), "stand-in", RetryPolicy.defaults(),
            ResilientTransport.breakerFor(
                    "stand-in", ExecutorHarness.OPEN_WAIT, harness.clock),
            ExecutorHarness.OPEN_WAIT, new WritePacer(Duration.ofSeconds(1), harness.clock,
                    pause -> {
                    }),
            harness.scheduler, harness.clock);
    private final ToolCallExecutor executor = new ToolCallExecutor(harness.installations,
            harness.tokens, transport, new InMemoryCompletionStore(100), harness.clock).limitedBy(
                    AnswerLimit.defaults(), budget);

    JobLogRedirectAddressTest() throws IOException {
        internal = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofVirtual().start(() -> {
            while (!internal.isClosed()) {
                try {
                    connected.add(internal.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        });
        harness.github.repo("octo", "hello").jobLogs.put(JOB, "line 1\nline 2\n");
    }

    @AfterEach
    void stop() throws IOException {
        internal.close();
        for (Socket socket : connected) {
            socket.close();
        }
        harness.close();
    }

    private ToolCallCompleted jobLogRedirectedTo(String location) {
        harness.github.script("GET", LOGS, new MockResponse.Builder().code(302).addHeader(
                "Location", location).build());
        return executor.execute(harness.decision("get_job_log", "{\"owner\":\"octo\","
                + "\"repo\":\"hello\",\"job_id\":" + JOB + "}"));
    }

    private long redirectsTimed(String status) {
        Timer timer = registry.find(ExecutorMetrics.GITHUB_REDIRECTS).tag("status", status)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** As a resolver may hand it back: an IPv6 address that is not turned into an IPv4 one. */
    private static InetAddress ipv6(String host, String literal) {
        try {
            byte[] bytes = new byte[16];
            byte[] given = InetAddress.getByName(literal).getAddress();
            if (given.length == 4) { // a.b.c.d as ::ffff:a.b.c.d
                bytes[10] = (byte) 0xff;
                bytes[11] = (byte) 0xff;
                System.arraycopy(given, 0, bytes, 12, 4);
            } else {
                bytes = given;
            }
            return Inet6Address.getByAddress(host, bytes, null);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRefused(ToolCallCompleted answer, String host) {
        assertThat(answer.getErrorCode()).as(answer.getMessage()).isEqualTo(
                "redirect_not_followed");
        assertThat(answer.getRetryable()).isFalse();
        assertThat(answer.getMessage()).contains(host).doesNotContain("sig=");
    }

    @Test
    void aNameResolvingToALocalAddressIsRefusedLikeTheAddressWrittenOutAndIsNotTheStoresFailure() {
        int port = internal.getLocalPort();
        Map<String, List<InetAddress>> local = Map.of("loopback.logs.test", List.of(address(
                "127.0.0.1")), "metadata.logs.test", List.of(address("169.254.169.254")),
                "private.logs.test", List.of(address("10.0.0.7")), "cgnat.logs.test", List.of(
                        address("100.100.100.200")),
                "v6-loopback.logs.test", List.of(address("::1")), "mapped.logs.test", List.of(
                        ipv6("mapped.logs.test", "127.0.0.1")),
                "aws-v6.logs.test", List.of(address("fd00:ec2::254")), "mixed.logs.test", List
                        .of(address("192.0.2.10"), address("127.0.0.1")));
        local.forEach((name, addresses) -> names.put(name, lookup -> addresses));

        for (String name : local.keySet()) {
            assertRefused(jobLogRedirectedTo("https://" + name + ":" + port
                    + "/latest/meta-data/?sig=s"), name);
        }
        assertRefused(jobLogRedirectedTo("https://127.0.0.1:" + port + "/x?sig=s"), "127.0.0.1");

        assertThat(connected).as("nothing reached the local service").isEmpty();
        assertThat(transport.storageBreaker().getMetrics().getNumberOfFailedCalls()).as(
                "not the log storage's failure").isZero();
        assertThat(transport.storageBreaker().getMetrics().getNumberOfBufferedCalls()).isZero();
        assertThat(redirectsTimed("refused")).isEqualTo(local.size() + 1);
        assertThat(redirectsTimed("io_error")).isZero();
        assertThat(harness.github.requests("GET", LOGS)).as("each asked once: not retried")
                .hasSize(local.size() + 1);
    }

    @Test
    void aResolverThatAnswersALocalAddressTheSecondTimeIsAskedOnceAndNothingLocalIsReached() {
        int port = internal.getLocalPort();
        names.put("rebind.logs.test", lookup -> lookup == 1
                ? List.of(address("192.0.2.10")) // TEST-NET-1: public in form, unreachable here
                : List.of(address("127.0.0.1")));

        ToolCallCompleted answer = jobLogRedirectedTo("https://rebind.logs.test:" + port
                + "/job-logs/1?sig=s");

        assertThat(answer.getStatus()).as(answer.getErrorCode() + ": " + answer.getMessage())
                .isEqualTo(CallStatus.FAILED);
        assertThat(connected).as("the second answer was never connected to").isEmpty();
        assertThat(lookups.get("rebind.logs.test")).as("looked up by the client's own resolver")
                .isNotNull();
        assertThat(lookups.get("rebind.logs.test").get()).as(
                "the addresses checked are the ones connected to: one lookup").isEqualTo(1);
    }

    @Test
    void aRedirectToAnotherPortOfTheApisLoopbackHostIsRefused() {
        String apiHost = harness.github.apiUrl().getHost();

        ToolCallCompleted answer = jobLogRedirectedTo("https://" + apiHost + ":" + internal
                .getLocalPort() + "/internal?sig=s");

        assertRefused(answer, apiHost);
        assertThat(connected).isEmpty();
    }
}
