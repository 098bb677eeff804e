package dev.tollgate.executor.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.ErrorClassifier;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.InstallationToken;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.TokenScope;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

class OkHttpTransportTest {

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private final GitHubRequest.Credential token = new GitHubRequest.Credential.Token(
            new InstallationToken("ghs_opaque-token-of-any-length", Instant.now().plusSeconds(
                    3600), TokenScope.of(1, List.of("o/r"), Map.of("issues", "write")), false));

    @Test
    void graphQlGoesBesideTheRestApiOnGitHubAndOnEnterpriseServer() {
        OkHttpTransport github = new OkHttpTransport(java.net.URI.create(
                "https://api.github.com"), OkHttpTransport.defaultClient());
        OkHttpTransport enterprise = new OkHttpTransport(java.net.URI.create(
                "https://ghe.example.com/api/v3/"), OkHttpTransport.defaultClient());

        assertThat(github.urlOf("/graphql")).isEqualTo("https://api.github.com/graphql");
        assertThat(enterprise.urlOf("/graphql")).isEqualTo(
                "https://ghe.example.com/api/graphql");
        assertThat(enterprise.urlOf("/repos/o/r")).isEqualTo(
                "https://ghe.example.com/api/v3/repos/o/r");
    }

    @Test
    void sendsGitHubsHeadersUnderAnEnterpriseApiPrefix() throws Exception {
        server.enqueue(new MockResponse.Builder().code(201).addHeader("x-ratelimit-remaining",
                "4999").body("{\"number\":1}").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/api/v3").uri(),
                OkHttpTransport.defaultClient());

        GitHubResponse response = transport.send(GitHubRequest.post("/repos/o/r/issues", token,
                "{\"title\":\"t\"}"));

        RecordedRequest received = server.takeRequest();
        assertThat(received.getTarget()).isEqualTo("/api/v3/repos/o/r/issues");
        assertThat(received.getHeaders().get("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(received.getHeaders().get("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(received.getHeaders().get("User-Agent")).startsWith("tollgate-executor-worker");
        assertThat(received.getHeaders().get("Authorization")).isEqualTo(
                "Bearer ghs_opaque-token-of-any-length");
        assertThat(received.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(received.getBody().utf8()).isEqualTo("{\"title\":\"t\"}");
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.headers().first("X-RateLimit-Remaining")).contains("4999");
        assertThat(response.body()).isEqualTo("{\"number\":1}");
    }

    @Test
    void returnsErrorAnswersInsteadOfThrowing() throws Exception {
        server.enqueue(new MockResponse.Builder().code(404).body("{\"message\":\"Not Found\"}")
                .build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());

        GitHubResponse response = transport.send(GitHubRequest.get("/repos/o/r", token));

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.isSuccess()).isFalse();
    }

    @Test
    void theDefaultClientBoundsTheWholeCallJustPastGitHubsTenSecondCut() {
        var client = OkHttpTransport.defaultClient();

        assertThat(client.callTimeoutMillis()).isBetween(10_000, 15_000);
        assertThat(client.connectTimeoutMillis()).isLessThanOrEqualTo(10_000);
        assertThat(client.readTimeoutMillis()).as("the call's timeout bounds every read")
                .isZero();
        assertThat(client.writeTimeoutMillis()).as("and every write").isZero();
    }

    /**
     * With no read timeout, only the call's timeout stops an answer that drips: the default client
     * with a 1 s call timeout, an answer sent 100 bytes every 200 ms (4 s for all of it).
     */
    @Test
    void anAnswerThatDripsIsCutAtTheCallsTimeoutAndSaidNotAnsweredInTime() {
        server.enqueue(new MockResponse.Builder().code(200).body("x".repeat(2_000)).throttleBody(
                100, 200, TimeUnit.MILLISECONDS).build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient().newBuilder().callTimeout(Duration.ofSeconds(1)).build());

        long started = System.nanoTime();
        assertThatExceptionOfType(InterruptedIOException.class).isThrownBy(() -> transport.send(
                GitHubRequest.get("/repos/o/r/contents/big", token))).satisfies(
                        e -> assertThat(
                                ErrorClassifier.classifyFailure(e).message()).startsWith(
                                        "GitHub did not answer in time"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).as("cut by the call's timeout, not after the whole answer")
                .isBetween(Duration.ofMillis(900), Duration.ofMillis(3_500));
    }

    @Test
    void onlyRequestsSafeToRepeatMayBeSentAgainByOkHttp() {
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());
        GitHubRequest.Credential jwt = new GitHubRequest.Credential.AppJwt("header.payload.sig");

        assertThat(transport.clientFor(GitHubRequest.get("/repos/o/r", token))
                .retryOnConnectionFailure()).isTrue();
        assertThat(transport.clientFor(GitHubRequest.post("/app/installations/1/access_tokens",
                jwt, "{}")).retryOnConnectionFailure()).isTrue();
        assertThat(transport.clientFor(GitHubRequest.post("/repos/o/r/issues", token, "{}"))
                .retryOnConnectionFailure()).isFalse();
        assertThat(transport.clientFor(GitHubRequest.patch("/repos/o/r/git/refs/heads/x", token,
                "{}")).retryOnConnectionFailure()).isFalse();
    }

    /** GitHub answers, then closes the connection, as a server does with an idle keep-alive one. */
    private MockResponse answerThenClose(String body) {
        return new MockResponse.Builder().code(200).body(body).onResponseEnd(
                new SocketEffect.CloseSocket()).build();
    }

    @Test
    void aReadOnAConnectionGitHubClosedWhileIdleIsSentAgainAndReachesGitHubOnce()
            throws Exception {
        server.enqueue(answerThenClose("{\"id\":1}"));
        server.enqueue(new MockResponse.Builder().code(200).body("[]").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());
        transport.send(GitHubRequest.get("/repos/o/r", token));

        GitHubResponse response = transport.send(GitHubRequest.get("/repos/o/r/issues", token));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[]");
        RecordedRequest first = server.takeRequest();
        RecordedRequest second = server.takeRequest();
        assertThat(second.getTarget()).isEqualTo("/repos/o/r/issues");
        assertThat(second.getConnectionIndex()).as("a new connection").isNotEqualTo(first
                .getConnectionIndex());
        assertThat(server.getRequestCount()).as("requests GitHub's stand-in read").isEqualTo(2);
    }

    @Test
    void aWriteAfterGitHubClosedAnIdleConnectionGoesOnAFreshConnectionAndIsSentOnce()
            throws Exception {
        server.enqueue(answerThenClose("{\"id\":1}"));
        server.enqueue(new MockResponse.Builder().code(201).body("{\"number\":1}").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());
        transport.send(GitHubRequest.get("/repos/o/r", token));

        GitHubResponse response = transport.send(GitHubRequest.post("/repos/o/r/issues", token,
                "{\"title\":\"t\"}"));

        assertThat(response.status()).isEqualTo(201);
        server.takeRequest();
        assertThat(server.takeRequest().getTarget()).isEqualTo("/repos/o/r/issues");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void noRedirectIsFollowedEvenOnAClientThatWouldFollowOne() throws Exception {
        for (int status : new int[]{301, 302, 303, 307, 308}) {
            server.enqueue(new MockResponse.Builder().code(status).addHeader("Location",
                    "/api/v4/projects/other/variables").build());
        }
        server.enqueue(new MockResponse.Builder().code(200).body("[{\"key\":\"SECRET\"}]")
                .build());
        OkHttpTransport forge = OkHttpTransport.forge(server.url("/api/v4").uri(),
                new okhttp3.OkHttpClient(), ResponseBudget.forHeap(Runtime.getRuntime()
                        .maxMemory()));

        List<Integer> statuses = new java.util.ArrayList<>();
        statuses.add(forge.send(GitHubRequest.get("/projects/p/releases/v1/downloads/x.json",
                token)).status());
        for (int i = 0; i < 4; i++) {
            statuses.add(forge.send(GitHubRequest.post("/projects/p/issues", token,
                    "{\"title\":\"t\"}")).status());
        }

        assertThat(statuses).containsExactly(301, 302, 303, 307, 308);
        assertThat(server.getRequestCount()).as("requests the server received").isEqualTo(5);
        for (int i = 0; i < 5; i++) {
            assertThat(server.takeRequest().getTarget()).doesNotContain("variables");
        }
        GitHubError error = ErrorClassifier.classify("gitlab:gitlab.test", 302,
                dev.tollgate.executor.core.ResponseHeaders.of(Map.of()), "", Instant.now());
        assertThat(error.errorClass()).isEqualTo(ErrorClass.REDIRECT_NOT_FOLLOWED);
        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).contains("HTTP 302", "does not follow");
    }

    @Test
    void theRedirectFollowedByHandCarriesNoCredentialAndIsFollowedOnceOnly() throws Exception {
        server.enqueue(new MockResponse.Builder().code(302).addHeader("Location",
                "/_signed/log?sig=s").build());
        server.enqueue(new MockResponse.Builder().code(302).addHeader("Location",
                "/repos/o/other/actions/secrets").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());
        GitHubResponse redirect = transport.send(GitHubRequest.get(
                "/repos/o/r/actions/jobs/1/logs", token));

        GitHubResponse followed = transport.fetchRedirect("/repos/o/r/actions/jobs/1/logs",
                redirect, GitHubRequest.Caller.APP, null);

        assertThat(followed.status()).as("the second redirect is returned, not followed")
                .isEqualTo(302);
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(server.takeRequest().getHeaders().get("Authorization")).startsWith("Bearer ");
        RecordedRequest signed = server.takeRequest();
        assertThat(signed.getTarget()).isEqualTo("/_signed/log?sig=s");
        assertThat(signed.getHeaders().get("Authorization")).isNull();
    }

    @Test
    void aWriteAnswered503WithRetryAfterZeroIsNotSentAgainByOkHttp() throws Exception {
        for (int i = 0; i < 2; i++) {
            server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "0")
                    .build());
        }
        server.enqueue(new MockResponse.Builder().code(201).body("{\"number\":1}").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());

        GitHubResponse post = transport.send(GitHubRequest.post("/repos/o/r/issues", token,
                "{\"title\":\"t\"}"));
        GitHubResponse emptyPut = transport.send(new GitHubRequest("PUT",
                "/repos/o/r/pulls/1/merge", token, java.util.Optional.empty()));

        assertThat(post.status()).isEqualTo(503);
        assertThat(emptyPut.status()).as("an empty write body is one-shot too").isEqualTo(503);
        assertThat(server.getRequestCount()).as("requests the server received").isEqualTo(2);
        assertThat(server.takeRequest().getTarget()).isEqualTo("/repos/o/r/issues");
        RecordedRequest put = server.takeRequest();
        assertThat(put.getMethod()).isEqualTo("PUT");
        assertThat(put.getHeaders().get("Content-Length")).isEqualTo("0");
    }

    @Test
    void aWriteWhoseConnectionBreaksAfterItWasSentIsNeverSentAgain() throws Exception {
        server.enqueue(new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket())
                .build());
        server.enqueue(new MockResponse.Builder().code(201).body("{\"number\":2}").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());

        assertThatThrownBy(() -> transport.send(GitHubRequest.post("/repos/o/r/issues", token,
                "{\"title\":\"t\"}"))).isInstanceOf(IOException.class);

        assertThat(server.takeRequest().getTarget()).isEqualTo("/repos/o/r/issues");
        assertThat(server.getRequestCount()).as("the write reached GitHub's stand-in once")
                .isEqualTo(1);
    }

    @Test
    void aWriteIsNotSentOnAPooledConnection() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
        server.enqueue(new MockResponse.Builder().code(201).body("{}").build());
        server.enqueue(new MockResponse.Builder().code(201).body("{}").build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient());

        transport.send(GitHubRequest.get("/repos/o/r", token));
        transport.send(GitHubRequest.post("/repos/o/r/issues", token, "{}"));
        transport.send(GitHubRequest.post("/repos/o/r/issues", token, "{}"));

        List<Integer> connections = List.of(server.takeRequest().getConnectionIndex(), server
                .takeRequest().getConnectionIndex(), server.takeRequest().getConnectionIndex());
        assertThat(connections).doesNotHaveDuplicates();
    }

    private static final long MAX_RESPONSE = 256 * 1024;

    @Test
    void aBodyOfUnknownLengthIsNeverReadPastTheMostReadOfOneAnswer() throws Exception {
        ResponseBudget budget = new ResponseBudget(4 * MAX_RESPONSE, MAX_RESPONSE, Duration
                .ofSeconds(60));
        server.enqueue(new MockResponse.Builder().chunkedBody("x".repeat(16 * 1024 * 1024),
                64 * 1024).build()); // 16 MiB, chunked: no declared length
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient(), budget);

        GitHubResponse response = transport.send(GitHubRequest.get("/repos/o/r/issues", token));

        assertThat(response.complete()).isFalse();
        assertThat(response.body()).isEmpty();
        assertThat(response.tooLarge().limit()).isEqualTo(MAX_RESPONSE);
        assertThat(response.tooLarge().atLeast()).as("read one byte past the limit, no more")
                .isEqualTo(MAX_RESPONSE + 1);
        assertThat(budget.peak()).isLessThanOrEqualTo(MAX_RESPONSE + 1);
        assertThat(budget.held()).isZero();
    }

    @Test
    void aBodyDeclaredLargerThanTheMostReadOfOneAnswerIsNotReadAtAll() throws Exception {
        ResponseBudget budget = new ResponseBudget(4 * MAX_RESPONSE, MAX_RESPONSE, Duration
                .ofSeconds(60));
        server.enqueue(new MockResponse.Builder().body("y".repeat(3 * 1024 * 1024)).build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient(), budget);

        GitHubResponse response = transport.send(GitHubRequest.get("/repos/o/r", token));

        assertThat(response.tooLarge().atLeast()).isEqualTo(3 * 1024 * 1024);
        assertThat(budget.peak()).as("only the first chunk, reserved before sending").isEqualTo(
                ResponseBudget.CHUNK_BYTES);
        assertThat(budget.held()).isZero();
    }

    @Test
    void aBodyWithinTheLimitIsReadWholeAndItsBytesGivenBack() throws Exception {
        ResponseBudget budget = new ResponseBudget(4 * MAX_RESPONSE, MAX_RESPONSE, Duration
                .ofSeconds(60));
        String body = "\u00e9".repeat((int) MAX_RESPONSE / 2); // exactly the limit in bytes
        server.enqueue(new MockResponse.Builder().chunkedBody(body, 1000).build());
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient(), budget);

        GitHubResponse response = transport.send(GitHubRequest.get("/repos/o/r", token));

        assertThat(response.complete()).isTrue();
        assertThat(response.body()).isEqualTo(body);
        assertThat(budget.peak()).isLessThanOrEqualTo(MAX_RESPONSE + 1);
        assertThat(budget.held()).isZero();
    }

    @Test
    void aCallThatFindsNoRoomInTheReplicasBudgetFailsRetryableWithoutSendingAnything()
            throws Exception {
        ResponseBudget budget = new ResponseBudget(MAX_RESPONSE, MAX_RESPONSE, Duration.ofMillis(
                200));
        OkHttpTransport transport = new OkHttpTransport(server.url("/").uri(), OkHttpTransport
                .defaultClient(), budget);
        server.enqueue(new MockResponse.Builder().body("{}").build());

        try (ResponseBudget.Account others = budget.account()) {
            others.reserve(MAX_RESPONSE - ResponseBudget.CHUNK_BYTES + 1); // no room for a chunk
            assertThatExceptionOfType(GitHubCallException.class).isThrownBy(() -> transport.send(
                    GitHubRequest.get("/repos/o/r", token))).satisfies(e -> {
                        assertThat(e.error().errorClass()).isEqualTo(ErrorClass.TRANSIENT);
                        assertThat(e.error().retryable()).isTrue();
                        assertThat(e.error().message()).contains(
                                "tollgate.executor.response-bytes-in-flight");
                    });
            assertThat(server.getRequestCount()).as("nothing sent to GitHub").isZero();
        }
        GitHubResponse later = transport.send(GitHubRequest.get("/repos/o/r", token));

        assertThat(later.body()).isEqualTo("{}");
        assertThat(budget.peak()).isLessThanOrEqualTo(budget.capacity());
        assertThat(budget.held()).isZero();
    }
}
