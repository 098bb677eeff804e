package dev.tollgate.executor.admin;

import dev.tollgate.runtime.security.oidc.AdminTokens;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The admins' issuers of {@code tollgate.executor.oidc.admin-issuers}, checked at start-up: a
 * configuration that would let through tokens it should not stops the start, naming the setting.
 */
@Configuration(proxyBeanMethods = false)
public class AdminConfiguration {

    @Bean
    AdminTokens executorAdminTokens(Environment environment, Clock clock) {
        return AdminAccess.tokens(environment, clock);
    }
}
