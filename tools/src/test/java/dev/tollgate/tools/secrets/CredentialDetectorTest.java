package dev.tollgate.tools.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CredentialDetectorTest {

    // Fake credentials of each format, assembled so that this file holds none verbatim.
    static final String GITHUB_CLASSIC = "ghp_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d";
    static final String GITHUB_FINE_GRAINED = "github_pat_" + "11ABCDE2Y0"
            + "KLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY";
    static final String GITHUB_INSTALLATION_V1 = "v1." + "0fb23c6f5da2cec255404e4fb440034d6608697a";
    static final String SLACK = "xoxb-" + "2635942065-2343594206574-" + "ojfljoQoaF1LlqsajAIxNKu8";
    static final String STRIPE = "sk_" + "live_" + "Zp0zVZomHFwUbbYrEqmSM9wC";
    static final String GOOGLE = "AIza" + "NhFdnXsiVpzz63FfkCzJr4i0B3JrTAwR4y9";
    static final String NPM = "npm_" + "ojfljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD5";
    static final String PYPI = "pypi-" + "AgEIcHlwaS5vcmc"
            + "3X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgV";
    static final String OPENAI = "sk-proj-" + "vVqE1SkHbn88HxjSI6bWHtP3" + "T3Blbk" + "FJ"
            + "fS2qHx6kwXoIIXGvOoNZYW2m";
    static final String ANTHROPIC = "sk-ant-" + "api03-"
            + "vVqE1SkHbn88HxjSI6bWHtP3fS2qHx6kwXoIIXGvOoNZYW2m-Zp0zVZomHFwUbbYrEqmSM9wC";
    static final String GITLAB = "glpat-" + "Zp0zVZomHFwUbbYrEqmS";
    static final String AWS = "AKIA" + "Q80IDW3706I8J76B";
    static final String JWT = "eyJ" + "hbGciOiJSUzI1NiJ9.eyJ" + "pc3MiOiIxMjM0NSJ9."
            + "KLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7";
    static final String PRIVATE_KEY = "-----BEGIN RSA " + "PRIVATE KEY-----\n"
            + "MIIEowIBAAKCAQEA3X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2F\n"
            + "KLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMe\n"
            + "-----END RSA " + "PRIVATE KEY-----";

    static Stream<Arguments> oneOfEachKind() {
        return Stream.of(
                Arguments.of(GITHUB_CLASSIC, SecretKind.GITHUB_TOKEN, "ghp_…"),
                Arguments.of(GITHUB_FINE_GRAINED, SecretKind.GITHUB_TOKEN, "github_pat_…"),
                Arguments.of(GITHUB_INSTALLATION_V1, SecretKind.GITHUB_TOKEN, "v1.…"),
                Arguments.of(SLACK, SecretKind.SLACK_TOKEN, "xoxb-…"),
                Arguments.of(STRIPE, SecretKind.STRIPE_KEY, "sk_live_…"),
                Arguments.of(GOOGLE, SecretKind.GOOGLE_API_KEY, "AIza…"),
                Arguments.of(NPM, SecretKind.NPM_TOKEN, "npm_…"),
                Arguments.of(PYPI, SecretKind.PYPI_TOKEN, "pypi-…"),
                Arguments.of(OPENAI, SecretKind.OPENAI_KEY, "sk-…"),
                Arguments.of(ANTHROPIC, SecretKind.ANTHROPIC_KEY, "sk-ant-…"),
                Arguments.of(GITLAB, SecretKind.GITLAB_TOKEN, "glpat-…"),
                Arguments.of(AWS, SecretKind.AWS_ACCESS_KEY, "AKIA…"),
                Arguments.of(JWT, SecretKind.JWT, "eyJ…"),
                Arguments.of(PRIVATE_KEY, SecretKind.PRIVATE_KEY, null));
    }

    @ParameterizedTest
    @MethodSource("oneOfEachKind")
    void findsEachKnownFormatWithItsLineAndPrefixOnly(String secret, SecretKind kind,
            String hint) {
        String text = "# Setup\n\nconfigure it:\n  value: " + secret + "\nthen run it\n";

        List<CredentialFinding> found = CredentialDetector.find(text);

        assertThat(found).containsExactly(new CredentialFinding(kind, null, 4, hint));
        String description = found.get(0).describe();
        assertThat(description).isEqualTo("line 4 holds what looks like " + kind.description()
                + (hint == null ? "" : " (" + hint + ")"));
        assertThat(description).doesNotContain(secret.substring(hint == null
                ? 12
                : hint.length()
                        - 1,
                (hint == null ? 12 : hint.length() - 1) + 6));
    }

    @Test
    void findsValuesByTheirKeyUrlOrHeaderWhenWrittenOutLiterally() {
        String text = """
                db:
                  password: "k8Rz2mQw9xLp"
                url: postgres://app:Tr0ub4dorZq9@db.internal:5432/app
                curl -H "Authorization: Bearer Zp0zVZomHFwUbbYrEqmSM9wC" https://api.test
                https://storage.test/blob?sv=2021&sig=Zp0zVZomHFwUbbYrEqmSM9wC%2B
                API_KEY = "a8f5f167f44f4964e6c998dee827110c"
                aws_secret_access_key = vVqE1SkHbn88HxjSI6bW/tP3fS2qHx6kwXoIIXGv
                """;

        List<CredentialFinding> found = CredentialDetector.find(text);

        assertThat(found).extracting(CredentialFinding::kind, CredentialFinding::line)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(SecretKind.PASSWORD, 2),
                        org.assertj.core.groups.Tuple.tuple(SecretKind.PASSWORD, 3),
                        org.assertj.core.groups.Tuple.tuple(SecretKind.AUTHORIZATION, 4),
                        org.assertj.core.groups.Tuple.tuple(SecretKind.URL_CREDENTIAL, 5),
                        org.assertj.core.groups.Tuple.tuple(SecretKind.SECRET, 6),
                        org.assertj.core.groups.Tuple.tuple(SecretKind.AWS_SECRET_KEY, 7));
        assertThat(found).allSatisfy(finding -> assertThat(finding.hint()).isNull());
    }

    @Test
    void aTokenInsideAHeaderIsNamedByItsFormatOnce() {
        List<CredentialFinding> found = CredentialDetector.find("Authorization: token "
                + GITHUB_CLASSIC);

        assertThat(found).containsExactly(new CredentialFinding(SecretKind.GITHUB_TOKEN, null, 1,
                "ghp_…"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // placeholders of known formats
            "token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "export GITHUB_TOKEN=ghp_your_personal_access_token_here",
            "ghp_0000000000000000000000000000000000000",
            "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "sk_live_" + "xxxxxxxxxxxxxxxxxxxxxxxx",
            "Authorization: Bearer <your-token>",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwi"
                    + "aWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            // ordinary identifiers and data
            "id: 123e4567-e89b-12d3-a456-426614174000",
            "the idempotency token 123e4567-e89b-12d3-a456-426614174000 is reused on retry",
            "fixed in 0fb23c6f5da2cec255404e4fb440034d6608697a (see 3f2a9c1)",
            "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "data: SGVsbG8sIHdvcmxkISBUaGlzIGlzIGp1c3Qgb3JkaW5hcnkgdGV4dCBpbiBiYXNlNjQu",
            "const PREFIXES = ['ghp_', 'gho_', 'github_pat_', 'xoxb-', 'sk_live_', 'AIza'];",
            "if token.startswith(\"ghp_\"): kind = \"classic\"",
            // values by reference, not written out
            "password = os.environ[\"X\"]",
            "password = os.environ.get('DB_PASSWORD')",
            "DB_PASSWORD: ${{ secrets.DB_PASSWORD }}",
            "password: ${DB_PASSWORD}",
            "client_secret = settings.CLIENT_SECRET_V2",
            "secret_key: SECRET_KEY_FROM_VAULT",
            "password = getpass.getpass()",
            "Authorization: Bearer $TOKEN",
            "headers = {\"Authorization\": \"Bearer \" + token}",
            "token=get_token(); url = base + \"?token=\" + token",
            "postgres://app:${DB_PASSWORD}@db:5432/app",
            "postgres://user:password@localhost/db",
            "the token refreshHandlerFactory2 is created lazily",
            "PASSWORD_MIN_LENGTH = 12",
            "api_key = os.getenv(\"API_KEY\")",
            "accessToken: string;",
            "API_KEY_HEADER = \"X-Api-Key\"",
            "const apiKey = config.apiKey;",
            "refresh_token: response.refresh_token",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "passwordless: true",
            "private static final String HEADER = \"-----BEGIN PRIVATE KEY-----\";",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----",
            "Use sk_test_ keys: sk_test_" + "Zp0zVZomHFwUbbYrEqmSM9wC"})
    void ordinaryTextAndPlaceholdersAreNotCredentials(String text) {
        assertThat(CredentialDetector.find(text)).isEmpty();
    }

    @Test
    void nullAndEmptyTextHoldNothing() {
        assertThat(CredentialDetector.find(null)).isEmpty();
        assertThat(CredentialDetector.find("")).isEmpty();
    }

    @Test
    void reportsAtMostTheCapForOneText() {
        String text = (GITHUB_CLASSIC + "\n").repeat(CredentialDetector.MAX_FINDINGS + 5);

        assertThat(CredentialDetector.find(text)).hasSize(CredentialDetector.MAX_FINDINGS);
    }

    @Test
    void findsACredentialAtTheEndOfAMebibyteOfOrdinaryText() {
        String code = "    public static String greet(String name) { return \"Hello, \" + name; }\n";
        StringBuilder text = new StringBuilder();
        while (text.length() < 1 << 20) {
            text.append(code);
        }
        int lines = text.length() / code.length();
        text.append("token = \"").append(GITHUB_CLASSIC).append("\"\n");

        List<CredentialFinding> found = CredentialDetector.find(text.toString());

        assertThat(found).containsExactly(new CredentialFinding(SecretKind.GITHUB_TOKEN, null,
                lines + 1, "ghp_…"));
    }

    @Test
    void aMebibyteShapedToMakeEachPatternBacktrackFinishes() {
        // Runs that a pattern starting at every position would scan again and again.
        String[] adversarial = {"a-".repeat(1 << 19) + "password",
                "a.".repeat(1 << 19) + "://u:p@h", "eyJ".repeat(350_000) + "x",
                "authorization" + " ".repeat(1 << 20), "sk-" + "A".repeat(1 << 20),
                "-----BEGIN PRIVATE KEY-----".repeat(40_000),
                "token=".repeat(170_000), "xoxb-1".repeat(170_000)};

        for (String text : adversarial) {
            assertThat(CredentialDetector.find(text)).isEmpty();
        }
    }

    @Test
    void base64OfACredentialIsNotDecodedInPlainText() {
        // Only push_files' base64 content is decoded (WrittenContent); text is taken as written.
        String encoded = Base64.getEncoder().encodeToString(GITHUB_CLASSIC.getBytes());

        assertThat(CredentialDetector.find("blob: " + encoded)).isEmpty();
    }
}
