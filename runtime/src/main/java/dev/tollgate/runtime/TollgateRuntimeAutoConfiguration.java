package dev.tollgate.runtime;

import dev.tollgate.runtime.metrics.TraceContextFilter;
import dev.tollgate.schemas.EventMetas;
import io.micrometer.core.instrument.MeterRegistry;
import dev.tollgate.schemas.MessageLimits;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * What every role gets by depending on this module: its identity, topic provisioning at start-up,
 * a Kafka readiness check, {@code /healthz} and {@code /readyz} when it serves HTTP, and a one-line
 * start-up summary.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(TollgateKafkaProperties.class)
public class TollgateRuntimeAutoConfiguration {

    private static final Logger log = LoggerFactory
            .getLogger(TollgateRuntimeAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    Clock tollgateClock() {
        return Clock.systemUTC();
    }

    @Bean
    RoleInfo tollgateRoleInfo(Environment environment) {
        String role = environment.getProperty("tollgate.role",
                environment.getProperty("spring.application.name", "tollgate"));
        return new RoleInfo(role, EventMetas.Instances.id());
    }

    @Bean
    @ConditionalOnMissingBean
    ReadinessRegistry tollgateReadinessRegistry() {
        return new ReadinessRegistry();
    }

    /** The admin client settings derived from {@code spring.kafka.*}. */
    static Map<String, Object> adminConfig(KafkaProperties kafka) {
        return new HashMap<>(kafka.buildAdminProperties());
    }

    /**
     * The one record size every size setting follows, checked at start-up: a producer whose
     * {@code max.request.size} differs (set by hand) stops the role, naming the fix; the topics
     * are checked when they are provisioned.
     */
    @Bean
    MessageLimits tollgateMessageLimits(KafkaProperties kafka, TollgateKafkaProperties settings) {
        MessageLimits limits = settings.messageLimits();
        limits.checkProducer(kafka.buildProducerProperties());
        return limits;
    }

    @Bean
    @ConditionalOnProperty(name = "tollgate.kafka.provision-topics", havingValue = "true", matchIfMissing = true)
    TopicProvisioner.Report tollgateTopics(KafkaProperties kafka,
            TollgateKafkaProperties settings, MessageLimits limits) {
        try (Admin admin = Admin.create(adminConfig(kafka))) {
            TopicProvisioner.Report report = new TopicProvisioner(admin, settings.topicSettings(),
                    settings.getAdminTimeout().toMillis()).ensure(Topics.all());
            log.info("Kafka topics at {}: created {}, already present {}",
                    kafka.getBootstrapServers(), report.created(), report.existing().size());
            return report;
        }
    }

    @Bean(destroyMethod = "close")
    KafkaReadiness tollgateKafkaReadiness(KafkaProperties kafka, TollgateKafkaProperties settings,
            ReadinessRegistry registry, Clock clock) {
        KafkaReadiness readiness = new KafkaReadiness(adminConfig(kafka), settings
                .getAdminTimeout(), clock);
        registry.register(readiness);
        return readiness;
    }

    /** Registers every role-specific {@link ReadinessCheck} bean of this context. */
    @Bean
    Object tollgateReadinessChecks(ObjectProvider<ReadinessCheck> checks,
            ReadinessRegistry registry) {
        checks.orderedStream().forEach(registry::register);
        return new Object();
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    HealthController tollgateHealthController(ReadinessRegistry registry, RoleInfo role) {
        return new HealthController(registry, role);
    }

    /** Every meter of this role carries {@code role} (and the global ones reach its registry). */
    @Bean
    MeterRegistryCustomizer<MeterRegistry> tollgateMeterTags(RoleInfo role) {
        return registry -> registry.config().commonTags("role", role.name());
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    FilterRegistrationBean<TraceContextFilter> tollgateTraceContextFilter() {
        FilterRegistrationBean<TraceContextFilter> registration = new FilterRegistrationBean<>(
                new TraceContextFilter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    StartupSummary tollgateStartupSummary(RoleInfo role, KafkaProperties kafka) {
        return new StartupSummary(role, String.join(",", kafka.getBootstrapServers()));
    }
}
