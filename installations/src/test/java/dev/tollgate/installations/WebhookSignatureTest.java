package dev.tollgate.installations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private final WebhookSignature signature = WebhookSignature.withSecret(
            "It's a Secret to Everybody");

    @Test
    void matchesTheExampleInGitHubsDocumentation() {
        // GitHub's docs: secret "It's a Secret to Everybody", payload "Hello, World!"
        String expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        assertThat(signature.sign(BODY)).isEqualTo(expected);
        assertThat(signature.verify(BODY, expected).verified()).isTrue();
    }

    @Test
    void refusesABodyChangedAfterSigning() {
        String header = signature.sign(BODY);
        byte[] tampered = "Hello, World?".getBytes(StandardCharsets.UTF_8);

        var verdict = signature.verify(tampered, header);

        assertThat(verdict.verified()).isFalse();
        assertThat(verdict.reason()).isEqualTo("signature does not match the body");
    }

    @Test
    void refusesASignatureMadeWithAnotherSecret() {
        String forged = WebhookSignature.withSecret("guess").sign(BODY);

        assertThat(signature.verify(BODY, forged).verified()).isFalse();
    }

    @Test
    void refusesAMissingHeader() {
        assertThat(signature.verify(BODY, null).reason()).contains("missing");
        assertThat(signature.verify(BODY, " ").reason()).contains("missing");
    }

    @Test
    void refusesTheOldSha1HeaderForm() {
        var verdict = signature.verify(BODY, "sha1=0123456789abcdef0123456789abcdef01234567");

        assertThat(verdict.verified()).isFalse();
        assertThat(verdict.reason()).contains("sha256=<64 hex digits>");
    }

    @Test
    void refusesNonHexadecimalDigits() {
        var verdict = signature.verify(BODY, "sha256=" + "z".repeat(64));

        assertThat(verdict.verified()).isFalse();
        assertThat(verdict.reason()).contains("not hexadecimal");
    }

    @Test
    void refusesATruncatedSignature() {
        String header = signature.sign(BODY);

        assertThat(signature.verify(BODY, header.substring(0, header.length() - 2)).verified())
                .isFalse();
    }

    @Test
    void refusesToWorkWithoutASecret() {
        assertThatThrownBy(() -> WebhookSignature.withSecret(""))
                .hasMessageContaining("TOLLGATE_GITHUB_WEBHOOK_SECRET");
        assertThatThrownBy(() -> WebhookSignature.withSecret(null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
