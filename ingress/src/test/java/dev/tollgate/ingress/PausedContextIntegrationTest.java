package dev.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A context stopped and started again serves again: Spring's test framework pauses a cached
 * context so between test classes (and a checkpoint and restore would do the same), and the
 * shutdown drain, which ran on that stop, left the listener closed for good: the next class that
 * reused the context had every connection refused (WebhookWithoutSecretIntegrationTest, in CI).
 */
@WithKafka
@SpringBootTest(classes = IngressApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        TestConfig.ADMIN_KEY_PROPERTY, TestConfig.SIGNING_KEY_PROPERTY,
        TestConfig.STATE_DIR_PROPERTY, "tollgate.ingress.reply-timeout=4s"})
class PausedContextIntegrationTest {

    @LocalServerPort
    int port;

    @Autowired
    ConfigurableApplicationContext context;

    @BeforeAll
    static void topics() {
        KafkaProbe.provisionTopics();
    }

    @Test
    void aStoppedAndRestartedIngressServesAgain() {
        String url = "http://127.0.0.1:" + port;
        String before = HttpCalls.mint(url, KafkaTestBroker.uniqueName("before-pause"));

        context.stop();
        context.start();
        // Tomcat binds its port again, a new one when the port was 0, as the tests' is
        url = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        String after = HttpCalls.mint(url, KafkaTestBroker.uniqueName("after-pause"));
        HttpResponse<String> mcp = HttpCalls.post(url + "/mcp", after, "{\"jsonrpc\":\"2.0\","
                + "\"id\":1,\"method\":\"tools/list\"}",
                java.util.Map.of("Accept",
                        "application/json, text/event-stream"));

        assertThat(before).isNotBlank();
        assertThat(after).as("the admin API answers after the restart").isNotBlank();
        assertThat(mcp.statusCode()).as(mcp.body()).isEqualTo(200);
        assertThat(mcp.body()).as("the MCP transport serves again").contains("get_file");
    }
}
