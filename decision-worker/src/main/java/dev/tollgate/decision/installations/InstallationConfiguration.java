package dev.tollgate.decision.installations;

import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.installations.kafka.InstallationRegistryFeed;
import dev.tollgate.runtime.ReadinessCheck;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The installation registry the decision worker consults, read from the compacted
 * {@code gateway.installations} topic before the decision loops start.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({InstallationProperties.class,
        InstallationProperties.GitHubEnvironments.class})
public class InstallationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(InstallationConfiguration.class);

    @Bean
    InstallationRegistry decisionInstallationRegistry() {
        return new InstallationRegistry();
    }

    @Bean(destroyMethod = "close")
    InstallationRegistryFeed decisionInstallationFeed(KafkaProperties kafka,
            InstallationRegistry decisionInstallationRegistry, InstallationProperties properties,
            ObjectProvider<TopicProvisioner.Report> topics) throws InterruptedException {
        topics.getIfAvailable(); // the topic exists before it is read
        if (properties.getMode() == InstallationGate.Mode.OFF) {
            return new InstallationRegistryFeed(kafka.buildConsumerProperties(),
                    Topics.INSTALLATIONS
                            .name(),
                    decisionInstallationRegistry).start();
        }
        return InstallationRegistryFeed.startCaughtUp(kafka.buildConsumerProperties(),
                decisionInstallationRegistry, properties.getLoadTimeout(), "decision worker");
    }

    @Bean
    InstallationGate installationGate(InstallationRegistry decisionInstallationRegistry,
            InstallationProperties properties,
            InstallationProperties.GitHubEnvironments github) {
        AppEnvironments environments = new AppEnvironments(github.getEnvironments().keySet());
        log.info("installation registry mode {}; environments with an App of their own: {}",
                properties.getMode().name().toLowerCase(java.util.Locale.ROOT), environments
                        .dedicated());
        return new InstallationGate(decisionInstallationRegistry, properties.getMode(),
                environments);
    }

    @Bean
    ReadinessCheck decisionInstallationRegistryLoaded(
            InstallationRegistryFeed decisionInstallationFeed) {
        return () -> decisionInstallationFeed.isCaughtUp()
                ? ReadinessCheck.Result.ready("installation-registry", "loaded")
                : ReadinessCheck.Result.notReady("installation-registry",
                        "still reading gateway.installations");
    }
}
