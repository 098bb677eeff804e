package dev.tollgate.ingress.webhooks;

import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.WebhookSignature;
import dev.tollgate.runtime.security.SecretFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook secrets in force, one per App: the default App's (environment
 * {@link AppEnvironments#DEFAULT}) and each environment's own. The environment whose secret
 * verifies a delivery is the environment the delivery is about. Values are never logged.
 */
public final class WebhookSecrets {

    private final Map<String, WebhookSignature> byEnvironment;

    WebhookSecrets(Map<String, WebhookSignature> byEnvironment) {
        this.byEnvironment = Map.copyOf(byEnvironment);
    }

    /** Reads every configured secret; a configured file that cannot be read stops start-up. */
    public static WebhookSecrets from(WebhookProperties properties) {
        Map<String, String> values = new LinkedHashMap<>();
        secret("tollgate.github.webhook-secret (TOLLGATE_GITHUB_WEBHOOK_SECRET)", properties
                .getWebhookSecret(), properties.getWebhookSecretFile()).ifPresent(
                        value -> values
                                .put(AppEnvironments.DEFAULT, value));
        properties.getEnvironments().forEach((environment, app) -> secret(
                "tollgate.github.environments." + environment + ".webhook-secret", app
                        .getWebhookSecret(),
                app.getWebhookSecretFile()).ifPresent(value -> {
                    String other = values.entrySet().stream().filter(e -> e.getValue()
                            .equals(value)).map(Map.Entry::getKey).findFirst().orElse(
                                    null);
                    if (other != null) {
                        throw new IllegalStateException("the webhook secrets of '"
                                + other + "' and '" + environment + "' are the same:"
                                + " give each environment's GitHub App its own secret, or"
                                + " a delivery cannot name its environment");
                    }
                    values.put(environment, value);
                }));
        Map<String, WebhookSignature> signatures = new LinkedHashMap<>();
        values.forEach((environment, value) -> signatures.put(environment, WebhookSignature
                .withSecret(value)));
        return new WebhookSecrets(signatures);
    }

    private static Optional<String> secret(String what, String value, Path file) {
        if (value != null && !value.isBlank()) {
            return Optional.of(value.trim());
        }
        if (file == null) {
            return Optional.empty();
        }
        return Optional.of(SecretFiles.readConfigured(what, file));
    }

    public boolean isEmpty() {
        return byEnvironment.isEmpty();
    }

    /** The environments with a secret, for the start-up log. */
    public List<String> environments() {
        return byEnvironment.keySet().stream().sorted().toList();
    }

    /** The environment whose secret verifies the body, or the reason none does. */
    public Verified verify(byte[] body, String signatureHeader) {
        String reason = "no webhook secret is configured";
        for (Map.Entry<String, WebhookSignature> entry : byEnvironment.entrySet()) {
            WebhookSignature.Verdict verdict = entry.getValue().verify(body, signatureHeader);
            if (verdict.verified()) {
                return new Verified(Optional.of(entry.getKey()), "verified");
            }
            reason = verdict.reason();
        }
        return new Verified(Optional.empty(), reason);
    }

    /** Which environment's secret verified the delivery; empty with the reason otherwise. */
    public record Verified(Optional<String> environment, String reason) {
    }

    @Override
    public String toString() {
        return "WebhookSecrets" + environments() + " (values redacted)";
    }
}
