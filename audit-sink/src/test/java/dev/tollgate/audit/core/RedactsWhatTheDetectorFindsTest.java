package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.tools.secrets.CredentialDetector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The redactor and the decision worker's detector read one definition of credential shapes: every
 * credential the detector would refuse a write for is gone from the audit record of that write's
 * request.
 */
class RedactsWhatTheDetectorFindsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourcePosition AT = new SourcePosition("gateway.requests", 0, 5, Instant
            .parse("2026-12-04T10:00:00Z"));

    // Fake credentials, assembled so that this file holds none verbatim.
    static List<Map.Entry<String, String>> credentials() {
        return List.of(
                Map.entry("github_token", "ghp_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"),
                Map.entry("github_token", "github_pat_" + "11ABCDE2Y0KLzdocJ2isAjIhKtJ0RlgLKOmx"
                        + "gJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY"),
                Map.entry("slack_token", "xoxb-" + "2635942065-2343594206574-ojfljoQoaF1Llqsaj"),
                Map.entry("stripe_key", "sk_" + "live_Zp0zVZomHFwUbbYrEqmSM9wC"),
                Map.entry("google_api_key", "AIza" + "NhFdnXsiVpzz63FfkCzJr4i0B3JrTAwR4y9"),
                Map.entry("npm_token", "npm_" + "ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD5"),
                Map.entry("pypi_token", "pypi-" + "AgEIcHlwaS5vcmc3X83RZJzzzzgEOzdmenCkhvMdgaK"
                        + "jIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgV"),
                Map.entry("openai_key", "sk-proj-" + "vVqE1SkHbn88HxjSI6bWHtP3T3Blbk"
                        + "FJfS2qHx6kwXoIIXGvOoNZYW2m"),
                Map.entry("anthropic_key", "sk-ant-" + "api03-vVqE1SkHbn88HxjSI6bWHtP3fS2qHx6kwXo"
                        + "IIXGvOoNZYW2m-Zp0zVZomHFwUbbYrEqmSM9wC"),
                Map.entry("gitlab_token", "glpat-" + "Zp0zVZomHFwUbbYrEqmS"),
                Map.entry("aws_access_key", "AKIA" + "Q80IDW3706I8J76B"),
                Map.entry("password", "password: k8Rz2mQw9xLp"),
                Map.entry("secret", "API_KEY=" + "a8f5f167f44f4964e6c998dee827110c"),
                Map.entry("aws_secret_key", "aws_secret_access_key = " + "vVqE1SkHbn88HxjSI6bW/"
                        + "tP3fS2qHx6kwXoIIXGv"));
    }

    @ParameterizedTest
    @MethodSource("credentials")
    void aRefusedPushStoresNoCredentialOfAnyKindTheDetectorKnows(Map.Entry<String, String> entry)
            throws Exception {
        String secret = entry.getValue();
        String content = "# config\n\nvalue = " + secret + "\n";
        assertThat(CredentialDetector.find(content)).hasSize(1); // the decision worker refuses it
        // a file's content is kept as its digest (ContentProofs); the commit message is text
        ToolCallRequested request = TestEvents.request("ev-9", "req-9", "agent-a", JSON
                .writeValueAsString(Map.of("owner", "octo", "repo", "hello", "branch",
                        "agent-fix", "message", content, "files", List.of(Map.of("path",
                                "config.toml", "content", content)))));
        request.setTool("push_files");

        AuditEntry record = new AuditEntries().from(request, AT);
        JsonNode stored = JSON.readTree(record.contextJson());

        String last12 = secret.substring(secret.length() - 12);
        assertThat(record.contextJson()).doesNotContain(last12);
        assertThat(stored.at("/arguments/message").asText()).contains("[REDACTED:" + entry
                .getKey() + "]").startsWith("# config");
        assertThat(CredentialDetector.find(stored.at("/arguments/message").asText())).isEmpty();
        assertThat(stored.at("/arguments/files/0/content/sha256").asText()).hasSize(64);
    }

    @Test
    void theRefusalIsAuditedWithItsFindingReadable() {
        String reason = "denied: push_files refused: README.md line 3 holds what looks like a"
                + " GitHub token (ghp_…); remove it, or use a secret store";
        ToolCallCompleted refusal = TestEvents.result("ev-10", "req-9", CallStatus.DENIED,
                "secret_in_content");
        refusal.setTool("push_files");
        refusal.setMessage(reason);

        AuditEntry record = new AuditEntries().from(refusal, AT);

        assertThat(record.reason()).isEqualTo(reason);
        assertThat(record.outcome()).isEqualTo("DENIED");
        assertThat(record.errorClass()).isEqualTo("secret_in_content");
    }
}
