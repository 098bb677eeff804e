package dev.tollgate.runtime;

import dev.tollgate.runtime.metrics.ConsumerLagReporter;
import dev.tollgate.runtime.metrics.EventMetricsInterceptor;
import dev.tollgate.schemas.AvroTrust;
import dev.tollgate.schemas.MessageLimits;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.JmxReporter;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Safe defaults for every role, at the lowest precedence: anything in the environment, system
 * properties or a config file wins. Loopback only, graceful shutdown, and producers tuned for the
 * request path (acks=all, idempotent, no linger) whose {@code max.request.size} follows
 * {@code tollgate.kafka.max-message-bytes} ({@link MessageLimits}).
 *
 * <p>Role modules must not ship an {@code application.properties}: in the standalone launcher all
 * roles share one classpath, where only one such file would be seen.
 */
public final class TollgateDefaults implements EnvironmentPostProcessor {

    public static final String SOURCE_NAME = "tollgateDefaults";
    /** {@code tollgate.log.json=true} (env {@code TOLLGATE_LOG_JSON}): JSON log lines (ECS). */
    public static final String LOG_JSON = "tollgate.log.json";

    static {
        AvroTrust.ensure(); // before any role builds an event
    }

    static final String MAX_REQUEST_SIZE = "spring.kafka.producer.properties.max.request.size";

    public static Map<String, Object> defaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("server.address", "127.0.0.1");
        defaults.put("server.port", "8080");
        defaults.put("server.shutdown", "graceful");
        // No role believes X-Forwarded-* of its own accord (Spring Boot would on a cloud platform,
        // from every private address); the ingress takes its proxies from trusted-proxies.
        defaults.put("server.forward-headers-strategy", "none");
        defaults.put("spring.lifecycle.timeout-per-shutdown-phase", "30s");
        defaults.put("spring.main.banner-mode", "off");
        defaults.put("spring.kafka.bootstrap-servers", "127.0.0.1:9092");
        defaults.put("spring.kafka.producer.acks", "all");
        defaults.put("spring.kafka.producer.properties.enable.idempotence", "true");
        defaults.put("spring.kafka.producer.properties.linger.ms", "0");
        // Every producer's max.request.size follows the one record size (MessageLimits), which
        // postProcessEnvironment reads from tollgate.kafka.max-message-bytes.
        defaults.put(MAX_REQUEST_SIZE, Integer.toString(MessageLimits.defaults()
                .producerMaxRequestSize()));
        defaults.put("spring.kafka.consumer.auto-offset-reset", "earliest");
        defaults.put("spring.kafka.consumer.isolation-level", "read-committed");
        defaults.put("spring.kafka.consumer.enable-auto-commit", "false");
        // Metrics: every record a role publishes is counted by what it says, and every consumer
        // reports its lag (Kafka's JMX reporter stays on beside it).
        defaults.put("spring.kafka.producer.properties.interceptor.classes",
                EventMetricsInterceptor.class.getName());
        defaults.put("spring.kafka.consumer.properties.metric.reporters", JmxReporter.class
                .getName() + "," + ConsumerLagReporter.class.getName());
        // The actuator serves Prometheus metrics at /actuator/prometheus and nothing else:
        // no env, configprops, beans, heap dumps or health details, over HTTP or JMX.
        defaults.put("management.endpoints.access.default", "none");
        defaults.put("management.endpoint.prometheus.access", "read-only");
        defaults.put("management.endpoints.web.exposure.include", "prometheus");
        defaults.put("management.endpoints.web.discovery.enabled", "false");
        defaults.put("management.endpoints.jmx.exposure.exclude", "*");
        defaults.put("management.metrics.use-global-registry", "true");
        return defaults;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment,
            SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE_NAME)) {
            return;
        }
        // Spring moves "defaultProperties" (SpringApplicationBuilder#properties, as the launcher
        // sets them) behind every other source later: leave those keys to it.
        PropertySource<?> builderDefaults = environment.getPropertySources().get(
                DefaultPropertiesPropertySource.NAME);
        Map<String, Object> defaults = defaults();
        defaults.put(MAX_REQUEST_SIZE, Integer.toString(MessageLimits.parse(environment
                .getProperty(MessageLimits.KEY)).producerMaxRequestSize()));
        if (builderDefaults != null) {
            defaults.keySet().removeIf(builderDefaults::containsProperty);
        }
        if (Boolean.parseBoolean(environment.getProperty(LOG_JSON, "false"))) {
            // Spring Boot's structured logging: one ECS JSON object per line, MDC included.
            defaults.put("logging.structured.format.console", "ecs");
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
    }
}
