package dev.tollgate.audit;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Import;

/** The audit sink process: every gateway topic into the append-only, hash-chained store. */
@SpringBootApplication(proxyBeanMethods = false)
@Import(AuditSinkConfiguration.class)
public class AuditSinkApplication {

    public static void main(String[] args) {
        SpringApplication.run(AuditSinkApplication.class, args);
    }
}
