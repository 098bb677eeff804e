package dev.tollgate.ingress;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The ingress role: the MCP endpoint agents call, the token API, and request/reply over Kafka.
 * It never calls GitHub and never holds a GitHub credential.
 */
// runtime module provides /healthz, /readyz (and start-up topic creation)
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngressApplication {

    /**
     * Safe defaults for running the ingress on its own (anything configured wins). Role modules
     * ship no application.properties: the launcher puts every role on one classpath.
     */
    public static Map<String, Object> defaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("server.address", "127.0.0.1");
        defaults.put("server.port", "8080");
        defaults.put("server.shutdown", "graceful");
        defaults.put("spring.lifecycle.timeout-per-shutdown-phase", "45s");
        defaults.put("spring.threads.virtual.enabled", "true");
        defaults.put("spring.main.banner-mode", "off");
        defaults.put("server.error.include-stacktrace", "never");
        defaults.put("server.error.include-exception", "false");
        return defaults;
    }

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(IngressApplication.class);
        application.setDefaultProperties(defaults());
        application.run(args);
    }
}
