package dev.tollgate.decision;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The decision worker as its own process: loads {@code tollgate.policy.file}, watches it, and
 * decides every request on {@code gateway.requests}. Like every role run alone it serves
 * {@code /healthz}, {@code /readyz} and its metrics (runtime module) on {@code SERVER_PORT};
 * {@code spring.main.web-application-type=none} turns the listener off.
 */
@SpringBootApplication
public class DecisionWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(DecisionWorkerApplication.class, args);
    }
}
