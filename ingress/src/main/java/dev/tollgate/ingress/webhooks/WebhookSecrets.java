package dev.tollgate.ingress.webhooks;

import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.WebhookSignature;
import dev.tollgate.runtime.security.SecretFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook secrets in force, one per App: the default App's (environment
 * {@link AppEnvironments#DEFAULT}) and each environment's own, each with its previous secret while
 * a rotation is under way (GitHub signs with one secret at a time: set the new one here as the
 * secret and the old one as the previous, then in GitHub, then remove the previous). The
 * environment whose secret verifies a delivery is the environment the delivery is about, so no
 * secret, current or previous, may be another environment's. Values are never logged.
 */
public final class WebhookSecrets {

    /** Per environment, its current secret's signature and then, if set, its previous one's. */
    private final Map<String, List<WebhookSignature>> byEnvironment;

    WebhookSecrets(Map<String, List<WebhookSignature>> byEnvironment) {
        Map<String, List<WebhookSignature>> copy = new LinkedHashMap<>();
        byEnvironment.forEach((environment, signatures) -> copy.put(environment, List.copyOf(
                signatures)));
        this.byEnvironment = Map.copyOf(copy);
    }

    /** Reads every configured secret; a configured file that cannot be read stops start-up. */
    public static WebhookSecrets from(WebhookProperties properties) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Map<String, String> environmentOf = new LinkedHashMap<>();
        add(values, environmentOf, AppEnvironments.DEFAULT, "tollgate.github.webhook-secret"
                + " (TOLLGATE_GITHUB_WEBHOOK_SECRET)",
                "tollgate.github.webhook-secret-previous"
                        + " (TOLLGATE_GITHUB_WEBHOOK_SECRET_PREVIOUS)",
                properties
                        .getWebhookSecret(),
                properties
                        .getWebhookSecretFile(),
                properties.getWebhookSecretPrevious(), properties
                        .getWebhookSecretPreviousFile());
        properties.getEnvironments().forEach((environment, app) -> add(values, environmentOf,
                environment, "tollgate.github.environments." + environment + ".webhook-secret",
                "tollgate.github.environments." + environment + ".webhook-secret-previous", app
                        .getWebhookSecret(),
                app.getWebhookSecretFile(), app
                        .getWebhookSecretPrevious(),
                app.getWebhookSecretPreviousFile()));
        Map<String, List<WebhookSignature>> signatures = new LinkedHashMap<>();
        values.forEach((environment, secrets) -> signatures.put(environment, secrets.stream()
                .map(WebhookSignature::withSecret).toList()));
        return new WebhookSecrets(signatures);
    }

    /**
     * Adds one environment's current secret and its previous one, if configured; a previous
     * secret without a current one, the same secret twice, or a secret another environment has
     * stops start-up (a delivery could not name its environment).
     */
    private static void add(Map<String, List<String>> values, Map<String, String> environmentOf,
            String environment, String setting, String previousSetting, String value, Path file,
            String previousValue, Path previousFile) {
        Optional<String> current = secret(setting, value, file);
        Optional<String> previous = secret(previousSetting, previousValue, previousFile);
        if (current.isEmpty()) {
            if (previous.isPresent()) {
                throw new IllegalStateException(previousSetting + " is set but " + setting
                        + " is not: the previous secret is accepted only beside a current one");
            }
            return;
        }
        List<String> secrets = new ArrayList<>();
        secrets.add(current.get());
        previous.ifPresent(secrets::add);
        if (secrets.size() == 2 && secrets.get(0).equals(secrets.get(1))) {
            throw new IllegalStateException(previousSetting + " is the same as " + setting
                    + ": set the new secret as " + setting + " and the old one as "
                    + previousSetting);
        }
        for (String secret : secrets) {
            String other = environmentOf.get(secret);
            if (other != null) {
                throw new IllegalStateException("the webhook secrets of '" + other + "' and '"
                        + environment + "' are the same (current or previous): give each"
                        + " environment's GitHub App its own secret, or a delivery cannot name"
                        + " its environment");
            }
        }
        secrets.forEach(secret -> environmentOf.put(secret, environment));
        values.put(environment, secrets);
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

    /** Environments whose previous secret is still accepted, for the start-up log. */
    public List<String> rotating() {
        return byEnvironment.entrySet().stream().filter(e -> e.getValue().size() > 1).map(
                Map.Entry::getKey).sorted().toList();
    }

    /** The environment whose secret verifies the body, or the reason none does. */
    public Verified verify(byte[] body, String signatureHeader) {
        String reason = "no webhook secret is configured";
        for (Map.Entry<String, List<WebhookSignature>> entry : byEnvironment.entrySet()) {
            List<WebhookSignature> signatures = entry.getValue();
            for (int i = 0; i < signatures.size(); i++) {
                WebhookSignature.Verdict verdict = signatures.get(i).verify(body,
                        signatureHeader);
                if (verdict.verified()) {
                    return new Verified(Optional.of(entry.getKey()), "verified", i > 0);
                }
                reason = verdict.reason();
            }
        }
        return new Verified(Optional.empty(), reason, false);
    }

    /**
     * Which environment's secret verified the delivery, and whether it was its previous one;
     * empty with the reason otherwise.
     */
    public record Verified(Optional<String> environment, String reason, boolean previous) {
    }

    @Override
    public String toString() {
        return "WebhookSecrets" + environments() + " (values redacted)";
    }
}
