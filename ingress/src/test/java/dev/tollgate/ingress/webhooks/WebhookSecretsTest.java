package dev.tollgate.ingress.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.WebhookSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which environment's secret verifies a delivery, with a rotation under way: GitHub signs with
 * one secret at a time, so while an App's secret is changed both the old and the new one must
 * verify, each naming only its own environment.
 */
class WebhookSecretsTest {

    private static final byte[] BODY = "{\"action\":\"created\"}".getBytes(
            StandardCharsets.UTF_8);

    @Test
    void theCurrentAndThePreviousSecretBothVerifyAndThePreviousIsSaid() {
        WebhookProperties properties = new WebhookProperties();
        properties.setWebhookSecret("new-default-secret");
        properties.setWebhookSecretPrevious("old-default-secret");
        WebhookSecrets secrets = WebhookSecrets.from(properties);

        WebhookSecrets.Verified byNew = secrets.verify(BODY, signed("new-default-secret"));
        WebhookSecrets.Verified byOld = secrets.verify(BODY, signed("old-default-secret"));
        WebhookSecrets.Verified byOther = secrets.verify(BODY, signed("another-secret"));

        assertThat(byNew.environment()).contains(AppEnvironments.DEFAULT);
        assertThat(byNew.previous()).isFalse();
        assertThat(byOld.environment()).contains(AppEnvironments.DEFAULT);
        assertThat(byOld.previous()).isTrue();
        assertThat(byOther.environment()).isEmpty();
        assertThat(byOther.reason()).isEqualTo("signature does not match the body");
        assertThat(secrets.rotating()).containsExactly(AppEnvironments.DEFAULT);
    }

    @Test
    void eachEnvironmentsPreviousSecretNamesOnlyThatEnvironment(@TempDir Path dir)
            throws Exception {
        Path previous = Files.writeString(dir.resolve("prod-previous"), "old-prod-secret\n");
        WebhookProperties properties = new WebhookProperties();
        properties.setWebhookSecret("default-secret");
        WebhookProperties.EnvironmentApp prod = new WebhookProperties.EnvironmentApp();
        prod.setWebhookSecret("new-prod-secret");
        prod.setWebhookSecretPreviousFile(previous);
        properties.getEnvironments().put("prod", prod);
        WebhookSecrets secrets = WebhookSecrets.from(properties);

        assertThat(secrets.verify(BODY, signed("old-prod-secret")).environment()).contains(
                "prod");
        assertThat(secrets.verify(BODY, signed("new-prod-secret")).environment()).contains(
                "prod");
        assertThat(secrets.verify(BODY, signed("default-secret"))).satisfies(verified -> {
            assertThat(verified.environment()).contains(AppEnvironments.DEFAULT);
            assertThat(verified.previous()).isFalse();
        });
        assertThat(secrets.rotating()).containsExactly("prod");
        assertThat(secrets.toString()).doesNotContain("secret\"").doesNotContain("old-prod");
    }

    @Test
    void withoutAPreviousSecretOnlyTheCurrentOneVerifies() {
        WebhookProperties properties = new WebhookProperties();
        properties.setWebhookSecret("new-default-secret");
        WebhookSecrets secrets = WebhookSecrets.from(properties);

        assertThat(secrets.verify(BODY, signed("old-default-secret")).environment()).isEmpty();
        assertThat(secrets.rotating()).isEmpty();
    }

    /** A previous secret another environment has would let a delivery name either. */
    @Test
    void aPreviousSecretThatIsAnotherEnvironmentsStopsTheStart() {
        WebhookProperties properties = new WebhookProperties();
        properties.setWebhookSecret("default-secret");
        WebhookProperties.EnvironmentApp prod = new WebhookProperties.EnvironmentApp();
        prod.setWebhookSecret("prod-secret");
        prod.setWebhookSecretPrevious("default-secret");
        properties.getEnvironments().put("prod", prod);

        assertThatThrownBy(() -> WebhookSecrets.from(properties)).isInstanceOf(
                IllegalStateException.class).hasMessageContaining("'default' and 'prod'")
                .hasMessageNotContaining("default-secret");
    }

    @Test
    void aPreviousSecretWithoutACurrentOneOrTheSameAsItStopsTheStart() {
        WebhookProperties alone = new WebhookProperties();
        alone.setWebhookSecretPrevious("old-default-secret");
        WebhookProperties same = new WebhookProperties();
        same.setWebhookSecret("default-secret");
        same.setWebhookSecretPrevious("default-secret");

        assertThatThrownBy(() -> WebhookSecrets.from(alone)).hasMessageContaining(
                "tollgate.github.webhook-secret-previous (TOLLGATE_GITHUB_WEBHOOK_SECRET_PREVIOUS)"
                        + " is set but tollgate.github.webhook-secret");
        assertThatThrownBy(() -> WebhookSecrets.from(same)).hasMessageContaining(
                "is the same as").hasMessageNotContaining("default-secret\"");
    }

    private static String signed(String secret) {
        return WebhookSignature.withSecret(secret).sign(BODY);
    }
}
