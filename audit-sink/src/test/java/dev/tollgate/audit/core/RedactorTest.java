package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {

    private final Redactor redactor = new Redactor();

    private static final String CLASSIC = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";

    @ParameterizedTest
    @ValueSource(strings = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"})
    void redactsEveryGitHubTokenPrefix(String prefix) {
        String token = prefix + "16C7e42F292c6912E7710c838347Ae178B4a";

        String redacted = redactor.redactText("use " + token + " please");

        assertThat(redacted).isEqualTo("use [REDACTED:github_token] please");
    }

    @Test
    void redactsFineGrainedPersonalAccessTokens() {
        String token = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV";

        assertThat(redactor.redactText("token=" + token)).doesNotContain("11ABCDEFG").contains(
                "[REDACTED:");
        assertThat(redactor.redactText(token)).isEqualTo("[REDACTED:github_token]");
    }

    @Test
    void redactsTheLongStatelessInstallationTokenFormatWhole() {
        // ~520 characters, base64url segments separated by dots: never assume 40.
        String body = "eyJ2IjoxfQ" + "a".repeat(200) + "." + "B-_c".repeat(60) + "."
                + "Zz09".repeat(20);
        String token = "ghs_" + body;

        String redacted = redactor.redactText("Authorization header was not used; the token "
                + token + " leaked");

        assertThat(token.length()).isGreaterThan(500);
        assertThat(redacted).doesNotContain("aaaa").doesNotContain("B-_c").doesNotContain(
                "Zz09").contains("[REDACTED:github_token]");
    }

    @Test
    void redactsTheOldInstallationTokenForm() {
        assertThat(redactor.redactText("v1.0123456789abcdef0123456789abcdef01234567"))
                .isEqualTo("[REDACTED:github_token]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY"})
    void redactsPemPrivateKeyBlocks(String label) {
        String pem = "-----BEGIN " + label + "-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy\n"
                + "abcDEF+/==\n-----END " + label + "-----";

        String redacted = redactor.redactText("key:\n" + pem + "\nthanks");

        assertThat(redacted).isEqualTo("key:\n[REDACTED:private_key]\nthanks");
    }

    @Test
    void redactsAnUnterminatedPrivateKeyToTheEnd() {
        String redacted = redactor.redactText(
                "here -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJ (truncated)");

        assertThat(redacted).isEqualTo("here [REDACTED:private_key]");
    }

    @Test
    void redactsJwts() {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMiLCJleHAiOjE3MDB9.c2lnbmF0dXJlLXZhbHVlLWhlcmU";

        assertThat(redactor.redactText("jwt " + jwt + " end")).isEqualTo(
                "jwt [REDACTED:jwt] end");
    }

    @Test
    void redactsAuthorizationHeaderValuesInText() {
        assertThat(redactor.redactText("curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='"))
                .isEqualTo("curl -H 'Authorization: [REDACTED:authorization]'");
        assertThat(redactor.redactText("sent Bearer abcdef0123456789xyz to it")).isEqualTo(
                "sent Bearer [REDACTED:authorization] to it");
        assertThat(redactor.redactText("Proxy-Authorization=Digest qop123456")).isEqualTo(
                "Proxy-Authorization=[REDACTED:authorization]");
    }

    @Test
    void caseInsensitiveRulesAreNotSkippedByTheirTriggerCheckInAnyCase() {
        assertThat(redactor.redactText("AUTHORIZATION: TOKEN abcdef0123456789")).isEqualTo(
                "AUTHORIZATION: [REDACTED:authorization]");
        assertThat(redactor.redactText("sent BEARER ABCDEF0123456789XYZ and bAsIc "
                + "dXNlcjpwYXNzd29yZA==")).isEqualTo("sent BEARER [REDACTED:authorization] and"
                        + " bAsIc [REDACTED:authorization]");
        assertThat(redactor.redactText("APP_SECRET=s3cr3t PWD=x PassPhrase: y")).isEqualTo(
                "APP_SECRET=[REDACTED:password] PWD=[REDACTED:password] PassPhrase:"
                        + " [REDACTED:password]");
        assertThat(redactor.redactText("HTTPS://bob:hunter2@example.com")).isEqualTo(
                "HTTPS://bob:[REDACTED:password]@example.com");
    }

    @Test
    void textWithNoRuleTriggerComesBackUnchanged() {
        String plain = "octo-org/widgets: fix the README typo in section 2 (issue #17)";

        assertThat(redactor.redactText(plain)).isSameAs(plain);
    }

    @Test
    void redactsPasswordsInTextAndUrls() {
        assertThat(redactor.redactText("db password=hunter2 and PGPASSWORD: s3cr3t!")).isEqualTo(
                "db password=[REDACTED:password] and PGPASSWORD: [REDACTED:password]");
        assertThat(redactor.redactText("clone https://bob:hunter2@example.com/x.git")).isEqualTo(
                "clone https://bob:[REDACTED:password]@example.com/x.git");
    }

    @Test
    void redactsASecretUsedAsAJsonKeyAndTheKeyNamesTheTextRulesTreatAsSecrets() {
        // the review's github_api_get query: a token as a parameter's name, and AWS-style names
        String token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        String aws = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Rk3Tm2Q";
        String json = """
                {"path":"/repos/o/r/issues","query":{"%s":"1","secret_key":"Zx9Qm2Lr7Tv4Wp1Ks8Hd3Fg6",
                 "aws_secret_access_key":"%s","access_key":"Zx9Qm2Lr7Tv4Wp1Ks8Hd3Fg6"}}
                """
                .formatted(token, aws);

        JsonNode redacted = redactor.redactJsonText(json);

        assertThat(redacted.toString()).doesNotContain(token).doesNotContain(aws)
                .doesNotContain("Zx9Qm2Lr7Tv4Wp1Ks8Hd3Fg6");
        assertThat(redacted.at("/query/[REDACTED:github_token]").asText()).isEqualTo("1");
        assertThat(redacted.at("/query/secret_key").asText()).startsWith("[REDACTED:");
        assertThat(redacted.at("/query/aws_secret_access_key").asText()).startsWith(
                "[REDACTED:");
        assertThat(redacted.at("/path").asText()).isEqualTo("/repos/o/r/issues");
    }

    @Test
    void redactsUrlCredentialNamesAndPluralsAsKeys() {
        String value = "Zx9Qm2Lr7Tv4Wp1Ks8Hd3Fg6";
        String json = """
                {"sig":"%1$s","jwt":"%1$s","urlSignature":"%1$s","X-Amz-Signature":"%1$s",
                 "secrets":{"A":"%1$s"},"tokens":["%1$s"],"api_keys":["%1$s"],
                 "tokenId":"jti-9","keys":"k","status":"open"}
                """.formatted(value);

        JsonNode redacted = redactor.redactJsonText(json);

        assertThat(redacted.toString()).doesNotContain(value);
        assertThat(redacted.at("/secrets/A").asText()).startsWith("[REDACTED:");
        assertThat(redacted.at("/tokens/0").asText()).startsWith("[REDACTED:");
        assertThat(redacted.at("/tokenId").asText()).isEqualTo("jti-9");
        assertThat(redacted.at("/keys").asText()).isEqualTo("k");
        assertThat(redacted.at("/status").asText()).isEqualTo("open");
    }

    @Test
    void twoSecretKeysThatRedactAlikeKeepBothValues() {
        String json = """
                {"ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8":"1","ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2":"2"}
                """;

        JsonNode redacted = redactor.redactJsonText(json);

        assertThat(redacted.size()).isEqualTo(2);
        assertThat(redacted.toString()).doesNotContain("ghp_A1b2").doesNotContain("ghp_Z9y8")
                .contains("\"1\"").contains("\"2\"");
    }

    @Test
    void permissionNamesAreAVocabularyNotSecrets() throws Exception {
        JsonNode permissions = new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"secrets":"read","organization_secrets":"write","contents":"write"}
                """);

        JsonNode kept = redactor.redactJsonVocabulary(permissions);

        assertThat(kept).isEqualTo(permissions);
        assertThat(redactor.redactJson(permissions).at("/secrets").asText()).startsWith(
                "[REDACTED:");
    }

    @Test
    void redactsByKeyNameAndByShapeAtAnyDepth() {
        String json = """
                {"title":"fix","body":"my token is %s",
                 "files":[{"path":"a.txt","content":"x"},
                          {"path":"deep","meta":{"headers":{"Authorization":"token abc","X-Other":"ok"},
                           "nested":[[{"password":12345}]], "client_secret":{"value":"v","n":1}}}],
                 "tokenId":"jti-9","enabled":true,"count":3,"note":null}
                """
                .formatted(CLASSIC);

        JsonNode redacted = redactor.redactJsonText(json);

        assertThat(redacted.at("/body").asText()).isEqualTo("my token is [REDACTED:github_token]");
        assertThat(redacted.at("/files/1/meta/headers/Authorization").asText()).isEqualTo(
                "[REDACTED:authorization]");
        assertThat(redacted.at("/files/1/meta/headers/X-Other").asText()).isEqualTo("ok");
        assertThat(redacted.at("/files/1/meta/nested/0/0/password").asText()).isEqualTo(
                "[REDACTED:password]");
        assertThat(redacted.at("/files/1/meta/client_secret/value").asText()).isEqualTo(
                "[REDACTED:secret]");
        assertThat(redacted.at("/files/1/meta/client_secret/n").asText()).isEqualTo(
                "[REDACTED:secret]");
        assertThat(redacted.at("/files/0/content").asText()).isEqualTo("x");
        assertThat(redacted.at("/tokenId").asText()).isEqualTo("jti-9");
        assertThat(redacted.at("/enabled").asBoolean()).isTrue();
        assertThat(redacted.at("/count").asInt()).isEqualTo(3);
        assertThat(redacted.at("/note").isNull()).isTrue();
        assertThat(redacted.toString()).doesNotContain(CLASSIC).doesNotContain("12345");
    }

    @Test
    void keepsKeyOrderSoTheEncodingIsStable() {
        JsonNode redacted = redactor.redactJsonText("{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2}}");

        assertThat(JsonText.write(redacted)).isEqualTo("{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2}}");
    }

    @Test
    void redactsTextThatIsNotJsonAsAString() {
        JsonNode redacted = redactor.redactJsonText("not json " + CLASSIC);

        assertThat(redacted.isTextual()).isTrue();
        assertThat(redacted.asText()).isEqualTo("not json [REDACTED:github_token]");
    }

    @Test
    void leavesOrdinaryTextAlone() {
        String text = "Fix the build: commit 0123456789abcdef0123456789abcdef01234567 on main,"
                + " see https://github.com/octo/hello/pull/7 (token bucket is full)";

        assertThat(redactor.redactText(text)).isEqualTo(text);
    }

    /** A credential parameter that still has a value other than a redaction marker. */
    private static final java.util.regex.Pattern URL_CREDENTIAL_LEFT = java.util.regex.Pattern
            .compile("(?i)(?:token|jwt|sig|urlsignature|x-amz-signature)=(?!\\[REDACTED)[^&\"\\s]");

    private static String githubAnswer(String name) throws java.io.IOException {
        try (java.io.InputStream in = RedactorTest.class.getResourceAsStream("/github-answers/"
                + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"contents-listing-private.json", "feed.json",
            "list-attestations.json", "locations.json"})
    void redactsTheCredentialsGitHubWritesIntoTheUrlsOfItsAnswers(String name) throws Exception {
        String answer = githubAnswer(name);
        assertThat(answer).containsPattern(URL_CREDENTIAL_LEFT);

        String redacted = redactor.redactJsonText(answer).toString();

        assertThat(redacted).doesNotContainPattern(URL_CREDENTIAL_LEFT).doesNotContain("GHSAT0",
                "abc123", "thistokenexpires", "jPSbbJnIEshU", "2TUDfIg4fm").contains(
                        "[REDACTED:url_credential]");
    }

    @Test
    void aDownloadUrlKeepsEverythingButItsToken() throws Exception {
        JsonNode listing = redactor.redactJsonText(githubAnswer("contents-listing-private.json"));

        assertThat(listing.get(0).get("download_url").asText()).isEqualTo(
                "https://raw.githubusercontent.com/octokit-fixture-org/hello-world/master/README.md"
                        + "?token=[REDACTED:url_credential]");
        assertThat(listing.get(0).get("url").asText()).endsWith("README.md?ref=master");
        assertThat(redactor.redactText("img https://private-user-images.githubusercontent.com/1/"
                + "a.png?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIAEXAMPLE%2F2024&X-Amz-Signature="
                + "f00dfeed&jwt=opaque")).doesNotContain("f00dfeed", "opaque", "AKIAEXAMPLE")
                .contains("X-Amz-Algorithm=AWS4");
    }
}
