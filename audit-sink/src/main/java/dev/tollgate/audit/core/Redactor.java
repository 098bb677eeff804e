package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces anything that looks like a secret with {@code [REDACTED:<kind>]} before it reaches the
 * audit store: GitHub tokens (every prefix, including the long stateless formats), PEM private key
 * blocks, JWTs, {@code Authorization} values, passwords (by key name, in {@code key=value} text and
 * in URLs), credentials in URL parameters ({@code ?token=}, {@code sig=},
 * {@code X-Amz-Signature=}, {@code urlSignature=}, {@code jwt=}), and any value whose JSON key
 * names a secret. Applied at any depth of a JSON document and inside free text. Stateless and
 * thread-safe.
 *
 * <p>It errs on the side of redacting: a false positive costs a little audit detail, a false
 * negative leaks a credential into a store that is kept forever and cannot be edited.
 */
public final class Redactor {

    /** What was redacted; the name appears in the marker. */
    public enum Kind {
        GITHUB_TOKEN, PRIVATE_KEY, JWT, AUTHORIZATION, PASSWORD, SECRET, AWS_ACCESS_KEY, URL_CREDENTIAL;

        public String marker() {
            return "[REDACTED:" + name().toLowerCase(Locale.ROOT) + "]";
        }
    }

    /**
     * A rule and its trigger: a cheap test that must hold on any text the pattern can match (the
     * text, and the text lower-cased), so a rule whose trigger is absent is skipped without running
     * its regex. Most values of most events carry none of the triggers.
     */
    private record Rule(Kind kind, Pattern pattern, String replacement, Trigger mayMatch) {
    }

    @FunctionalInterface
    private interface Trigger {
        boolean test(String text, String lowerCase);

        /** Case-sensitive: the text contains one of {@code needles}. */
        static Trigger contains(String... needles) {
            return (text, lower) -> {
                for (String needle : needles) {
                    if (text.contains(needle)) {
                        return true;
                    }
                }
                return false;
            };
        }

        /** For {@code (?i)} rules: the lower-cased text contains one of the (lower-case) needles. */
        static Trigger containsIgnoringCase(String... needles) {
            return (text, lower) -> {
                for (String needle : needles) {
                    if (lower.contains(needle)) {
                        return true;
                    }
                }
                return false;
            };
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    // A token body: GitHub's classic tokens are [A-Za-z0-9_]; the newer stateless formats are
    // longer and may carry base64url, dots and padding. Redacting a trailing dot is harmless.
    private static final String TOKEN_BODY = "[A-Za-z0-9_\\-.+/=]{16,}";

    private static final List<Rule> RULES = List.of(
            // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PKCS#8, PGP); an unterminated block
            // is redacted to the end of the text.
            new Rule(Kind.PRIVATE_KEY, Pattern.compile(
                    "-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----"
                            + "(?:[\\s\\S]*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|[\\s\\S]*)"),
                    Kind.PRIVATE_KEY.marker(), Trigger.contains("-----BEGIN ")),
            // Fine-grained personal access tokens.
            new Rule(Kind.GITHUB_TOKEN, Pattern.compile("(?<![A-Za-z0-9])github_pat_"
                    + TOKEN_BODY), Kind.GITHUB_TOKEN.marker(), Trigger.contains("github_pat_")),
            // Classic and OAuth/user/installation/refresh tokens: ghp_ gho_ ghu_ ghs_ ghr_.
            new Rule(Kind.GITHUB_TOKEN, Pattern.compile("(?<![A-Za-z0-9])gh[pousr]_"
                    + TOKEN_BODY), Kind.GITHUB_TOKEN.marker(), Trigger.contains("ghp_", "gho_",
                            "ghu_", "ghs_", "ghr_")),
            // The pre-2021 installation token form "v1.<40 hex>".
            new Rule(Kind.GITHUB_TOKEN,
                    Pattern.compile("(?<![A-Za-z0-9.])v1\\.[0-9a-f]{40}(?![0-9a-f])"),
                    Kind.GITHUB_TOKEN.marker(), Trigger.contains("v1.")),
            // JWTs: two base64url JSON objects ("eyJ" is the encoding of {") and a signature.
            new Rule(Kind.JWT, Pattern.compile(
                    "eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"),
                    Kind.JWT.marker(), Trigger.contains("eyJ")),
            // Credentials GitHub writes into URLs it hands out: a private repository's raw
            // download and archive links (?token=), signed Actions log URLs (urlSignature=),
            // Azure and S3 signed storage URLs (sig=, X-Amz-Signature=, X-Amz-Credential=,
            // X-Amz-Security-Token=), Google's (X-Goog-*), JWT parameters of private images
            // (jwt=). Anywhere in text, not only after '?' or '&': these names hold nothing else.
            new Rule(Kind.URL_CREDENTIAL, Pattern.compile(
                    "(?i)(?<![a-z0-9])((?:access_)?token|jwt|sig|signature|urlsignature"
                            + "|x-amz-signature|x-amz-credential|x-amz-security-token"
                            + "|x-goog-signature|x-goog-credential)(=)(?!\\[REDACTED)"
                            + "[^&#\\s\"'<>()\\[\\]]+"),
                    "$1$2" + Kind.URL_CREDENTIAL.marker(), Trigger.containsIgnoringCase(
                            "token=", "jwt=", "sig=", "signature=", "x-amz-", "x-goog-")),
            new Rule(Kind.AWS_ACCESS_KEY,
                    Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])"),
                    Kind.AWS_ACCESS_KEY.marker(), Trigger.contains("AKIA", "ASIA")),
            // Authorization / Proxy-Authorization header text: keep the header name, drop the
            // value (scheme and credentials).
            new Rule(Kind.AUTHORIZATION, Pattern.compile(
                    "(?i)((?:proxy-)?authorization\"?\\s*[:=]\\s*\"?)(?:[A-Za-z]+\\s+)?[^\\s\",;}']+"),
                    "$1" + Kind.AUTHORIZATION.marker(), Trigger.containsIgnoringCase(
                            "authorization")),
            // Bare "Bearer xyz" / "Basic xyz" / "token xyz" credentials in text.
            new Rule(Kind.AUTHORIZATION, Pattern.compile(
                    "(?i)\\b(bearer|basic|token)(\\s+)(?!\\[REDACTED)[A-Za-z0-9._~+/=-]{12,}"),
                    "$1$2" + Kind.AUTHORIZATION.marker(), Trigger.containsIgnoringCase("bearer",
                            "basic", "token")),
            // Credentials in URLs: scheme://user:password@host.
            new Rule(Kind.PASSWORD,
                    Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^\\s:/@\"]+:)[^\\s@/\"]+@"),
                    "$1" + Kind.PASSWORD.marker() + "@", Trigger.contains("://")),
            // password=..., "secret": "...", client_secret: ... in free text.
            new Rule(Kind.PASSWORD, Pattern.compile(
                    "(?i)\\b((?:[a-z0-9_-]*(?:password|passwd|passphrase|pwd|secret))\"?\\s*[:=]\\s*\"?)"
                            + "(?!\\[REDACTED)[^\\s\",;&}]+"),
                    "$1" + Kind.PASSWORD.marker(), Trigger.containsIgnoringCase("pass", "pwd",
                            "secret")));

    /** JSON keys (lower-cased, without - and _) whose values are secrets whatever they look like. */
    private static final Map<String, Kind> SECRET_KEYS = Map.ofEntries(
            Map.entry("password", Kind.PASSWORD), Map.entry("passwd", Kind.PASSWORD),
            Map.entry("pwd", Kind.PASSWORD), Map.entry("passphrase", Kind.PASSWORD),
            Map.entry("authorization", Kind.AUTHORIZATION),
            Map.entry("proxyauthorization", Kind.AUTHORIZATION),
            Map.entry("privatekey", Kind.PRIVATE_KEY), Map.entry("secret", Kind.SECRET),
            Map.entry("clientsecret", Kind.SECRET), Map.entry("token", Kind.SECRET),
            Map.entry("accesstoken", Kind.SECRET), Map.entry("refreshtoken", Kind.SECRET),
            Map.entry("idtoken", Kind.SECRET), Map.entry("apikey", Kind.SECRET),
            Map.entry("apitoken", Kind.SECRET), Map.entry("xapikey", Kind.SECRET),
            Map.entry("cookie", Kind.SECRET), Map.entry("setcookie", Kind.SECRET),
            Map.entry("webhooksecret", Kind.SECRET), Map.entry("credentials", Kind.SECRET),
            Map.entry("credential", Kind.SECRET));

    /** Key suffixes that name a secret too ({@code db_password}, {@code github_token}). */
    private static final Set<String> SECRET_SUFFIXES = Set.of("password", "passwd", "secret",
            "privatekey", "accesstoken", "apikey", "token");

    /** Replaces every secret-looking substring of {@code text}. Null stays null. */
    public String redactText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        String lower = null;
        for (Rule rule : RULES) {
            if (lower == null) {
                lower = result.toLowerCase(Locale.ROOT); // the same string when nothing changes
            }
            if (!rule.mayMatch().test(result, lower)) {
                continue; // its trigger is absent from the text as it is now: the regex cannot match
            }
            Matcher matcher = rule.pattern().matcher(result);
            if (matcher.find()) {
                result = matcher.replaceAll(rule.replacement().contains("$")
                        ? rule.replacement()
                        : Matcher.quoteReplacement(rule.replacement()));
                lower = null;
            }
        }
        return result;
    }

    /** A redacted deep copy of {@code node}. */
    public JsonNode redactJson(JsonNode node) {
        return redact(node, null);
    }

    /**
     * Parses {@code json} and redacts it at every depth; text that is not JSON comes back as a JSON
     * string, redacted as free text.
     */
    public JsonNode redactJsonText(String json) {
        if (json == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        try {
            JsonNode parsed = MAPPER.readTree(json);
            return parsed == null ? TextNode.valueOf(redactText(json)) : redactJson(parsed);
        } catch (java.io.IOException | RuntimeException e) {
            return TextNode.valueOf(redactText(json));
        }
    }

    private JsonNode redact(JsonNode node, Kind keyKind) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            node.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                Kind kind = keyKind(field.getKey());
                copy.set(field.getKey(), redact(field.getValue(), kind != null ? kind : keyKind));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(redact(element, keyKind)));
            return copy;
        }
        if (keyKind != null && !node.isNull() && !node.isBoolean()) {
            // Whatever sits under a secret's key name is a secret, numbers included.
            return TextNode.valueOf(keyKind.marker());
        }
        if (node.isTextual()) {
            return TextNode.valueOf(redactText(node.textValue()));
        }
        return node.deepCopy();
    }

    /** The kind of secret a JSON key names, or null. */
    static Kind keyKind(String key) {
        String normalized = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        Kind exact = SECRET_KEYS.get(normalized);
        if (exact != null) {
            return exact;
        }
        for (String suffix : SECRET_SUFFIXES) {
            if (normalized.endsWith(suffix) && !normalized.endsWith("tokenid")) {
                return suffix.startsWith("pass")
                        ? Kind.PASSWORD
                        : suffix.equals("privatekey") ? Kind.PRIVATE_KEY : Kind.SECRET;
            }
        }
        return null;
    }
}
