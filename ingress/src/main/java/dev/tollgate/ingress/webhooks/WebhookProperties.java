package dev.tollgate.ingress.webhooks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code tollgate.github.*} as far as the ingress needs it: the webhook secret of the default App
 * ({@code TOLLGATE_GITHUB_WEBHOOK_SECRET} / {@code TOLLGATE_GITHUB_WEBHOOK_SECRET_FILE}) and of
 * each environment that has an App of its own ({@code tollgate.github.environments.<env>.*}).
 * Other keys under the prefix (App ID, key file) belong to the executor and are ignored here.
 */
@ConfigurationProperties("tollgate.github")
public class WebhookProperties {

    /** The default App's webhook secret. Prefer the file. */
    private String webhookSecret;
    /** File holding the default App's webhook secret. */
    private Path webhookSecretFile;
    /**
     * The default App's previous webhook secret, accepted beside the current one while a
     * rotation is under way (GitHub signs with one secret at a time). Prefer the file.
     */
    private String webhookSecretPrevious;
    /** File holding the default App's previous webhook secret. */
    private Path webhookSecretPreviousFile;
    /** Deliveries with a larger body are refused with 413. */
    private int webhookMaxBytes = 5 * 1024 * 1024;
    /**
     * Deliveries whose body is being received or handled at once on this replica; more get 503
     * with Retry-After. Each may hold up to {@code webhookMaxBytes} before it is verified.
     */
    private int webhookMaxConcurrent = 4;
    /**
     * How long a delivery's whole body may take once it holds one of those slots; a slower one
     * is answered 408 and its connection closed. GitHub sends a delivery at once (and gives up
     * waiting for an answer after 10 s), so only a slow sender is cut.
     */
    private Duration webhookBodyTimeout = Duration.ofSeconds(10);
    /** Environments with an App (and so a webhook secret) of their own. */
    private Map<String, EnvironmentApp> environments = new LinkedHashMap<>();

    public String getWebhookSecret() {
        return webhookSecret;
    }

    public void setWebhookSecret(String webhookSecret) {
        this.webhookSecret = webhookSecret;
    }

    public Path getWebhookSecretFile() {
        return webhookSecretFile;
    }

    public void setWebhookSecretFile(Path webhookSecretFile) {
        this.webhookSecretFile = webhookSecretFile;
    }

    public String getWebhookSecretPrevious() {
        return webhookSecretPrevious;
    }

    public void setWebhookSecretPrevious(String webhookSecretPrevious) {
        this.webhookSecretPrevious = webhookSecretPrevious;
    }

    public Path getWebhookSecretPreviousFile() {
        return webhookSecretPreviousFile;
    }

    public void setWebhookSecretPreviousFile(Path webhookSecretPreviousFile) {
        this.webhookSecretPreviousFile = webhookSecretPreviousFile;
    }

    public int getWebhookMaxBytes() {
        return webhookMaxBytes;
    }

    public void setWebhookMaxBytes(int webhookMaxBytes) {
        this.webhookMaxBytes = webhookMaxBytes;
    }

    public int getWebhookMaxConcurrent() {
        return webhookMaxConcurrent;
    }

    public void setWebhookMaxConcurrent(int webhookMaxConcurrent) {
        this.webhookMaxConcurrent = webhookMaxConcurrent;
    }

    public Duration getWebhookBodyTimeout() {
        return webhookBodyTimeout;
    }

    public void setWebhookBodyTimeout(Duration webhookBodyTimeout) {
        this.webhookBodyTimeout = webhookBodyTimeout;
    }

    public Map<String, EnvironmentApp> getEnvironments() {
        return environments;
    }

    public void setEnvironments(Map<String, EnvironmentApp> environments) {
        this.environments = environments;
    }

    /** One environment's App, as far as webhooks go. */
    public static class EnvironmentApp {

        private String webhookSecret;
        private Path webhookSecretFile;
        private String webhookSecretPrevious;
        private Path webhookSecretPreviousFile;

        public String getWebhookSecretPrevious() {
            return webhookSecretPrevious;
        }

        public void setWebhookSecretPrevious(String webhookSecretPrevious) {
            this.webhookSecretPrevious = webhookSecretPrevious;
        }

        public Path getWebhookSecretPreviousFile() {
            return webhookSecretPreviousFile;
        }

        public void setWebhookSecretPreviousFile(Path webhookSecretPreviousFile) {
            this.webhookSecretPreviousFile = webhookSecretPreviousFile;
        }

        public String getWebhookSecret() {
            return webhookSecret;
        }

        public void setWebhookSecret(String webhookSecret) {
            this.webhookSecret = webhookSecret;
        }

        public Path getWebhookSecretFile() {
            return webhookSecretFile;
        }

        public void setWebhookSecretFile(Path webhookSecretFile) {
            this.webhookSecretFile = webhookSecretFile;
        }
    }
}
