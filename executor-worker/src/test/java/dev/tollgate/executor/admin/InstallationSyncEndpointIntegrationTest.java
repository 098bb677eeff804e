package dev.tollgate.executor.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.executor.ExecutorWorkerApplication;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.TestDecisionKey;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.EventDeserializer;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /admin/installations/sync} on the deployable executor, against the GitHub stand-in
 * and the embedded Kafka broker: an installation added on GitHub after start-up reaches
 * {@code gateway.installations} when an operator asks; without the admin key nothing happens.
 */
@WithKafka
class InstallationSyncEndpointIntegrationTest {

    static {
        AvroSingleObjectCodec.shared();
    }

    private static final String ADMIN_KEY = "executor-admin-key-for-tests-0123456789abcdef";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final long existing = 70_000 + (System.nanoTime() & 0xffff);
    private final long added = existing + 100_000;
    private GitHubStandIn github;
    private ConfigurableApplicationContext executor;

    @BeforeEach
    void provision(KafkaTestBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics
                    .all());
        }
        github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock.systemUTC());
        github.repository("octo", "app", existing);
    }

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.close();
        }
        github.close();
    }

    @Test
    void aSyncOnDemandPublishesAnInstallationAddedOnGitHubAfterStartUp(KafkaTestBroker broker)
            throws Exception {
        start(broker, Optional.of(ADMIN_KEY));
        github.repository("acme", "site", added);

        HttpResponse<String> response = sync(Optional.of("Bearer " + ADMIN_KEY));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asString()).isEqualTo("synced");
        assertThat(body.path("installations-seen").asInt()).isEqualTo(2);
        assertThat(body.path("published").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(body.path("duration-ms").isNumber()).isTrue();
        JsonNode app = body.path("apps").get(0);
        assertThat(app.path("environment").asString()).isEqualTo(AppEnvironments.DEFAULT);
        assertThat(app.path("app-id").asString()).isEqualTo(TestApp.APP_ID);
        assertThat(app.path("added").asInt()).isEqualTo(2);
        assertThat(github.requests("GET", "/app/installations")).hasSize(1);
        assertThat(github.mints()).hasSize(2).allSatisfy(mint -> assertThat(response.body())
                .doesNotContain(mint.token()));
        InstallationChanged state = published(broker, added);
        assertThat(state.getTrigger()).isEqualTo("sync");
        assertThat(state.getStatus()).isEqualTo(InstallationStatus.ACTIVE);
        assertThat(state.getAccount()).isEqualTo("acme");
        assertThat(state.getRepositories()).containsExactly("acme/site");
    }

    @Test
    void withoutTheAdminKeyOrWithAWrongOneTheSyncIsRefusedAndNothingIsAsked(
            KafkaTestBroker broker) throws Exception {
        start(broker, Optional.of(ADMIN_KEY));

        HttpResponse<String> none = sync(Optional.empty());
        HttpResponse<String> wrong = sync(Optional.of("Bearer not-the-" + ADMIN_KEY));
        HttpResponse<String> notBearer = sync(Optional.of("Basic " + ADMIN_KEY));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"tollgate-admin\"");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).path("error").asString()).isEqualTo(
                "invalid_token");
        assertThat(notBearer.statusCode()).isEqualTo(401);
        for (HttpResponse<String> refused : List.of(none, wrong, notBearer)) {
            assertThat(refused.body()).doesNotContain(ADMIN_KEY);
        }
        assertThat(github.requests()).as("GitHub is not asked").isEmpty();
    }

    @Test
    void aFloodOfWrongAdminKeysNeverLocksTheOperatorOutOfTheSync(KafkaTestBroker broker)
            throws Exception {
        start(broker, Optional.of(ADMIN_KEY));
        List<Integer> flood = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            flood.add(sync(Optional.of("Bearer guess-" + i)).statusCode());
        }

        HttpResponse<String> throttled = sync(Optional.of("Bearer one-more-guess"));
        HttpResponse<String> operator = sync(Optional.of("Bearer " + ADMIN_KEY));

        assertThat(flood.subList(0, 20)).as("wrong keys within the limit").containsOnly(401);
        assertThat(flood.subList(20, 25)).as("wrong keys over the limit").containsOnly(429);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertThat(operator.statusCode()).as(operator.body()).isEqualTo(200);
        assertThat(github.requests("GET", "/app/installations")).as("only the operator's sync"
                + " reached GitHub").hasSize(1);
    }

    @Test
    void withNoAdminKeyConfiguredEveryCallIsRefused(KafkaTestBroker broker) throws Exception {
        assumeTrue(System.getenv("TOLLGATE_ADMIN_KEY") == null && System.getenv(
                "TOLLGATE_ADMIN_KEY_FILE") == null, "this JVM's environment sets an admin key");
        start(broker, Optional.empty());

        HttpResponse<String> withAKey = sync(Optional.of("Bearer " + ADMIN_KEY));
        HttpResponse<String> withNone = sync(Optional.empty());

        assertThat(withAKey.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(withAKey.body()).path("error").asString()).isEqualTo(
                "admin_disabled");
        assertThat(withAKey.body()).contains("TOLLGATE_ADMIN_KEY");
        assertThat(withNone.statusCode()).isEqualTo(403);
        assertThat(github.requests()).as("GitHub is not asked").isEmpty();
    }

    @Test
    void aSecondSyncWhileOneRunsIsRefusedWithAConflict(KafkaTestBroker broker) throws Exception {
        start(broker, Optional.of(ADMIN_KEY));
        github.script("GET", "/app/installations", new MockResponse.Builder(GitHubStandIn.json(
                200, "[]")).headersDelay(3, TimeUnit.SECONDS).build());
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return sync(Optional.of("Bearer " + ADMIN_KEY));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (github.requests("GET", "/app/installations").isEmpty() && System
                .nanoTime() < deadline) {
            Thread.sleep(20);
        }

        HttpResponse<String> second = sync(Optional.of("Bearer " + ADMIN_KEY));

        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).path("error").asString()).isEqualTo(
                "sync_in_progress");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(github.requests("GET", "/app/installations")).hasSize(1);
    }

    @Test
    void whenGitHubFailsTheAnswerSaysSoAndPublishesNothing(KafkaTestBroker broker)
            throws Exception {
        start(broker, Optional.of(ADMIN_KEY));
        github.script("GET", "/app/installations", GitHubStandIn.json(401,
                "{\"message\":\"A JSON web token could not be decoded\"}"));

        HttpResponse<String> response = sync(Optional.of("Bearer " + ADMIN_KEY));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(502);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("error").asString()).isEqualTo("sync_failed");
        assertThat(body.path("message").asString()).contains("environment 'default'",
                "unauthorized");
        assertThat(body.path("published").asInt()).isZero();
        assertThat(body.path("apps").get(0).path("error").asString()).isEqualTo("unauthorized");
        assertThat(github.mintCount()).isZero();
    }

    private void start(KafkaTestBroker broker, Optional<String> adminKey) {
        List<String> properties = new ArrayList<>(List.of("server.port=0",
                "tollgate.github.api-url=" + github.apiUrlText(),
                "tollgate.github.app-id=" + TestApp.APP_ID,
                "tollgate.github.private-key-file=" + TestApp.writeKeyFile(dir, "app-pkcs1.pem"),
                "tollgate.executor.group-id=" + KafkaTestBroker.uniqueName("exec"),
                TestDecisionKey.setting(dir),
                "tollgate.installations.sync-on-start=false",
                "tollgate.installations.sync-interval=0",
                "spring.kafka.bootstrap-servers=" + broker.bootstrapServers()));
        adminKey.ifPresent(key -> properties.add("tollgate.admin-key=" + key));
        executor = new SpringApplicationBuilder(ExecutorWorkerApplication.class).properties(
                properties.toArray(String[]::new)).run();
    }

    private HttpResponse<String> sync(Optional<String> authorization) throws Exception {
        int port = ((WebServerApplicationContext) executor).getWebServer().getPort();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + port + "/admin/installations/sync")).timeout(Duration.ofSeconds(60)).POST(
                        HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(value -> request.header("Authorization", value));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The newest state of {@code installation} on gateway.installations. */
    private static InstallationChanged published(KafkaTestBroker broker, long installation) {
        try (KafkaConsumer<String, InstallationChanged> reader = new KafkaConsumer<>(broker
                .consumerProps(KafkaTestBroker.uniqueName("installations")),
                new StringDeserializer(), new EventDeserializer<>(AvroSingleObjectCodec.shared(),
                        InstallationChanged.class))) {
            reader.subscribe(List.of(Topics.INSTALLATIONS.name()));
            InstallationChanged newest = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : reader.poll(Duration.ofMillis(200))) {
                    if (Long.toString(installation).equals(record.key())) {
                        newest = record.value();
                    }
                }
                if (newest != null) {
                    return newest;
                }
            }
            throw new AssertionError("installation " + installation + " was not published");
        }
    }
}
