package dev.tollgate.ingress.config;

import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.ingress.web.RateLimits;
import dev.tollgate.ingress.web.TokenController.AdminKey;
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

    /** {@code TOLLGATE_ADMIN_KEY}, else {@code TOLLGATE_ADMIN_KEY_FILE}, else a generated file. */
    @Bean
    AdminKey adminKey(@Value("${tollgate.admin-key:}") String value,
            @Value("${tollgate.admin-key-file:}") String file, IngressProperties properties) {
        return new AdminKey(SecretFiles.resolve("admin key (TOLLGATE_ADMIN_KEY)", value,
                file.isBlank() ? null : Path.of(file), properties.getStateDir().resolve(
                        "admin-key")));
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
    RevocationList revocationList(Clock clock, IngressProperties properties) {
        return new RevocationList(clock, properties.getTokens().getMaxLifetime());
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
                .getAdminLimitForPeriod(), limits.getAdminPeriod());
    }
}
