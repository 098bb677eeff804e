package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.ToolCallCompleted;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * No credential GitHub writes into a URL leaves the executor: checked on GitHub's own answers
 * ({@code src/test/resources/github-answers}, from {@code @octokit/fixtures} and
 * {@code @octokit/openapi}).
 */
class AnswerSanitizerTest {

    /** A credential parameter that still has a value. */
    static final Pattern CREDENTIAL_WITH_VALUE = Pattern.compile(
            "(?i)[?&](?:amp;)?(?:token|jwt|sig|urlsignature|x-amz-signature|x-amz-credential"
                    + "|x-amz-security-token)=[^&\"\\s]");

    private final AnswerSanitizer sanitizer = new AnswerSanitizer();

    static String fixture(String name) {
        try (InputStream in = AnswerSanitizerTest.class.getResourceAsStream("/github-answers/"
                + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    @Test
    void aPrivateRepositorysDownloadUrlLosesItsTokenAndNothingElseChanges() {
        String answer = fixture("contents-listing-private.json");
        assertThat(answer).containsPattern(CREDENTIAL_WITH_VALUE);

        JsonNode clean = GitHubSession.JSON.readTree(sanitizer.sanitizeJson(answer));

        JsonNode original = GitHubSession.JSON.readTree(answer);
        JsonNode file = clean.get(0);
        assertThat(file.get("download_url").asString()).isEqualTo(
                "https://raw.githubusercontent.com/octokit-fixture-org/hello-world/master/README.md?token=");
        assertThat(clean.toString()).doesNotContainPattern(CREDENTIAL_WITH_VALUE).doesNotContain(
                "GHSAT0");
        for (String field : new String[]{"url", "git_url", "html_url", "_links", "sha", "name",
                "path", "size", "type"}) {
            assertThat(file.get(field)).as(field).isEqualTo(original.get(0).get(field));
        }
    }

    @Test
    void signedUrlsInGitHubsAnswersLoseTheirSignatures() {
        for (String name : new String[]{"feed.json", "list-attestations.json",
                "locations.json"}) {
            String answer = fixture(name);
            assertThat(answer).as(name).containsPattern(CREDENTIAL_WITH_VALUE);

            String clean = sanitizer.sanitizeJson(answer);

            assertThat(clean).as(name).doesNotContainPattern(CREDENTIAL_WITH_VALUE)
                    .doesNotContain("abc123", "thistokenexpires", "jPSbbJnIEshU", "2TUDfIg4fm");
        }
        // what is not a credential stays: the blob's expiry, the log URL's expiry, the login
        assertThat(sanitizer.sanitizeJson(fixture("list-attestations.json"))).contains(
                "se=2024-11-09T17%3A13%3A43Z&sig=&sp=r");
        assertThat(sanitizer.sanitizeJson(fixture("locations.json"))).contains(
                "legacy.zip/master?login=me&token=\"", "urlSigningMethod=HMACV1&urlSignature=\"");
    }

    @Test
    void aSignedUrlInsideTextIsCleanedOnGitHubsHostsOnly() {
        String html = "<p><img src=\"https://private-user-images.githubusercontent.com/1/2.png"
                + "?jwt=eyJhbGciOiJIUzI1NiJ9.eyJrZXkiOiJ2YWx1ZSJ9.c2ln\" alt=\"x\"></p>"
                + "<a href=\"https://example.com/doc?token=keep-me\">doc</a>";

        String clean = sanitizer.sanitizeText(html);

        assertThat(clean).contains("2.png?jwt=\"").doesNotContain("eyJhbGci").contains(
                "https://example.com/doc?token=keep-me");
        assertThat(sanitizer.sanitizeText("see [x](https://raw.githubusercontent.com/o/r/main/a"
                + ".png?token=AAB7TOKEN) and more")).isEqualTo(
                        "see [x](https://raw.githubusercontent.com/o/r/main/a.png?token=) and more");
    }

    @Test
    void aFilesContentQuotingSomeoneElsesUrlIsLeftAsItIs() {
        String content = "endpoint = \"https://api.example.com/v1?token=abc&sig=def\"\n";
        String json = GitHubSession.JSON.createObjectNode().put("content", content).toString();

        assertThat(sanitizer.sanitizeJson(json)).isSameAs(json);
    }

    @Test
    void aUrlAsAWholeValueIsCleanedWhateverItsHostAndLosesItsUserInformation() {
        assertThat(
                sanitizer.sanitizeValue("https://x-access-token:ghs_secret@ghe.internal/o/r.git"))
                .isEqualTo("https://ghe.internal/o/r.git");
        assertThat(sanitizer.sanitizeValue("https://bucket.example.net/a?X-Amz-Credential=AKIA"
                + "&X-Amz-Signature=f00d&X-Amz-Expires=300")).isEqualTo(
                        "https://bucket.example.net/a?X-Amz-Credential=&X-Amz-Signature=&X-Amz-Expires=300");
        assertThat(sanitizer.sanitizeValue(
                "https://api.github.com/repos/o/r/{archive_format}{/ref}")).isEqualTo(
                        "https://api.github.com/repos/o/r/{archive_format}{/ref}");
    }

    @Test
    void anEnterpriseServersOwnRawHostIsASigningHost() {
        AnswerSanitizer enterprise = AnswerSanitizer.forApi(URI.create(
                "https://ghe.example.com/api/v3"));
        String text = "raw: https://ghe.example.com/raw/o/r/main/a.txt?token=ABCDEF and"
                + " https://raw.ghe.example.com/o/r/main/b.txt?token=GHIJKL";

        assertThat(enterprise.sanitizeText(text)).doesNotContain("ABCDEF", "GHIJKL");
        assertThat(sanitizer.sanitizeText(text)).contains("ABCDEF");
    }

    @Test
    void aCleanAnswerIsReturnedAsTheSameObjectAndCleaningTwiceChangesNothing() {
        ToolCallCompleted clean = answer("{\"download_url\":\"https://raw.githubusercontent.com"
                + "/o/r/main/a?ref=main\"}", "get_file succeeded");
        ToolCallCompleted dirty = answer(fixture("contents-listing-private.json"),
                "see https://codeload.github.com/o/r/legacy.zip/main?token=XYZ123");

        ToolCallCompleted once = sanitizer.sanitize(dirty);

        assertThat(sanitizer.sanitize(clean)).isSameAs(clean);
        assertThat(sanitizer.sanitize(once)).isSameAs(once);
        assertThat(once.getMessage()).endsWith("legacy.zip/main?token=");
        assertThat(once.getResultJson().length()).isLessThan(dirty.getResultJson().length());
        assertThat(once.getMeta()).isEqualTo(dirty.getMeta());
    }

    private static ToolCallCompleted answer(String result, String message) {
        return ToolCallCompleted.newBuilder().setMeta(EventMeta.newBuilder().setEventId("e-1")
                .setRequestId("r-1").setOccurredAt(Instant.parse("2026-11-21T12:00:00Z"))
                .setProducer("executor-worker").build()).setAgentId("a").setEnvironment("ci")
                .setTool("github_api_get").setStatus(CallStatus.SUCCEEDED).setMessage(message)
                .setResultJson(result).setPolicyVersion("v").setAttempts(1).build();
    }
}
