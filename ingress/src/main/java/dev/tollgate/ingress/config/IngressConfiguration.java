package dev.tollgate.ingress.config;

import dev.tollgate.ingress.core.http.OriginPolicy;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.ingress.web.RateLimits;
import dev.tollgate.runtime.security.AdminGate;
import dev.tollgate.runtime.security.FailureThrottle;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.tools.ToolCatalogue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the pure core to its adapters. */
@Configuration(proxyBeanMethods = false)
public class IngressConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ToolCatalogue toolCatalogue() {
        return ToolCatalogue.standard();
    }

    /**
     * The admin key: {@code TOLLGATE_ADMIN_KEY}, else {@code TOLLGATE_ADMIN_KEY_FILE}, else a
     * generated state file; at least 32 characters. Wrong keys are throttled per client address.
     */
    @Bean
    AdminGate adminGate(@Value("${tollgate.admin-key:}") String value,
            @Value("${tollgate.admin-key-file:}") String file, IngressProperties properties,
            Clock clock) {
        String source = value != null && !value.isBlank()
                ? "TOLLGATE_ADMIN_KEY (tollgate.admin-key)"
                : !file.isBlank()
                        ? "TOLLGATE_ADMIN_KEY_FILE " + file
                        : "the state file " + properties.getStateDir().resolve("admin-key");
        String key = SecretFiles.resolve("admin key (TOLLGATE_ADMIN_KEY)", value, file.isBlank()
                ? null
                : Path.of(file), properties.getStateDir().resolve("admin-key"));
        IngressProperties.RateLimit limits = properties.getRateLimit();
        return new AdminGate(key, source, new FailureThrottle(limits.getAdminLimitForPeriod(),
                limits.getAdminPeriod(), FailureThrottle.DEFAULT_CAPACITY, clock), "tollgate-admin",
                "TOLLGATE_ADMIN_KEY or TOLLGATE_ADMIN_KEY_FILE");
    }

    /** The Host / Origin rules of every endpoint agents and admins call. */
    @Bean
    OriginPolicy originPolicy(IngressProperties properties) {
        return new OriginPolicy(properties.getAllowedHosts(), properties.getAllowedOrigins());
    }

    @Bean
    GatewayTokens gatewayTokens(IngressProperties properties, Clock clock,
            ToolCatalogue catalogue) {
        IngressProperties.Tokens tokens = properties.getTokens();
        String key = SecretFiles.resolve(
                "token signing key (TOLLGATE_INGRESS_TOKENS_SIGNING_KEY)", tokens.getSigningKey(),
                tokens.getSigningKeyFile(), properties.getStateDir().resolve(
                        "token-signing-key"));
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalStateException("tollgate.ingress.tokens.signing-key must be at "
                    + "least 32 characters; generate one with `openssl rand -base64 48`");
        }
        return new GatewayTokens(bytes, clock, catalogue.names());
    }

    @Bean
    TokenRules tokenRules(IngressProperties properties) {
        return new TokenRules(properties.getTokens().getDefaultLifetime(), properties.getTokens()
                .getMaxLifetime());
    }

    @Bean
    RevocationList revocationList(Clock clock) {
        return new RevocationList(clock);
    }

    @Bean(destroyMethod = "close")
    EventPublisher eventPublisher(KafkaProperties kafka) {
        return new EventPublisher(kafka.buildProducerProperties());
    }

    @Bean
    TokenService tokenService(GatewayTokens tokens, TokenRules rules, RevocationList revocations,
            EventPublisher publisher, Clock clock, IngressProperties properties,
            ToolCatalogue catalogue) {
        return new TokenService(tokens, rules, revocations, publisher, clock, properties
                .getTokens().getRotationGrace(), catalogue.names());
    }

    @Bean
    RateLimits rateLimits(IngressProperties properties) {
        IngressProperties.RateLimit limits = properties.getRateLimit();
        return new RateLimits(limits.getAgentLimitForPeriod(), limits.getAgentPeriod(), limits
                .getRotationLimitForPeriod(), limits.getRotationPeriod());
    }
}
