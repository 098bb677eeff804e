package dev.tollgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.runtime.testapp.RuntimeTestApplication;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

@WithKafka
class HealthEndpointsIntegrationTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRoleProvisionsTopicsAndReportsReadyOnLoopback(KafkaTestBroker broker) throws Exception {
        try (ConfigurableApplicationContext context = start(broker.bootstrapServers(), null)) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();

            HttpResponse<String> health = get(port, "/healthz");
            HttpResponse<String> ready = get(port, "/readyz");

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"", "\"role\":\"test-role\"");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"READY\"", "all "
                    + Topics.all().size() + " topics present");
            assertThat(context.getEnvironment().getProperty("server.address"))
                    .isEqualTo("127.0.0.1");
        }
    }

    @Test
    void aFailingRoleCheckMakesReadyzAnswer503WithTheReason(KafkaTestBroker broker)
            throws Exception {
        AtomicBoolean policyLoaded = new AtomicBoolean(false);
        ReadinessCheck policy = () -> policyLoaded.get()
                ? ReadinessCheck.Result.ready("policy", "loaded")
                : ReadinessCheck.Result.notReady("policy", "no policy file loaded yet");
        try (ConfigurableApplicationContext context = start(broker.bootstrapServers(), policy)) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();

            HttpResponse<String> before = get(port, "/readyz");
            policyLoaded.set(true);
            HttpResponse<String> after = get(port, "/readyz");

            assertThat(before.statusCode()).isEqualTo(503);
            assertThat(before.body()).contains("NOT_READY", "no policy file loaded yet");
            assertThat(after.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnreachableClusterMakesReadyzAnswer503ButHealthzStaysUp() throws Exception {
        String realBroker = System.setProperty("spring.kafka.bootstrap-servers", "127.0.0.1:1");
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
                RuntimeTestApplication.class).properties("server.port=0",
                        "tollgate.role=test-role", "tollgate.kafka.provision-topics=false",
                        "spring.kafka.bootstrap-servers=127.0.0.1:1",
                        "spring.kafka.admin.properties.request.timeout.ms=500",
                        "tollgate.kafka.admin-timeout=1s")
                .run()) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();

            HttpResponse<String> ready = get(port, "/readyz");
            HttpResponse<String> health = get(port, "/healthz");

            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("cluster at [127.0.0.1:1] not reachable");
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            System.setProperty("spring.kafka.bootstrap-servers", realBroker);
        }
    }

    private static ConfigurableApplicationContext start(String bootstrap, ReadinessCheck extra) {
        SpringApplicationBuilder builder = new SpringApplicationBuilder(
                RuntimeTestApplication.class).properties("server.port=0", "tollgate.role=test-role",
                        "spring.kafka.bootstrap-servers=" + bootstrap);
        if (extra != null) {
            builder.initializers(context -> context.getBeanFactory().registerSingleton(
                    "extraCheck", extra));
        }
        return builder.run();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
