package dev.tollgate.ingress.webhooks;

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
 * GitHub webhooks: the secrets, the installation registry this replica keeps from the compacted
 * topic (for replay protection and the previous state of {@code installation_repositories}
 * deltas), and the controller. With no secret configured the endpoint refuses every delivery and
 * start-up says so once.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebhookProperties.class)
public class WebhookConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WebhookConfiguration.class);

    @Bean
    WebhookSecrets webhookSecrets(WebhookProperties properties) {
        WebhookSecrets secrets = WebhookSecrets.from(properties);
        if (secrets.isEmpty()) {
            log.warn("no GitHub webhook secret is configured: POST /webhooks/github refuses every"
                    + " delivery (set TOLLGATE_GITHUB_WEBHOOK_SECRET or"
                    + " TOLLGATE_GITHUB_WEBHOOK_SECRET_FILE)");
        } else {
            log.info("GitHub webhooks accepted for the Apps of environments {}", secrets
                    .environments());
            if (!secrets.rotating().isEmpty()) {
                log.info("the previous webhook secret is still accepted for environments {}:"
                        + " remove it (webhook-secret-previous) once the App in GitHub has the"
                        + " new one", secrets.rotating());
            }
        }
        return secrets;
    }

    @Bean
    InstallationRegistry webhookInstallationRegistry() {
        return new InstallationRegistry();
    }

    @Bean(destroyMethod = "close")
    InstallationRegistryFeed webhookInstallationFeed(KafkaProperties kafka,
            InstallationRegistry webhookInstallationRegistry,
            ObjectProvider<TopicProvisioner.Report> topics) {
        topics.getIfAvailable(); // the topic exists before it is read
        return new InstallationRegistryFeed(kafka.buildConsumerProperties(), Topics.INSTALLATIONS
                .name(), webhookInstallationRegistry).start();
    }

    @Bean
    ReadinessCheck installationRegistryLoaded(InstallationRegistryFeed webhookInstallationFeed) {
        return () -> webhookInstallationFeed.isCaughtUp()
                ? ReadinessCheck.Result.ready("installation-registry", "loaded")
                : ReadinessCheck.Result.notReady("installation-registry",
                        "still reading gateway.installations");
    }
}
