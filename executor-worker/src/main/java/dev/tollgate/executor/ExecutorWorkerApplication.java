package dev.tollgate.executor;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The executor worker: consumes decisions, acts on GitHub, publishes answers and token mints. */
@SpringBootApplication
public class ExecutorWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ExecutorWorkerApplication.class, args);
    }
}
