package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.ingress.webhooks.WebhookController;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.WebhookSignature;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.WithKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signed GitHub deliveries (real payloads from @octokit/webhooks-examples) through the real HTTP
 * endpoint and the embedded broker: what is recorded on gateway.installations, and that forged,
 * unsigned, oversized, malformed or replayed deliveries record nothing.
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "server.address=127.0.0.1",
        "tollgate.github.webhook-secret=" + WebhookIntegrationTest.SECRET,
        "tollgate.github.environments.prod.webhook-secret=" + WebhookIntegrationTest.PROD_SECRET,
        "tollgate.github.webhook-max-bytes=16384", "tollgate.ingress.refusals.interval=1s"})
class WebhookIntegrationTest {

    static final String SECRET = "default-app-webhook-secret";
    static final String PROD_SECRET = "prod-app-webhook-secret";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    InstallationRegistryFeed feed;

    @Autowired
    WebhookController controller;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    @BeforeEach
    void registryLoaded() throws InterruptedException {
        assertThat(feed.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
    }

    @Test
    void anInstallationsLifecycleIsRecordedKeyedByInstallationId() {
        byte[] created = fixture("installation.created.1");
        byte[] added = fixture("installation_repositories.added.1");
        byte[] removed = reshaped("installation_repositories.removed.1", 957387, "Codertocat",
                "repositories_removed", "Codertocat/Hello-World");
        byte[] deleted = reshaped("installation.deleted.1", 957387, "Codertocat", null, null);

        List<HttpResponse<String>> answers = List.of(deliver("installation", created, SECRET),
                deliver("installation_repositories", added, SECRET), deliver(
                        "installation_repositories", removed, SECRET),
                deliver("installation",
                        deleted, SECRET));

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).as(answer
                .body()).isEqualTo(200));
        List<InstallationChanged> changes = recorded(957387);
        assertThat(changes).extracting(InstallationChanged::getTrigger).containsExactly(
                "installation.created", "installation_repositories.added",
                "installation_repositories.removed", "installation.deleted");
        assertThat(changes).extracting(InstallationChanged::getRepositories).containsExactly(
                List.of("codertocat/hello-world"), List.of("codertocat/hello-world",
                        "codertocat/space"),
                List.of("codertocat/space"), List.of("codertocat/space"));
        assertThat(changes).extracting(InstallationChanged::getStatus).containsExactly(
                InstallationStatus.ACTIVE, InstallationStatus.ACTIVE, InstallationStatus.ACTIVE,
                InstallationStatus.DELETED);
        InstallationChanged first = changes.get(0);
        assertThat(first.getEnvironment()).isEqualTo(AppEnvironments.DEFAULT);
        assertThat(first.getAccount()).isEqualTo("codertocat");
        assertThat(first.getRepositorySelection()).isEqualTo(RepositorySelection.SELECTED);
        assertThat(first.getPermissions()).containsEntry("metadata", "read");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS).stream().filter(r -> r.value()
                .getInstallationId() == 957387).map(ConsumerRecord::key)).containsOnly("957387");
    }

    @Test
    void suspendAndUnsuspendAreRecorded() {
        HttpResponse<String> suspended = deliver("installation", fixture(
                "installation.suspend.1"), SECRET);
        HttpResponse<String> unsuspended = deliver("installation", fixture(
                "installation.unsuspend.1"), SECRET);

        assertThat(suspended.statusCode()).as(suspended.body()).isEqualTo(200);
        assertThat(unsuspended.statusCode()).as(unsuspended.body()).isEqualTo(200);
        assertThat(recorded(16598467)).extracting(InstallationChanged::getStatus)
                .containsSubsequence(InstallationStatus.SUSPENDED, InstallationStatus.ACTIVE);
    }

    @Test
    void theEnvironmentWhoseSecretVerifiesTheDeliveryNamesIt() {
        byte[] body = reshaped("installation.created.1", 4242, "prod-org", null, null);

        HttpResponse<String> answer = deliver("installation", body, PROD_SECRET);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(recorded(4242)).extracting(InstallationChanged::getEnvironment)
                .containsExactly("prod");
    }

    @Test
    void aDeliveryForAnotherEnvironmentsInstallationChangesNothingAndIsAudited() {
        assertThat(deliver("installation", reshaped("installation.created.1", 7373, "prod-owned",
                null, null), PROD_SECRET).statusCode()).isEqualTo(200);

        // signed with the default environment's secret, aimed at prod's installation
        HttpResponse<String> aimed = deliver("installation", reshaped("installation.deleted.1",
                7373, "prod-owned", null, null), SECRET);

        assertThat(aimed.statusCode()).as(aimed.body()).isEqualTo(200);
        assertThat(aimed.body()).contains("\"stale\"").contains(
                "registered under environment 'prod'");
        assertThat(recorded(7373)).extracting(InstallationChanged::getStatus).containsExactly(
                InstallationStatus.ACTIVE);
        List<ConsumerRecord<String, AccessRefused>> refusals = KafkaProbe.awaitUntil(
                Topics.REFUSALS, event -> event.getReason().equals("foreign_installation")
                        && event.getDetail() != null && event.getDetail().contains(
                                "installation 7373 "),
                found -> !found.isEmpty());
        assertThat(refusals).as("a foreign_installation refusal of installation 7373 on %s"
                + " within 30 s; refusals there: %s", Topics.REFUSALS.name(),
                KafkaProbe.readAll(
                        Topics.REFUSALS).stream().map(r -> r.value().getReason()).toList())
                .isNotEmpty();
        AccessRefused refusal = refusals.getFirst().value();
        assertThat(refusal.getEndpoint()).isEqualTo("webhook");
        assertThat(refusal.getEnvironment()).as("whose secret signed it").isEqualTo(
                AppEnvironments.DEFAULT);
        assertThat(refusal.getDetail()).contains("registered under environment 'prod'");
    }

    @Test
    void aReplayedDeliveryIsAcknowledgedAndChangesNothing() {
        byte[] body = reshaped("installation.created.1", 5151, "replayed-org", null, null);
        String delivery = UUID.randomUUID().toString();
        HttpResponse<String> first = deliver("installation", body, SECRET, delivery);
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        HttpResponse<String> again = deliver("installation", body, SECRET, delivery);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"duplicate\"");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
        assertThat(recorded(5151)).hasSize(1);
    }

    @Test
    void aCapturedBodyReplayedUnderANewDeliveryIdChangesNothing() {
        byte[] uninstall = reshaped("installation.deleted.1", 5252, "replay-org", null, null);
        byte[] install = reshaped("installation.created.1", 5252, "replay-org", null, null);
        deliver("installation", install, SECRET);
        deliver("installation", uninstall, SECRET);
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        HttpResponse<String> replayed = deliver("installation", install, SECRET, UUID
                .randomUUID().toString());

        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).contains("\"duplicate\"");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
        assertThat(recorded(5252)).extracting(InstallationChanged::getStatus).containsExactly(
                InstallationStatus.ACTIVE, InstallationStatus.DELETED);
    }

    @Test
    void aDeliveryOlderThanTheStateHeldNeverRollsItBack() {
        byte[] suspended = reshaped("installation.suspend.1", 5353, "rollback-org", null, null,
                CREATED_AT + 3600);
        byte[] olderUnsuspend = reshaped("installation.unsuspend.1", 5353, "rollback-org", null,
                null, CREATED_AT);
        deliver("installation", reshaped("installation.created.1", 5353, "rollback-org", null,
                null), SECRET);
        deliver("installation", suspended, SECRET);
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        HttpResponse<String> late = deliver("installation", olderUnsuspend, SECRET);

        assertThat(late.statusCode()).as(late.body()).isEqualTo(200);
        assertThat(late.body()).contains("\"stale\"", "older than the state held");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
        assertThat(recorded(5353)).extracting(InstallationChanged::getStatus).containsExactly(
                InstallationStatus.ACTIVE, InstallationStatus.SUSPENDED);
    }

    @Test
    void anOversizedDeliveryIsRefusedBeforeItsBodyIsRead() {
        RawHttp.Answer answer = RawHttp.exchange(null, port, "POST " + WebhookController.PATH
                + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json"
                + "\r\nX-Hub-Signature-256: sha256=" + "0".repeat(64) + "\r\nX-GitHub-Event:"
                + " installation\r\nX-GitHub-Delivery: d\r\nContent-Length: 100000000"
                + "\r\nConnection: close", new byte[0], 20);

        assertThat(answer.status()).as(answer.text()).isEqualTo(413);
        assertThat(answer.body()).contains("payload_too_large");
    }

    @Test
    void slowBodiesBeyondTheBoundAreRefusedWith503AndAValidDeliverySucceedsOnceTheyEnd()
            throws Exception {
        List<Socket> slow = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < DEFAULT_MAX_CONCURRENT; i++) {
                slow.add(startSlowBody(1000, 10));
            }
            awaitEverySlotHeld();

            HttpResponse<String> refused = awaitStatus(503, () -> deliver("ping", fixture(
                    "ping.ping.4"), SECRET));

            assertThat(refused.body()).contains("\"busy\"", "webhook-max-concurrent");
            assertThat(refused.headers().firstValue("Retry-After")).contains("10");
            for (Socket socket : slow) {
                socket.getOutputStream().write(new byte[990]);
                socket.getOutputStream().flush();
                assertThat(new String(socket.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8)).startsWith("HTTP/1.1 401");
            }
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
        }
        byte[] body = reshaped("installation.created.1", 9191, "after-the-flood-org", null,
                null);

        HttpResponse<String> answer = awaitStatus(200, () -> deliver("installation", body,
                SECRET));

        assertThat(answer.body()).contains("\"recorded\"");
        assertThat(recorded(9191)).hasSize(1);
    }

    /**
     * Four slow senders hold every slot (a genuine delivery gets 503), one of them sending a byte
     * every half second so that no read ever waits long: each is cut at the body deadline
     * (tollgate.github.webhook-body-timeout, 10 s by default) with 408 and its connection closed,
     * not after Tomcat's per-read timeout, and a genuine delivery is then recorded.
     */
    @Test
    void slowSendersAreCutAtTheBodyDeadlineWith408AndAGenuineDeliveryIsThenRecorded()
            throws Exception {
        List<Socket> slow = new java.util.ArrayList<>();
        Thread dripper = null;
        List<String> answers = new java.util.ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < DEFAULT_MAX_CONCURRENT; i++) {
                slow.add(startSlowBody(1000, 10));
            }
            Socket dripping = slow.get(0);
            dripper = Thread.ofPlatform().daemon().name("dripper").start(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        dripping.getOutputStream().write(' ');
                        dripping.getOutputStream().flush();
                        Thread.sleep(500);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut by the server (or the test ended)
                }
            });
            awaitEverySlotHeld();
            HttpResponse<String> refused = awaitStatus(503, () -> deliver("ping", fixture(
                    "ping.ping.4"), SECRET));
            assertThat(refused.body()).contains("\"busy\"");

            for (Socket socket : slow) {
                socket.setSoTimeout(45_000); // under Tomcat's own read timeout (60 s)
                answers.add(new String(socket.getInputStream().readAllBytes(),
                        StandardCharsets.UTF_8));
            }
        } finally {
            if (dripper != null) {
                dripper.interrupt();
            }
            for (Socket socket : slow) {
                socket.close();
            }
        }
        Duration cutAfter = Duration.ofNanos(System.nanoTime() - started);
        byte[] body = reshaped("installation.created.1", 9292, "after-the-slow-senders-org",
                null, null);

        HttpResponse<String> answer = awaitStatus(200, () -> deliver("installation", body,
                SECRET));

        assertThat(answers).as("what each slow sender was answered (its connection then closed)")
                .allSatisfy(text -> assertThat(text).startsWith("HTTP/1.1 408").contains(
                        "\"body_timeout\"", "tollgate.github.webhook-body-timeout"));
        assertThat(cutAfter).as("not before the 10 s deadline").isGreaterThanOrEqualTo(Duration
                .ofSeconds(9));
        assertThat(answer.body()).contains("\"recorded\"");
        assertThat(recorded(9292)).hasSize(1);
    }

    /** The default of tollgate.github.webhook-max-concurrent. */
    private static final int DEFAULT_MAX_CONCURRENT = 4;

    /** A delivery with a bad signature that declares {@code declared} bytes and sends a few. */
    private Socket startSlowBody(int declared, int sent) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Content-Type: application/json\r\nX-GitHub-Event: installation\r\n"
                + "X-GitHub-Delivery: " + UUID.randomUUID() + "\r\n"
                + "X-Hub-Signature-256: sha256=" + "0".repeat(64) + "\r\nContent-Length: "
                + declared + "\r\nConnection: close\r\n\r\n").getBytes(
                        StandardCharsets.US_ASCII));
        out.write(new byte[sent]);
        out.flush();
        return socket;
    }

    /**
     * Until the slow senders hold every slot: a genuine delivery sent before Tomcat has handed
     * them all to the controller (the first requests of a new server are slower) would take a
     * slot itself and leave one of them refused.
     */
    private void awaitEverySlotHeld() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (controller.deliveriesInProgress() < DEFAULT_MAX_CONCURRENT && System
                .nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(controller.deliveriesInProgress()).as("deliveries holding a slot 30 s after"
                + " the slow senders sent their headers").isEqualTo(DEFAULT_MAX_CONCURRENT);
    }

    /** Repeats {@code call} until it answers {@code status} (10 s at most); its last answer. */
    private static HttpResponse<String> awaitStatus(int status,
            java.util.function.Supplier<HttpResponse<String>> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> answer = call.get();
        while (answer.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            answer = call.get();
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        return answer;
    }

    @Test
    void forgedUnsignedOversizedAndMalformedDeliveriesAreRefusedAndRecordNothing() {
        byte[] body = reshaped("installation.deleted.1", 6161, "victim-org", null, null);
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        HttpResponse<String> forged = deliver("installation", body, "guessed-secret");
        HttpResponse<String> unsigned = post(body, headers("installation", UUID.randomUUID()
                .toString(), null));
        HttpResponse<String> tampered = post(body, headers("installation", UUID.randomUUID()
                .toString(), sign(SECRET, fixture("installation.created.1"))));
        byte[] big = new byte[20_000];
        java.util.Arrays.fill(big, (byte) ' ');
        HttpResponse<String> oversized = deliver("installation", big, SECRET);
        HttpResponse<String> malformed = deliver("installation", "{not json".getBytes(
                StandardCharsets.UTF_8), SECRET);
        HttpResponse<String> noInstallation = deliver("installation", "{\"action\": \"deleted\"}"
                .getBytes(StandardCharsets.UTF_8), SECRET);

        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("signature does not match the body");
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("missing X-Hub-Signature-256");
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(oversized.statusCode()).isEqualTo(413);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON").doesNotContain("Exception");
        assertThat(noInstallation.statusCode()).isEqualTo(400);
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
        assertThat(recorded(6161)).isEmpty();
    }

    @Test
    void untrackedEventsSuchAsPingAreAcknowledgedAndIgnored() {
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        HttpResponse<String> ping = deliver("ping", fixture("ping.ping.4"), SECRET);

        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(ping.body()).contains("\"ignored\"");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
    }

    @Test
    void aDeliveryToAHostNotServedHereIsRefusedEvenWhenSigned() throws IOException {
        byte[] body = reshaped("installation.created.1", 7171, "rebound-org", null, null);
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        String answer = rawPost("evil.example", body, sign(SECRET, body));

        assertThat(answer).startsWith("HTTP/1.1 403");
        assertThat(answer).contains("is not served here");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
    }

    @Test
    void theWebhookNeedsNoGatewayToken() {
        byte[] body = reshaped("installation.created.1", 8181, "tokenless-org", null, null);

        HttpResponse<String> answer = deliver("installation", body, SECRET);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("WWW-Authenticate")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------

    static byte[] fixture(String name) {
        try (InputStream in = WebhookIntegrationTest.class.getResourceAsStream("/webhooks/"
                + name + ".json")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A real payload with another installation ID and account (and, if named, repository). */
    /**
     * A real example delivery about another installation and account; its {@code updated_at} is
     * that of {@code installation.created.1}, so that examples captured years apart describe one
     * moment of one installation (an older one would be stale).
     */
    static byte[] reshaped(String name, long installationId, String account, String listField,
            String repository) {
        return reshaped(name, installationId, account, listField, repository, CREATED_AT);
    }

    /** The {@code updated_at} of {@code installation.created.1}. */
    static final long CREATED_AT = 1557933591L;

    static byte[] reshaped(String name, long installationId, String account, String listField,
            String repository, long updatedAt) {
        ObjectNode payload = (ObjectNode) JSON.readTree(fixture(name));
        ObjectNode installation = (ObjectNode) payload.get("installation");
        installation.put("id", installationId);
        // one App's installation (the examples come from two Apps; an App ID never changes)
        installation.put("app_id", 29310);
        installation.put("updated_at", updatedAt);
        ((ObjectNode) installation.get("account")).put("login", account);
        if (listField != null) {
            ((ObjectNode) payload.get(listField).get(0)).put("full_name", repository);
        }
        return JSON.writeValueAsBytes(payload);
    }

    static String sign(String secret, byte[] body) {
        return WebhookSignature.withSecret(secret).sign(body);
    }

    private List<InstallationChanged> recorded(long installationId) {
        return KafkaProbe.readAll(Topics.INSTALLATIONS).stream().map(ConsumerRecord::value)
                .filter(change -> change.getInstallationId() == installationId).toList();
    }

    private HttpResponse<String> deliver(String event, byte[] body, String secret) {
        return deliver(event, body, secret, UUID.randomUUID().toString());
    }

    private HttpResponse<String> deliver(String event, byte[] body, String secret,
            String delivery) {
        return post(body, headers(event, delivery, sign(secret, body)));
    }

    private static Map<String, String> headers(String event, String delivery, String signature) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", delivery);
        headers.put("User-Agent", "GitHub-Hookshot/test");
        if (signature != null) {
            headers.put("X-Hub-Signature-256", signature);
        }
        return headers;
    }

    private HttpResponse<String> post(byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port + "/webhooks/github")).header("Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** java.net.http will not send another Host; a socket will. */
    private String rawPost(String host, byte[] body, String signature) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /webhooks/github HTTP/1.1\r\nHost: " + host + "\r\n"
                    + "Content-Type: application/json\r\nX-GitHub-Event: installation\r\n"
                    + "X-GitHub-Delivery: " + UUID.randomUUID() + "\r\n"
                    + "X-Hub-Signature-256: " + signature + "\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
