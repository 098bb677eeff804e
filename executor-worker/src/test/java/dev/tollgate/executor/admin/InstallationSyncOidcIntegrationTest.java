package dev.tollgate.executor.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.executor.ExecutorWorkerApplication;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.executor.TestDecisionKey;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /admin/installations/sync} with admins' OIDC tokens, on the deployable executor:
 * the issuer's keys served over real HTTP on loopback (found by OIDC discovery), tokens signed
 * with nimbus, presented as an attacker would (another audience, expired, another key under the
 * same key ID, unsigned, the public key as a MAC secret, without the role, a flood of them), the
 * GitHub stand-in counting what reached it, and the log read for the actor and the token.
 */
@WithKafka
class InstallationSyncOidcIntegrationTest {

    static {
        AvroSingleObjectCodec.shared();
    }

    private static final String ADMIN_KEY = "executor-admin-key-for-tests-0123456789abcdef";
    private static final String AUDIENCE = "https://executor.example.com/admin";
    private static final String ISSUERS = "tollgate.executor.oidc.admin-issuers.people.";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger keyFetches = new AtomicInteger();
    private final RSAKey key;
    private final HttpServer idp;
    private final String issuer;
    private GitHubStandIn github;
    private ConfigurableApplicationContext executor;
    private ListAppender<ILoggingEvent> log;

    InstallationSyncOidcIntegrationTest() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + idp.getAddress().getPort();
        idp.createContext("/.well-known/openid-configuration", exchange -> answer(exchange,
                "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/keys\"}"));
        idp.createContext("/keys", exchange -> {
            keyFetches.incrementAndGet();
            answer(exchange, new JWKSet(key.toPublicJWK()).toString());
        });
        idp.start();
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @BeforeEach
    void provision(KafkaTestBroker broker) throws Exception {
        try (Admin admin = broker.admin()) {
            new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics
                    .all());
        }
        github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock.systemUTC());
        github.repository("octo", "app", 70_000 + (System.nanoTime() & 0xffff));
    }

    @AfterEach
    void stop() {
        if (log != null) {
            root().detachAppender(log);
        }
        if (executor != null) {
            executor.close();
        }
        github.close();
        idp.stop(0);
    }

    @Test
    void aTokenWithTheSyncRoleSyncsWithoutAnyAdminKeyAndTheActorIsAnsweredAndLogged(
            KafkaTestBroker broker) throws Exception {
        start(broker, Optional.empty(), people());
        String token = token(roles("tollgate:sync"));
        listen();

        HttpResponse<String> response = sync(Optional.of("Bearer " + token));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asString()).isEqualTo("synced");
        assertThat(body.path("actor").asString()).isEqualTo("oidc:people:ada@example.com");
        assertThat(response.body()).doesNotContain(token);
        assertThat(github.requests("GET", "/app/installations")).hasSize(1);
        assertThat(keyFetches).as("the keys were fetched from the issuer").hasValue(1);
        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).as("the sync is logged with its actor").anySatisfy(line -> assertThat(
                line).contains("installation sync asked by oidc:people:ada@example.com"));
        assertThat(lines).as("no line carries the token or its signature").noneSatisfy(
                line -> assertThat(line).containsAnyOf(token, token.substring(token
                        .lastIndexOf('.') + 1)));
    }

    @Test
    void aValidTokenWithoutTheSyncRoleIsForbiddenAndGitHubIsNotAsked(KafkaTestBroker broker)
            throws Exception {
        start(broker, Optional.of(ADMIN_KEY), people());

        HttpResponse<String> mintOnly = sync(Optional.of("Bearer " + token(roles(
                "tollgate:mint"))));
        HttpResponse<String> noRoles = sync(Optional.of("Bearer " + token(claims -> claims
                .claim("realm_access", Map.of()))));
        HttpResponse<String> shouted = sync(Optional.of("Bearer " + token(roles(
                "TOLLGATE:SYNC", "tollgate:sync:all"))));

        for (HttpResponse<String> refused : List.of(mintOnly, noRoles, shouted)) {
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
            JsonNode body = JSON.readTree(refused.body());
            assertThat(body.path("error").asString()).isEqualTo("insufficient_role");
            assertThat(body.path("message").asString()).contains("oidc:people:ada@example.com",
                    "tollgate:sync");
        }
        assertThat(github.requests()).as("GitHub is not asked").isEmpty();
    }

    @Test
    void forgedMisdirectedOrStaleTokensAreRefused401AndNeverEchoed(KafkaTestBroker broker)
            throws Exception {
        start(broker, Optional.of(ADMIN_KEY), people());
        Instant now = Instant.now();
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT mac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1")
                .build(), claims(roles("tollgate:sync")).build());
        mac.sign(new MACSigner(key.toPublicJWK().toRSAPublicKey().getEncoded()));
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("another audience", token(claims -> roles("tollgate:sync").apply(claims)
                .audience("https://tollgate.example.com/mcp")));
        tokens.put("expired", token(claims -> roles("tollgate:sync").apply(claims).issueTime(
                Date.from(now.minusSeconds(600))).expirationTime(
                        Date.from(now.minusSeconds(
                                300)))));
        tokens.put("another key, same key ID", sign(impostor, claims(roles("tollgate:sync"))
                .build()));
        tokens.put("alg none", new PlainJWT(claims(roles("tollgate:sync")).build()).serialize());
        tokens.put("HS256 keyed with the public key", mac.serialize());

        Map<String, HttpResponse<String>> answers = new LinkedHashMap<>();
        for (Map.Entry<String, String> token : tokens.entrySet()) {
            answers.put(token.getKey(), sync(Optional.of("Bearer " + token.getValue())));
        }

        answers.forEach((what, response) -> {
            assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(401);
            assertThat(JSON.readTree(response.body()).path("error").asString()).as(what)
                    .isEqualTo("invalid_token");
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(what)
                    .hasValueSatisfying(challenge -> assertThat(challenge).startsWith(
                            "Bearer realm=\"tollgate-admin\", error=\"invalid_token\""));
            assertThat(response.body()).as(what).doesNotContain(tokens.get(what));
        });
        assertThat(answers.get("another audience").body()).contains("not issued for this");
        assertThat(answers.get("expired").body()).contains("expired");
        assertThat(answers.get("another key, same key ID").body()).contains("does not verify");
        assertThat(answers.get("HS256 keyed with the public key").body()).contains(
                "algorithm HS256 is not accepted");
        assertThat(github.requests()).as("GitHub is not asked").isEmpty();
    }

    @Test
    void aFloodOfBadTokensIsThrottledWhileTheKeyAndAGoodTokenFromThatAddressStillPass(
            KafkaTestBroker broker) throws Exception {
        start(broker, Optional.of(ADMIN_KEY), people());
        Instant now = Instant.now();
        List<Integer> flood = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            Instant issued = now.minusSeconds(600 + i);
            String expired = token(claims -> roles("tollgate:sync").apply(claims).issueTime(Date
                    .from(issued)).expirationTime(Date.from(issued.plusSeconds(60))));
            flood.add(sync(Optional.of("Bearer " + expired)).statusCode());
        }

        HttpResponse<String> throttled = sync(Optional.of("Bearer " + token(claims -> claims
                .audience("https://elsewhere.example.com"))));
        HttpResponse<String> operator = sync(Optional.of("Bearer " + ADMIN_KEY));
        HttpResponse<String> admin = sync(Optional.of("Bearer " + token(roles(
                "tollgate:sync"))));

        assertThat(flood.subList(0, 20)).as("bad tokens within the limit").containsOnly(401);
        assertThat(flood.subList(20, 25)).as("bad tokens over the limit").containsOnly(429);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertThat(operator.statusCode()).as(operator.body()).isEqualTo(200);
        assertThat(JSON.readTree(operator.body()).path("actor").asString()).as(
                "the key is break-glass once admins have identities").isEqualTo(
                        "admin-key (break-glass)");
        assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
        assertThat(JSON.readTree(admin.body()).path("actor").asString()).isEqualTo(
                "oidc:people:ada@example.com");
        assertThat(github.requests("GET", "/app/installations")).as("only the two good syncs"
                + " reached GitHub").hasSize(2);
    }

    @Test
    void withIssuersButNoKeyAnythingElseIs401NotAdminDisabled(KafkaTestBroker broker)
            throws Exception {
        start(broker, Optional.empty(), people());

        HttpResponse<String> none = sync(Optional.empty());
        HttpResponse<String> aKey = sync(Optional.of("Bearer " + ADMIN_KEY));

        assertThat(none.statusCode()).as(none.body()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue(
                "Bearer realm=\"tollgate-admin\"");
        assertThat(JSON.readTree(none.body()).path("message").asString()).contains(
                "tollgate.executor.oidc.admin-issuers", "tollgate:sync");
        assertThat(aKey.statusCode()).as(aKey.body()).isEqualTo(401);
        assertThat(JSON.readTree(aKey.body()).path("error").asString()).isEqualTo(
                "invalid_token");
        assertThat(aKey.body()).doesNotContain(ADMIN_KEY);
        assertThat(github.requests()).as("GitHub is not asked").isEmpty();
    }

    @Test
    void aBadIssuerConfigurationStopsTheStartNamingTheSetting(KafkaTestBroker broker) {
        Map<String, String> inTheClear = people();
        inTheClear.put(ISSUERS + "issuer", "http://login.example.com");
        Map<String, String> noAudience = people();
        noAudience.remove(ISSUERS + "audiences");
        Map<String, String> gatewayAudience = people();
        gatewayAudience.put(ISSUERS + "audiences", "tollgate-mcp");
        Map<String, String> waitForever = people();
        waitForever.put("tollgate.executor.oidc.fetch-timeout", "0s");

        assertThatThrownBy(() -> start(broker, Optional.of(ADMIN_KEY), inTheClear)).rootCause()
                .hasMessageContaining(ISSUERS + "issuer must use https");
        assertThatThrownBy(() -> start(broker, Optional.of(ADMIN_KEY), noAudience)).rootCause()
                .hasMessageContaining(ISSUERS + "audiences is required");
        assertThatThrownBy(() -> start(broker, Optional.of(ADMIN_KEY), gatewayAudience))
                .rootCause().hasMessageContaining(ISSUERS + "audiences must not contain");
        assertThatThrownBy(() -> start(broker, Optional.of(ADMIN_KEY), waitForever)).rootCause()
                .hasMessageContaining("tollgate.executor.oidc.fetch-timeout must be at least");
    }

    /** An admin issuer named people: this test's loopback provider, found by discovery. */
    private Map<String, String> people() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(ISSUERS + "issuer", issuer);
        settings.put(ISSUERS + "audiences", AUDIENCE);
        settings.put(ISSUERS + "subject-claim", "email");
        settings.put(ISSUERS + "roles-claim", "/realm_access/roles");
        return settings;
    }

    private static UnaryOperator<JWTClaimsSet.Builder> roles(String... roles) {
        return claims -> claims.claim("realm_access", Map.of("roles", List.of(roles)));
    }

    private JWTClaimsSet.Builder claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        return change.apply(new JWTClaimsSet.Builder().issuer(issuer).audience(AUDIENCE).subject(
                "u-1").claim("email", "ada@example.com").issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5)))));
    }

    private String token(UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        return sign(key, claims(change).build());
    }

    private static String sign(RSAKey with, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with
                .getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    /** Keeps every line logged from now on (after start-up, which resets the logging). */
    private void listen() {
        log = new ListAppender<>();
        log.start();
        root().addAppender(log);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private void start(KafkaTestBroker broker, Optional<String> adminKey,
            Map<String, String> oidc) {
        List<String> properties = new ArrayList<>(List.of("server.port=0",
                "tollgate.github.api-url=" + github.apiUrlText(),
                "tollgate.github.app-id=" + TestApp.APP_ID,
                "tollgate.github.private-key-file=" + TestApp.writeKeyFile(dir, "app-pkcs1.pem"),
                "tollgate.executor.group-id=" + KafkaTestBroker.uniqueName("exec"),
                TestDecisionKey.setting(dir),
                "tollgate.installations.sync-on-start=false",
                "tollgate.installations.sync-interval=0",
                "spring.kafka.bootstrap-servers=" + broker.bootstrapServers()));
        adminKey.ifPresent(value -> properties.add("tollgate.admin-key=" + value));
        oidc.forEach((name, value) -> properties.add(name + "=" + value));
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
}
