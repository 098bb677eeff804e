package dev.tollgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.runtime.testapp.RuntimeTestApplication;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Topics;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.WithKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every role gets Prometheus metrics at {@code /actuator/prometheus} (and no other actuator
 * endpoint): records it publishes are counted by what they say, and its consumers report lag.
 */
@WithKafka
class MetricsEndpointIntegrationTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void publishedResultsAreCountedByToolOutcomeAndErrorClassAndConsumersReportLag(
            KafkaTestBroker broker) throws Exception {
        try (ConfigurableApplicationContext context = start(broker.bootstrapServers())) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            KafkaProperties kafka = context.getBean(KafkaProperties.class);
            try (KafkaProducer<String, ToolCallCompleted> producer = new KafkaProducer<>(kafka
                    .buildProducerProperties(), new StringSerializer(),
                    Topics.RESULTS
                            .valueSerde().serializer())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(Topics.RESULTS.name(), 0, "r-" + i,
                            completed("r-" + i, CallStatus.FAILED, "rate_limited"))).get(10,
                                    TimeUnit.SECONDS);
                }
                producer.send(new ProducerRecord<>(Topics.RESULTS.name(), 0, "d-1", completed(
                        "d-1", CallStatus.DENIED, "policy_denied"))).get(10, TimeUnit.SECONDS);
            }
            Map<String, Object> consumerProps = new HashMap<>(kafka.buildConsumerProperties());
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "metrics-test");
            consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, "metrics-test-consumer");
            consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps,
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.assign(List.of(new TopicPartition(Topics.RESULTS.name(), 0)));
                int read = 0;
                for (int polls = 0; read == 0 && polls < 50; polls++) {
                    read += consumer.poll(Duration.ofMillis(200)).count();
                }

                String metrics = get(port, "/actuator/prometheus").body();

                assertThat(read).isEqualTo(1);
                assertThat(metrics).contains(
                        "tollgate_calls_completed_total{error_class=\"rate_limited\",outcome=\"failed\",role=\"test-role\",tool=\"get_file\"} 3.0",
                        "tollgate_calls_completed_total{error_class=\"policy_denied\",outcome=\"denied\",role=\"test-role\",tool=\"get_file\"} 1.0",
                        "tollgate_decisions_total{outcome=\"denied\",reason=\"policy_denied\",role=\"test-role\"} 1.0",
                        "tollgate_kafka_consumer_lag{client_id=\"metrics-test-consumer\",partition=\"0\",role=\"test-role\",topic=\"gateway.results\"} 3.0");
            }
        }
    }

    @Test
    void onlyThePrometheusEndpointIsServedNeverEnvOrConfigprops(KafkaTestBroker broker)
            throws Exception {
        try (ConfigurableApplicationContext context = start(broker.bootstrapServers())) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();

            HttpResponse<String> prometheus = get(port, "/actuator/prometheus");

            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.body()).contains("jvm_memory_used_bytes");
            for (String path : List.of("/actuator", "/actuator/env", "/actuator/configprops",
                    "/actuator/health", "/actuator/beans", "/actuator/heapdump")) {
                assertThat(get(port, path).statusCode()).as(path).isEqualTo(404);
            }
        }
    }

    private static ToolCallCompleted completed(String requestId, CallStatus status,
            String errorCode) {
        return ToolCallCompleted.newBuilder()
                .setMeta(EventMetas.create("executor-worker", requestId, Clock.systemUTC()))
                .setAgentId("agent-7")
                .setEnvironment("prod")
                .setTool("get_file")
                .setStatus(status)
                .setErrorCode(errorCode)
                .setRetryable(false)
                .setMessage("test")
                .setAttempts(1)
                .build();
    }

    private static ConfigurableApplicationContext start(String bootstrapServers) {
        return new SpringApplicationBuilder(RuntimeTestApplication.class).properties(
                "server.port=0", "tollgate.role=test-role",
                "spring.kafka.bootstrap-servers=" + bootstrapServers).run();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
