package dev.tollgate.ingress.config;

import dev.tollgate.ingress.core.http.OriginPolicy;
import dev.tollgate.ingress.core.oidc.ProtectedResource;
import dev.tollgate.ingress.core.oidc.WorkloadIssuer;
import dev.tollgate.ingress.core.oidc.WorkloadTokens;
import dev.tollgate.ingress.core.http.TrustedProxies;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.kafka.RefusalPublisher;
import dev.tollgate.ingress.tokens.TokenService;
import dev.tollgate.ingress.web.RateLimits;
import dev.tollgate.runtime.PeriodicTask;
import dev.tollgate.runtime.security.AdminGate;
import dev.tollgate.runtime.security.FailureThrottle;
import dev.tollgate.runtime.security.SecretFiles;
import dev.tollgate.runtime.security.oidc.AdminIssuer;
import dev.tollgate.runtime.security.oidc.AdminTokens;
import dev.tollgate.tools.ToolCatalogue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.catalina.valves.RemoteIpValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the pure core to its adapters. */
@Configuration(proxyBeanMethods = false)
public class IngressConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IngressConfiguration.class);
    /** Where the ingress's OIDC settings are bound. */
    static final String OIDC_SETTINGS = "tollgate.ingress.oidc";

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

    /**
     * Whose address a request is from (the admin key's failure throttle, the audit): its peer's,
     * unless the peer is one of {@code tollgate.ingress.trusted-proxies}, whose X-Forwarded-For
     * then names the client (Tomcat's RemoteIpValve: the right-most address that is not itself a
     * trusted proxy). Spring Boot's own forwarded-header support stays off
     * ({@code server.forward-headers-strategy=none}, a role default): on Kubernetes it would
     * otherwise switch itself on and believe any private address, so that any pod could name
     * itself a new client with every request.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> forwardedClientAddress(
            IngressProperties properties, Environment environment) {
        String strategy = environment.getProperty("server.forward-headers-strategy", "none")
                .strip().toLowerCase(Locale.ROOT);
        if (!strategy.equals("none")) {
            throw new IllegalStateException("server.forward-headers-strategy=" + strategy
                    + " would make the ingress believe X-Forwarded-For from every private address:"
                    + " remove it and list your proxies' addresses in"
                    + " tollgate.ingress.trusted-proxies (TOLLGATE_INGRESS_TRUSTED_PROXIES)");
        }
        TrustedProxies proxies = TrustedProxies.of(properties.getTrustedProxies());
        return factory -> {
            if (proxies.isEmpty()) {
                return;
            }
            RemoteIpValve valve = new RemoteIpValve();
            valve.setInternalProxies(proxies.regex());
            valve.setTrustedProxies(null);
            valve.setRemoteIpHeader("X-Forwarded-For");
            valve.setProxiesHeader("X-Forwarded-By");
            factory.addEngineValves(valve);
        };
    }

    /** Bodies the ingress did not read are not read for Tomcat either: see {@link UnreadBodyValve}. */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> unreadBodiesCloseTheConnection() {
        return factory -> factory.addEngineValves(new UnreadBodyValve());
    }

    /**
     * One blocking read of a request body waits at most {@code tollgate.ingress.body-timeout}
     * (Tomcat's upload timeout) instead of the connection timeout, and the MCP guard gives the whole
     * body the same time: a thread reading a body from a client sending a byte now and then is
     * let go within twice that.
     */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> bodyReadsTimeOut(
            IngressProperties properties) {
        int millis = bodyTimeoutMillis(properties.getBodyTimeout());
        return factory -> factory.addConnectorCustomizers(connector -> {
            connector.setProperty("disableUploadTimeout", "false");
            connector.setProperty("connectionUploadTimeout", Integer.toString(millis));
        });
    }

    /** The body timeout in milliseconds, or an error naming the setting. */
    static int bodyTimeoutMillis(Duration timeout) {
        if (timeout == null || timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalStateException("tollgate.ingress.body-timeout must be at least 1ms"
                    + " and at most " + Integer.MAX_VALUE + "ms (was " + timeout + ")");
        }
        return (int) timeout.toMillis();
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

    /**
     * The trusted workload identity issuers ({@code tollgate.ingress.oidc.issuers}), each checked
     * at start-up: a configuration that would let through tokens it should not stops the start.
     */
    @Bean
    WorkloadTokens workloadTokens(IngressProperties properties, Clock clock) {
        IngressProperties.Oidc oidc = properties.getOidc();
        String resource = oidc.getResource();
        if (resource != null && !resource.isBlank()) {
            ProtectedResource.checkResource(resource);
        }
        List<WorkloadIssuer> issuers = new ArrayList<>();
        oidc.getIssuers().forEach((name, issuer) -> issuers.add(WorkloadIssuer.of(name, issuer
                .getIssuer(), issuer.getSpiffeTrustDomain(), issuer.getJwksUri(),
                issuer.getAudiences(), resource,
                issuer
                        .getAgentClaim(),
                issuer.getAgentPrefix(), issuer.getEnvironmentClaim(),
                issuer.getEnvironment(), issuer.getRequiredClaims(), issuer
                        .isAuthorizationServer())
                .withMaxTokenLifetime(issuer
                        .getMaxTokenLifetime())
                .withSharesAgentsWith(issuer.getSharesAgentsWith())));
        for (WorkloadIssuer issuer : issuers) {
            log.info("accepting workload identity tokens of issuer {} ({}): agent {}{}, audience"
                    + " {}", issuer.name(), issuer.trust().label(), issuer.agentPrefix(),
                    issuer.agentSource(),
                    issuer.trust().audiences());
            issuer.sharesAgentsWith().ifPresent(other -> log.warn("issuer {} gives the agents of"
                    + " issuer {} (shares-agents-with): a subject of either is the same agent;"
                    + " remove the setting and the old issuer once it has moved", issuer.name(),
                    other));
        }
        return new WorkloadTokens(issuers, oidc.keys(OIDC_SETTINGS, clock), clock);
    }

    /**
     * The admins' issuers ({@code tollgate.ingress.oidc.admin-issuers}), checked at start-up like
     * the agents'; with none, the shared admin key alone opens the admin API.
     */
    @Bean
    AdminTokens adminTokens(IngressProperties properties, WorkloadTokens workloads,
            Clock clock) {
        AdminTokens admins = AdminTokens.configured(OIDC_SETTINGS, properties.getOidc(), workloads
                .issuers().stream().map(WorkloadIssuer::trust).toList(), clock);
        for (AdminIssuer issuer : admins.issuers()) {
            log.info("accepting admin tokens of issuer {} ({}): admin {}, roles {}, audience {};"
                    + " the shared admin key is now break-glass", issuer.name(),
                    issuer.trust().label(),
                    issuer.subjectClaim(), issuer.rolesClaim(), issuer.trust()
                            .audiences());
        }
        return admins;
    }

    /** The OAuth protected resource metadata (RFC 9728), when the resource URI is configured. */
    @Bean
    @ConditionalOnProperty("tollgate.ingress.oidc.resource")
    ProtectedResource protectedResource(IngressProperties properties, WorkloadTokens workloads) {
        return new ProtectedResource(properties.getOidc().getResource(), workloads.issuers()
                .stream().filter(WorkloadIssuer::authorizationServer)
                .map(issuer -> issuer.issuer().orElseThrow())
                .sorted().toList());
    }

    @Bean
    TokenService tokenService(GatewayTokens tokens, TokenRules rules, RevocationList revocations,
            EventPublisher publisher, Clock clock, IngressProperties properties,
            ToolCatalogue catalogue, WorkloadTokens workloads) {
        return new TokenService(tokens, rules, revocations, publisher, clock, properties
                .getTokens().getRotationGrace(), catalogue.names(), workloads);
    }

    /** Every refusal at the door, counted per client and reason for the audit. */
    @Bean
    RefusalCounter refusalCounter(IngressProperties properties, Clock clock) {
        return new RefusalCounter(clock, properties.getRefusals().getMaxClients());
    }

    /** Publishes the counts every interval, and once more as the ingress stops. */
    @Bean
    PeriodicTask refusalPublisher(RefusalCounter counter, EventPublisher publisher,
            IngressProperties properties, Clock clock) {
        RefusalPublisher refusals = new RefusalPublisher(counter, publisher, clock);
        return new PeriodicTask("refusal-publisher", properties.getRefusals().getInterval(),
                "tollgate.ingress.refusals.interval", refusals::publishNow);
    }

    @Bean
    RateLimits rateLimits(IngressProperties properties) {
        IngressProperties.RateLimit limits = properties.getRateLimit();
        return new RateLimits(limits.getAgentLimitForPeriod(), limits.getAgentPeriod(), limits
                .getRotationLimitForPeriod(), limits.getRotationPeriod(),
                limits
                        .getProtocolLimitForPeriod(),
                limits.getWriteKibLimitForPeriod());
    }
}
