package dev.tollgate.decision;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The decision worker as its own process: loads {@code tollgate.policy.file}, watches it, and
 * decides every request on {@code gateway.requests}. Runs without a web server unless
 * {@code spring.main.web-application-type=servlet} asks for one (then the runtime module serves
 * {@code /healthz} and {@code /readyz}).
 */
@SpringBootApplication
public class DecisionWorkerApplication {

    public static void main(String[] args) {
        new SpringApplicationBuilder(DecisionWorkerApplication.class).web(WebApplicationType.NONE)
                .run(args);
    }
}
