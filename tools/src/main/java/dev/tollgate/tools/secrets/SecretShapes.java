package dev.tollgate.tools.secrets;

import dev.tollgate.tools.secrets.SecretShape.Trigger;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * Every shape of credential Tollgate knows, defined once: the audit sink's redactor replaces each
 * match, in this order; the decision worker refuses a write holding a credible one
 * ({@link CredentialDetector}). Known token formats come first, so that a token in an
 * {@code Authorization} header or a URL is named by its format.
 *
 * <p>Every pattern runs in time linear in the text: a pattern either starts only at a fixed prefix
 * and consumes a character class with nothing after it to backtrack for, or bounds what it can
 * backtrack over (a URL scheme is at most 64 characters, a password key starts where its run of
 * key characters starts, a JWT where its run of base64url characters starts).
 */
public final class SecretShapes {

    // A token body: GitHub's classic tokens are [A-Za-z0-9_]; the newer stateless formats are
    // longer and may carry base64url, dots and padding. Redacting a trailing dot is harmless.
    private static final String TOKEN_BODY = "[A-Za-z0-9_\\-.+/=]{16,}";

    /** The signature of jwt.io's example token, in every JWT tutorial. */
    private static final String JWT_IO_EXAMPLE_SIGNATURE = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    /** In prose, "the idempotency token 123e4567-e89b-…" names an ID, not a credential. */
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final Pattern KEY_BODY_RUN = Pattern.compile("[A-Za-z0-9+/]{40}");

    /** The shapes, in the order the redactor applies them. */
    public static final List<SecretShape> ALL = List.of(
            // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PKCS#8, PGP); an unterminated block
            // is redacted to the end of the text. A credible one has key material (a base64 run)
            // right after its header, not "..." or nothing.
            new SecretShape(SecretKind.PRIVATE_KEY, Pattern.compile(
                    "-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----"
                            + "(?:[\\s\\S]*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|[\\s\\S]*)"),
                    Trigger.contains("-----BEGIN "), SecretShapes::keyMaterialFollows, 0),
            // Fine-grained personal access tokens.
            token(SecretKind.GITHUB_TOKEN, "(?<![A-Za-z0-9])github_pat_" + TOKEN_BODY, 11, 16,
                    "github_pat_"),
            // Classic and OAuth/user/installation/refresh tokens: ghp_ gho_ ghu_ ghs_ ghr_.
            token(SecretKind.GITHUB_TOKEN, "(?<![A-Za-z0-9])gh[pousr]_" + TOKEN_BODY, 4, 16,
                    "ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
            // The pre-2021 installation token form "v1.<40 hex>".
            token(SecretKind.GITHUB_TOKEN, "(?<![A-Za-z0-9.])v1\\.[0-9a-f]{40}(?![0-9a-f])", 3,
                    40, "v1."),
            // JWTs: two base64url JSON objects ("eyJ" is the encoding of {") and a signature. A
            // credible one is signed (an unsigned JWT is no credential), and is not jwt.io's
            // example.
            new SecretShape(SecretKind.JWT,
                    Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}+"
                            + "\\.eyJ[A-Za-z0-9_-]{4,}+\\.[A-Za-z0-9_-]*+"),
                    Trigger.contains("eyJ"),
                    SecretShapes::signedJwt, 3),
            // Credentials GitHub writes into URLs it hands out: a private repository's raw
            // download and archive links (?token=), signed Actions log URLs (urlSignature=),
            // Azure and S3 signed storage URLs (sig=, X-Amz-Signature=, X-Amz-Credential=,
            // X-Amz-Security-Token=), Google's (X-Goog-*), JWT parameters of private images
            // (jwt=). Anywhere in text, not only after '?' or '&': these names hold nothing else.
            // A credible one is a URL parameter (after ? or &) with a literal random value.
            new SecretShape(SecretKind.URL_CREDENTIAL, Pattern.compile(
                    "(?i)(?<![a-z0-9])((?:access_)?token|jwt|sig|signature|urlsignature"
                            + "|x-amz-signature|x-amz-credential|x-amz-security-token"
                            + "|x-goog-signature|x-goog-credential)(=)(?!\\[REDACTED)"
                            + "(?<secret>[^&#\\s\"'<>()\\[\\]]+)"),
                    Trigger.containsIgnoringCase("token=", "jwt=", "sig=", "signature=", "x-amz-",
                            "x-goog-"),
                    (text, match) -> match.start() > 0 && "?&".indexOf(text.charAt(match
                            .start() - 1)) >= 0 && Looks.literalSecret(match.group("secret"),
                                    16),
                    0),
            token(SecretKind.AWS_ACCESS_KEY, "(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])",
                    4, 16, "AKIA", "ASIA"),
            // AWS secret access keys: 40 base64 characters under their key name.
            new SecretShape(SecretKind.AWS_SECRET_KEY, Pattern.compile(
                    "(?i)(?<![a-z0-9])((?:aws_?)?secret_?access_?key|aws_?secret_?key)"
                            + "(\"?\\s*[:=]\\s*[\"']?)(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"),
                    Trigger.containsIgnoringCase("secret_access_key", "secretaccesskey",
                            "secret_key", "secretkey"),
                    (text, match) -> Looks.randomTokenBody(match.group("secret"), 40), 0),
            // Slack bot, app, user and refresh tokens: xoxb-<team>-<bot>-<random>.
            token(SecretKind.SLACK_TOKEN, "(?<![A-Za-z0-9])xox[abpr]-[0-9]+-[0-9A-Za-z-]{10,}", 5,
                    10, "xoxa-", "xoxb-", "xoxp-", "xoxr-"),
            // Stripe live secret and restricted keys (test-mode keys move no money).
            token(SecretKind.STRIPE_KEY, "(?<![A-Za-z0-9])[sr]k_live_[0-9A-Za-z]{16,}", 8, 16,
                    "sk_live_", "rk_live_"),
            // Google API keys: AIza and 35 base64url characters.
            token(SecretKind.GOOGLE_API_KEY,
                    "(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])", 4, 35, "AIza"),
            // npm access tokens: npm_ and 36 alphanumerics.
            token(SecretKind.NPM_TOKEN, "(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])",
                    4, 36, "npm_"),
            // PyPI API tokens: macaroons whose base64 starts with the encoded "pypi.org" header.
            token(SecretKind.PYPI_TOKEN, "(?<![A-Za-z0-9])pypi-AgE[A-Za-z0-9_-]{50,}", 5, 50,
                    "pypi-AgE"),
            // Anthropic API and admin keys: sk-ant-api03-..., sk-ant-admin01-...
            token(SecretKind.ANTHROPIC_KEY,
                    "(?<![A-Za-z0-9])sk-ant-(?:api|admin|oat|sid)[0-9]{2}-[A-Za-z0-9_-]{32,}", 7,
                    32, "sk-ant-"),
            // OpenAI API keys carry "T3BlbkFJ" (base64 of "OpenAI") between two random halves.
            token(SecretKind.OPENAI_KEY, "(?<![A-Za-z0-9])sk-(?:proj-|svcacct-|admin-)?"
                    + "[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,}", 3, 32, "T3BlbkFJ"),
            // GitLab personal access tokens.
            token(SecretKind.GITLAB_TOKEN, "(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}", 6, 20,
                    "glpat-"),
            // Authorization / Proxy-Authorization header text: keep the header name, drop the
            // value (scheme and credentials).
            new SecretShape(SecretKind.AUTHORIZATION, Pattern.compile(
                    "(?i)((?:proxy-)?authorization\"?\\s*[:=]\\s*\"?)"
                            + "(?<secret>(?:[A-Za-z]+\\s+)?[^\\s\",;}']+)"),
                    Trigger.containsIgnoringCase("authorization"),
                    (text, match) -> Looks.literalSecret(lastWord(match.group("secret")), 16), 0),
            // Bare "Bearer xyz" / "Basic xyz" / "token xyz" credentials in text.
            new SecretShape(SecretKind.AUTHORIZATION, Pattern.compile(
                    "(?i)\\b(bearer|basic|token)(\\s+)(?!\\[REDACTED)"
                            + "(?<secret>[A-Za-z0-9._~+/=-]{12,})"),
                    Trigger.containsIgnoringCase("bearer", "basic", "token"),
                    (text, match) -> Looks.literalSecret(match.group("secret"), 20) && !UUID
                            .matcher(match.group("secret")).matches(),
                    0),
            // Credentials in URLs: scheme://user:password@host.
            new SecretShape(SecretKind.PASSWORD, Pattern.compile(
                    "(?i)\\b([a-z][a-z0-9+.-]{0,63}+://[^\\s:/@\"]+:)(?<secret>[^\\s@/\"]+)@"),
                    Trigger.contains("://"),
                    (text, match) -> Looks.literalSecret(match.group("secret"), 8), 0),
            // password=..., "secret": "...", client_secret: ... in free text. The key starts
            // where its run of key characters starts, so no run is scanned twice.
            new SecretShape(SecretKind.PASSWORD, Pattern.compile(
                    "(?i)(?<![a-z0-9_-])((?:[a-z0-9_-]*(?:password|passwd|passphrase|pwd|secret))"
                            + "\"?\\s*[:=]\\s*\"?)(?!\\[REDACTED)(?<secret>[^\\s\",;&}]+)"),
                    Trigger.containsIgnoringCase("pass", "pwd", "secret"),
                    (text, match) -> Looks.literalSecret(match.group("secret"), 8), 0),
            // api_key=..., "accessToken": "...", SECRET_KEY: ... in free text: API keys and
            // tokens by their key name, like passwords above.
            new SecretShape(SecretKind.SECRET, Pattern.compile(
                    "(?i)(?<![a-z0-9_-])((?:[a-z0-9_-]*(?:api[_-]?key|api[_-]?token|access[_-]?token"
                            + "|auth[_-]?token|refresh[_-]?token|secret[_-]?key|private[_-]?token"
                            + "|client[_-]?token))\"?\\s*[:=]\\s*\"?)(?!\\[REDACTED)"
                            + "(?<secret>[^\\s\",;&}]+)"),
                    Trigger.containsIgnoringCase("key", "token"),
                    (text, match) -> Looks.literalSecret(match.group("secret"), 16), 0));

    private SecretShapes() {
    }

    private static final TriggerScan SCAN = new TriggerScan(ALL);

    /**
     * Which shapes may match {@code text}: bit {@code i} is set when the trigger of
     * {@code ALL.get(i)} holds in it, found in one pass over the text ({@link TriggerScan}); the
     * shapes whose bits are clear cannot match. (On text holding U+0130 a bit may be set whose
     * trigger does not hold: a trigger only decides whether the pattern runs.)
     */
    public static long triggered(String text) {
        return SCAN.triggered(text);
    }

    /**
     * A token in a known format: the whole match is the credential, {@code prefixLength}
     * characters of it are the format's fixed prefix, and the rest must look random (at least
     * {@code minBody} characters, not a placeholder).
     */
    private static SecretShape token(SecretKind kind, String regex, int prefixLength, int minBody,
            String... triggers) {
        return new SecretShape(kind, Pattern.compile(regex), Trigger.contains(triggers),
                (text, match) -> Looks.randomTokenBody(match.group().substring(prefixLength),
                        minBody),
                prefixLength);
    }

    /** Key material (a run of 40 base64 characters) within the 400 after a PEM header. */
    private static boolean keyMaterialFollows(String text, MatchResult match) {
        int headerEnd = text.indexOf("-----", match.start() + "-----BEGIN ".length());
        if (headerEnd < 0) {
            return false;
        }
        int from = headerEnd + "-----".length();
        String window = text.substring(from, Math.min(match.end(), from + 400));
        return KEY_BODY_RUN.matcher(window).find();
    }

    private static boolean signedJwt(String text, MatchResult match) {
        String jwt = match.group();
        String signature = jwt.substring(jwt.lastIndexOf('.') + 1);
        return signature.length() >= 16 && !signature.equals(JWT_IO_EXAMPLE_SIGNATURE) && !Looks
                .placeholder(signature);
    }

    private static String lastWord(String value) {
        String trimmed = value.strip();
        int space = Math.max(trimmed.lastIndexOf(' '), Math.max(trimmed.lastIndexOf('\t'), trimmed
                .lastIndexOf('\n')));
        return trimmed.substring(space + 1);
    }
}
