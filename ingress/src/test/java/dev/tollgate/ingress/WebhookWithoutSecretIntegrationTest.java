package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.WithKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Fail closed: with no webhook secret configured, every delivery is refused. */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "server.address=127.0.0.1"})
class WebhookWithoutSecretIntegrationTest {

    @LocalServerPort
    int port;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    @Test
    void withNoSecretConfiguredEveryDeliveryIsRefusedNamingTheSetting() throws Exception {
        byte[] body = WebhookIntegrationTest.reshaped("installation.deleted.1", 9191,
                "unprotected-org", null, null);
        int before = KafkaProbe.readAll(Topics.INSTALLATIONS).size();

        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI
                .create("http://127.0.0.1:" + port + "/webhooks/github"))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "installation")
                .header("X-GitHub-Delivery", "no-secret-1")
                .header("X-Hub-Signature-256", WebhookIntegrationTest.sign("anything", body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.body()).contains("webhook_secret_missing").contains(
                "TOLLGATE_GITHUB_WEBHOOK_SECRET");
        assertThat(KafkaProbe.readAll(Topics.INSTALLATIONS)).hasSize(before);
    }
}
