package dev.tollgate.runtime;

import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;

/** Logs one line when a role is ready: what it is, where it listens, which Kafka it uses. */
public final class StartupSummary implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupSummary.class);

    private final RoleInfo role;
    private final String bootstrapServers;

    StartupSummary(RoleInfo role, String bootstrapServers) {
        this.role = role;
        this.bootstrapServers = bootstrapServers;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        String http = "no HTTP listener";
        if (event.getApplicationContext() instanceof WebServerApplicationContext web
                && web.getWebServer() != null) {
            String address = event.getApplicationContext().getEnvironment().getProperty(
                    "server.address", "0.0.0.0");
            http = "HTTP on http://" + address + ":" + web.getWebServer().getPort();
        }
        log.info("Tollgate {} ({}) ready: {}, Kafka at {}, JVM up {} ms", role.name(), role
                .instance(), http, bootstrapServers,
                ManagementFactory.getRuntimeMXBean()
                        .getUptime());
    }
}
