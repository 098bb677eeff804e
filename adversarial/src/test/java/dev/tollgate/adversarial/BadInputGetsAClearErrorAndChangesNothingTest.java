package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tollgate.installations.WebhookSignature;
import io.modelcontextprotocol.spec.McpError;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 8: bad input gets a clear error and changes nothing. Each attack is refused with a
 * message naming the problem, publishes nothing to gateway.requests, reaches nothing on GitHub,
 * and the canary is still answered.
 */
@ExtendWith(Standalone.Extension.class)
class BadInputGetsAClearErrorAndChangesNothingTest {

    private final Standalone tollgate;
    private long requestsBefore;
    private int githubBefore;

    BadInputGetsAClearErrorAndChangesNothingTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @BeforeEach
    void countWhatExistsBefore() {
        requestsBefore = tollgate.recordsOn("gateway.requests");
        githubBefore = tollgate.github().requests().size();
    }

    private void assertNothingChanged() {
        assertThat(tollgate.recordsOn("gateway.requests")).as("requests published")
                .isEqualTo(requestsBefore);
        assertThat(tollgate.github().requests().subList(githubBefore, tollgate.github()
                .requests().size())).as("requests that reached GitHub").isEmpty();
        tollgate.assertTheCanaryIsStillAnswered();
    }

    @Test
    void pathTraversalInEverySpellingIsRefusedByName() {
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            for (String path : List.of("../etc/passwd", "docs/../../x", "%2e%2e/secrets/prod.env",
                    "docs/%zz/%2e%2e/secrets/prod.env", "docs/%252e%252e/x", "docs\\..\\x",
                    "/etc/passwd", "docs//x", "a/./b", "x\u0000y")) {
                Map<String, Object> answer = reader.call("get_file", Map.of("owner", "acme",
                        "repo", "app", "path", path));

                assertThat(answer.get("status")).as(path + ": " + answer).isEqualTo(
                        "invalid_arguments");
                assertThat(answer.get("field")).as(path).isEqualTo("path");
            }
            for (String apiPath : List.of("/repos/acme/app/contents/docs/%zz/%2e%2e/secrets",
                    "/repos/acme/app/../other/contents/x", "/repos/acme/app/contents/a%2fb",
                    "/repos/acme/app/tarball/main", "/user/installations")) {
                Map<String, Object> answer = reader.call("github_api_get", Map.of("path",
                        apiPath));

                assertThat(answer.get("status")).as(apiPath + ": " + answer).isEqualTo(
                        "invalid_arguments");
            }
        }
        assertNothingChanged();
    }

    @Test
    void oddRepositoryNamesAndWrongTypesAreRefusedNamingTheField() {
        try (Standalone.Agent reader = tollgate.agent(tollgate.mint("reader"))) {
            List<Map<String, Object>> calls = List.of(Map.of("owner", "-acme", "repo", "app",
                    "path", "a"), Map.of("owner", "acme", "repo", "..", "path", "a"),
                    Map.of(
                            "owner", "acme", "repo", "app.git", "path", "a"),
                    Map.of("owner", 42, "repo", "app", "path", "a"), Map.of("owner", "acme",
                            "repo", "app", "path", List.of("a")),
                    Map.of("owner", "acme", "repo", "app", "path", "a", "token", "x"));
            for (Map<String, Object> arguments : calls) {
                Map<String, Object> answer = reader.call("get_file", arguments);

                assertThat(answer.get("status")).as(arguments + ": " + answer).isEqualTo(
                        "invalid_arguments");
                assertThat((String) answer.get("message")).as(arguments.toString()).startsWith(
                        "Invalid arguments for get_file: '");
            }
        }
        assertNothingChanged();
    }

    @Test
    void malformedJsonRpcAndUnknownToolsGetAClearErrorWithoutAStackTrace() {
        String token = tollgate.mint("reader");

        HttpResponse<String> notJson = tollgate.mcp(token, "{\"jsonrpc\":\"2.0\",\"id\":1,",
                Map.of());
        HttpResponse<String> notRpc = tollgate.mcp(token, "[1,2,3]", Map.of());
        Throwable unknown;
        try (Standalone.Agent reader = tollgate.agent(token)) {
            unknown = catchThrowable(() -> reader.call("delete_repo", Map.of("owner", "acme",
                    "repo", "app")));
        }

        for (HttpResponse<String> response : List.of(notJson, notRpc)) {
            assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
            assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(unknown).isInstanceOf(McpError.class).hasMessageStartingWith(
                "Unknown tool 'delete_repo'; the tools are [");
        assertNothingChanged();
    }

    @Test
    void anOversizedBodyIsRefusedBeforeItIsRead() {
        String token = tollgate.mint("writer");
        String huge = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{"
                + "\"name\":\"create_issue\",\"arguments\":{\"owner\":\"acme\",\"repo\":\"app\","
                + "\"title\":\"t\",\"body\":\"" + "x".repeat(8 * 1024 * 1024) + "\"}}}";

        HttpResponse<String> response = tollgate.mcp(token, huge, Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertNothingChanged();
    }

    @Test
    void forgedTamperedAndMissingGatewayTokensAreRefused() {
        String token = tollgate.mint("reader");
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + parts[1] + "." + (parts[2].charAt(0) == 'A'
                ? "B"
                : "A") + parts[2].substring(1);
        String otherPayload = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2)
                + "xy." + parts[2];
        String initialize = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":"
                + "{\"name\":\"attacker\",\"version\":\"1\"}}}";

        for (String forged : new String[]{null, "", tampered, otherPayload, "not-a-jwt",
                Standalone.ADMIN_KEY}) {
            HttpResponse<String> response = tollgate.mcp(forged, initialize, Map.of());

            assertThat(response.statusCode()).as("token %s: %s", forged, response.body())
                    .isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        }
        assertNothingChanged();
    }

    @Test
    void aWebhookWithABadSignatureChangesNoInstallation() {
        long installationsBefore = tollgate.recordsOn("gateway.installations");
        byte[] body = """
                {"action": "deleted",
                 "installation": {"id": 7001, "app_id": 1, "updated_at": "2030-01-01T00:00:00Z",
                   "account": {"login": "acme", "type": "Organization"},
                   "repository_selection": "all", "permissions": {"contents": "read"}},
                 "sender": {"login": "mallory"}}
                """.getBytes(StandardCharsets.UTF_8);

        for (String signature : new String[]{null, "sha256=00", WebhookSignature.withSecret(
                "guessed").sign(body), "sha1=" + "0".repeat(40)}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tollgate.baseUrl()
                    + "/webhooks/github")).header("Content-Type", "application/json").header(
                            "X-GitHub-Event", "installation")
                    .header("X-GitHub-Delivery", "forged-" + signature).POST(
                            HttpRequest.BodyPublishers.ofByteArray(body));
            if (signature != null) {
                request.header("X-Hub-Signature-256", signature);
            }
            HttpResponse<String> response = tollgate.send(request);

            assertThat(response.statusCode()).as("signature %s: %s", signature, response.body())
                    .isEqualTo(401);
        }
        assertThat(tollgate.recordsOn("gateway.installations")).isEqualTo(installationsBefore);
        assertNothingChanged();
    }
}
