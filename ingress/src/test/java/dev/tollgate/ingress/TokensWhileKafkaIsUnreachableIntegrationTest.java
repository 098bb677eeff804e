package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.kafka.KafkaListeners;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An ingress whose broker goes away: its reader of gateway.agent-tokens polls empty without an
 * error, so only its contact with the broker tells that revocations made elsewhere no longer
 * reach it. Within {@code tollgate.ingress.kafka-contact-bound} it stops accepting tokens (503
 * {@code revocations_unavailable}), and accepts them again once the broker is back. A broker of its
 * own, since this one is stopped and restarted.
 */
class TokensWhileKafkaIsUnreachableIntegrationTest {

    private static final Duration BOUND = Duration.ofSeconds(3);
    private static final String PING = "{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"}";

    @Test
    void tokensAreRefusedWithinTheContactBoundOfLosingTheBrokerAndAcceptedOnceItIsBack()
            throws Exception {
        KafkaTestBroker broker = KafkaTestBroker.startSeparate();
        ConfigurableApplicationContext ingress = null;
        try {
            try (Admin admin = broker.admin()) {
                new TopicProvisioner(admin, TopicSettings.singleBroker(), 30_000).ensure(Topics
                        .all());
            }
            ingress = new SpringApplicationBuilder(IngressApplication.class).properties(
                    IngressApplication.defaults()).run("--server.port=0",
                            "--" + TestConfig.ADMIN_KEY_PROPERTY,
                            "--" + TestConfig.SIGNING_KEY_PROPERTY,
                            "--" + TestConfig.STATE_DIR_PROPERTY,
                            "--tollgate.ingress.kafka-contact-bound=" + BOUND.toMillis() + "ms",
                            "--spring.kafka.consumer.properties.reconnect.backoff.max.ms=500",
                            "--spring.kafka.bootstrap-servers=" + broker.bootstrapServers());
            KafkaListeners listeners = ingress.getBean(KafkaListeners.class);
            String base = "http://127.0.0.1:" + ingress.getEnvironment().getProperty(
                    "local.server.port");
            String token = HttpCalls.mint(base, KafkaTestBroker.uniqueName("cut-off"));
            HttpResponse<String> before = HttpCalls.post(base + "/token/rotate", token, "");
            token = (String) HttpCalls.json(before).get("token");

            broker.stopBroker();
            long stopped = System.nanoTime();
            List<String> seenWhileDown = new ArrayList<>();
            String current = token;
            // an MCP message: refused or not without writing to Kafka, so each answer is quick
            HttpResponse<String> refusedMcp = awaitAnswer(() -> HttpCalls.post(base + "/mcp",
                    current, PING), answer -> answer.statusCode() == 503, seenWhileDown);
            Duration tookToRefuse = Duration.ofNanos(System.nanoTime() - stopped);
            boolean readerCountedOut = !listeners.tokenRecordsRead();
            HttpResponse<String> refusedRotation = HttpCalls.post(base + "/token/rotate", current,
                    "");
            broker.restartBroker();
            List<String> seenAfterRestart = new ArrayList<>();
            HttpResponse<String> accepted = awaitAnswer(() -> HttpCalls.post(base
                    + "/token/rotate", current, ""), answer -> answer.statusCode() == 200,
                    seenAfterRestart);

            assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
            assertThat(refusedMcp).as("no 503 within 60 s of stopping the broker; answers: %s",
                    seenWhileDown).isNotNull();
            assertThat(refusedMcp.body()).contains("gateway.agent-tokens");
            assertThat(refusedRotation.statusCode()).as(refusedRotation.body()).isEqualTo(503);
            assertThat(HttpCalls.json(refusedRotation)).containsEntry("error",
                    "revocations_unavailable");
            assertThat(refusedRotation.headers().firstValue("Retry-After")).contains("5");
            assertThat(readerCountedOut).as("the token reader counts as not running").isTrue();
            // the reader's last answer came at most a third of the bound before the stop; the
            // rest is margin for a busy machine
            assertThat(tookToRefuse).as("time from the stop until tokens were refused (bound %s;"
                    + " answers meanwhile: %s)", BOUND, seenWhileDown).isLessThan(BOUND
                            .multipliedBy(4));
            assertThat(accepted).as("no 200 within 60 s of restarting the broker; answers: %s",
                    seenAfterRestart).isNotNull();
            assertThat(listeners.tokenRecordsRead()).isTrue();
        } finally {
            if (ingress != null) {
                ingress.close();
            }
            broker.close();
        }
    }

    /**
     * Asks until an answer satisfies {@code wanted} (null after 60 s), noting each other answer's
     * status and error in {@code seen}.
     */
    private static HttpResponse<String> awaitAnswer(
            java.util.function.Supplier<HttpResponse<String>> ask,
            Predicate<HttpResponse<String>> wanted, List<String> seen) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = ask.get();
            if (wanted.test(answer)) {
                return answer;
            }
            String note = answer.statusCode() + " " + answer.body().substring(0, Math.min(80,
                    answer.body().length()));
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(note)) {
                seen.add(note);
            }
            Thread.sleep(100);
        }
        return null;
    }
}
