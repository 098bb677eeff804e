package dev.tollgate.runtime;

import dev.tollgate.schemas.AvroTrust;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Safe defaults for every role, at the lowest precedence: anything in the environment, system
 * properties or a config file wins. Loopback only, graceful shutdown, and producers tuned for the
 * request path (acks=all, idempotent, no linger).
 *
 * <p>Role modules must not ship an {@code application.properties}: in the standalone launcher all
 * roles share one classpath, where only one such file would be seen.
 */
public final class TollgateDefaults implements EnvironmentPostProcessor {

    public static final String SOURCE_NAME = "tollgateDefaults";

    static {
        AvroTrust.ensure(); // before any role builds an event
    }

    public static Map<String, Object> defaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("server.address", "127.0.0.1");
        defaults.put("server.port", "8080");
        defaults.put("server.shutdown", "graceful");
        defaults.put("spring.lifecycle.timeout-per-shutdown-phase", "30s");
        defaults.put("spring.main.banner-mode", "off");
        defaults.put("spring.kafka.bootstrap-servers", "127.0.0.1:9092");
        defaults.put("spring.kafka.producer.acks", "all");
        defaults.put("spring.kafka.producer.properties.enable.idempotence", "true");
        defaults.put("spring.kafka.producer.properties.linger.ms", "0");
        defaults.put("spring.kafka.consumer.auto-offset-reset", "earliest");
        defaults.put("spring.kafka.consumer.isolation-level", "read-committed");
        defaults.put("spring.kafka.consumer.enable-auto-commit", "false");
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
        if (builderDefaults != null) {
            defaults.keySet().removeIf(builderDefaults::containsProperty);
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
    }
}
