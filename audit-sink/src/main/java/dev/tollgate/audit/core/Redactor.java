package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.tools.secrets.SecretKind;
import dev.tollgate.tools.secrets.SecretShape;
import dev.tollgate.tools.secrets.SecretShapes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Replaces anything that looks like a secret with {@code [REDACTED:<kind>]} before it reaches the
 * audit store: GitHub tokens (every prefix, including the long stateless formats), PEM private key
 * blocks, JWTs, {@code Authorization} values, passwords (by key name, in {@code key=value} text and
 * in URLs), credentials in URL parameters ({@code ?token=}, {@code sig=},
 * {@code X-Amz-Signature=}, {@code urlSignature=}, {@code jwt=}), and any value whose JSON key
 * names a secret. Applied at any depth of a JSON document and inside free text. Stateless and
 * thread-safe. The shapes are {@link SecretShapes}, shared with the decision worker, which refuses
 * writes that carry them; here every match is redacted, credible or not.
 *
 * <p>It errs on the side of redacting: a false positive costs a little audit detail, a false
 * negative leaks a credential into a store that is kept forever and cannot be edited.
 */
public final class Redactor {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * JSON keys (lower-cased, without - and _) whose values are secrets whatever they look like:
     * the names {@link SecretShapes} treats as credentials in text (URL credential parameters,
     * {@code Authorization}), and a few more.
     */
    private static final Map<String, SecretKind> SECRET_KEYS = Map.ofEntries(
            Map.entry("password", SecretKind.PASSWORD), Map.entry("passwd", SecretKind.PASSWORD),
            Map.entry("pwd", SecretKind.PASSWORD), Map.entry("passphrase", SecretKind.PASSWORD),
            Map.entry("authorization", SecretKind.AUTHORIZATION),
            Map.entry("proxyauthorization", SecretKind.AUTHORIZATION),
            Map.entry("privatekey", SecretKind.PRIVATE_KEY), Map.entry("secret", SecretKind.SECRET),
            Map.entry("clientsecret", SecretKind.SECRET), Map.entry("token", SecretKind.SECRET),
            Map.entry("accesstoken", SecretKind.SECRET),
            Map.entry("refreshtoken", SecretKind.SECRET),
            Map.entry("idtoken", SecretKind.SECRET), Map.entry("apikey", SecretKind.SECRET),
            Map.entry("apitoken", SecretKind.SECRET), Map.entry("xapikey", SecretKind.SECRET),
            Map.entry("cookie", SecretKind.SECRET), Map.entry("setcookie", SecretKind.SECRET),
            Map.entry("webhooksecret", SecretKind.SECRET),
            Map.entry("credentials", SecretKind.SECRET),
            Map.entry("credential", SecretKind.SECRET),
            // URL credential parameters (SecretShapes' URL_CREDENTIAL names)
            Map.entry("jwt", SecretKind.URL_CREDENTIAL),
            Map.entry("sig", SecretKind.URL_CREDENTIAL),
            Map.entry("signature", SecretKind.URL_CREDENTIAL),
            Map.entry("urlsignature", SecretKind.URL_CREDENTIAL),
            Map.entry("xamzsignature", SecretKind.URL_CREDENTIAL),
            Map.entry("xamzcredential", SecretKind.URL_CREDENTIAL),
            Map.entry("xamzsecuritytoken", SecretKind.URL_CREDENTIAL),
            Map.entry("xgoogsignature", SecretKind.URL_CREDENTIAL),
            Map.entry("xgoogcredential", SecretKind.URL_CREDENTIAL));

    /**
     * Key suffixes that name a secret too ({@code db_password}, {@code github_token},
     * {@code aws_secret_access_key}): every key name the text shapes of {@link SecretShapes} treat
     * as a credential's, whatever precedes it.
     */
    private static final Set<String> SECRET_SUFFIXES = Set.of("password", "passwd", "passphrase",
            "pwd", "secret", "privatekey", "accesstoken", "apikey", "apitoken", "authtoken",
            "refreshtoken", "privatetoken", "clienttoken", "token", "secretkey", "secretaccesskey",
            "accesskey");

    /** Replaces every secret-looking substring of {@code text}. Null stays null. */
    public String redactText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        long triggered = SecretShapes.triggered(result);
        for (int i = 0; i < SecretShapes.ALL.size(); i++) {
            if ((triggered & (1L << i)) == 0) {
                continue; // its trigger is absent from the text as it is now: the regex cannot match
            }
            SecretShape shape = SecretShapes.ALL.get(i);
            Matcher matcher = shape.pattern().matcher(result);
            if (matcher.find()) {
                String current = result;
                String marker = shape.kind().marker();
                // Only the credential is replaced; the key, scheme or URL around it stays.
                result = matcher.replaceAll(match -> Matcher.quoteReplacement(current.substring(
                        match.start(), shape.secretStart(match)) + marker
                        + current.substring(
                                shape.secretEnd(match), match.end())));
                triggered = SecretShapes.triggered(result); // later shapes read the new text
            }
        }
        return result;
    }

    /** A redacted deep copy of {@code node}. */
    public JsonNode redactJson(JsonNode node) {
        return redact(node, null, true);
    }

    /**
     * A redacted deep copy of {@code node} whose keys are a fixed vocabulary and name no secret
     * (GitHub's permission names: {@code secrets}, {@code organization_secrets} name what a token
     * may do, and their levels are what an audit must show): keys and values are still scanned
     * for secrets' shapes, but no value is replaced for its key's name.
     */
    public JsonNode redactJsonVocabulary(JsonNode node) {
        return redact(node, null, false);
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

    private JsonNode redact(JsonNode node, SecretKind keyKind, boolean byKeyName) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            node.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                SecretKind kind = byKeyName ? keyKind(field.getKey()) : null;
                copy.set(key(field.getKey(), copy), redact(field.getValue(), kind != null
                        ? kind
                        : keyKind, byKeyName));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(redact(element, keyKind, byKeyName)));
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

    /**
     * {@code key} as stored: a key is text like any other, so a secret used as a key (a token as
     * a query parameter's name) is redacted in it; a redacted key that another key of the object
     * already took is numbered ({@code [REDACTED:github_token]#2}), so no value is lost.
     */
    private String key(String key, ObjectNode copy) {
        String redacted = redactText(key);
        if (redacted.equals(key) && !copy.has(key)) {
            return key;
        }
        String unique = redacted;
        for (int n = 2; copy.has(unique); n++) {
            unique = redacted + "#" + n;
        }
        return unique;
    }

    /**
     * The kind of secret a JSON key names, or null: a name in {@link #SECRET_KEYS}, a key ending
     * in one of {@link #SECRET_SUFFIXES}, or the plural of either ({@code secrets},
     * {@code tokens}).
     */
    static SecretKind keyKind(String key) {
        String normalized = key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        SecretKind kind = singularKeyKind(normalized);
        if (kind == null && normalized.length() > 1 && normalized.endsWith("s")) {
            kind = singularKeyKind(normalized.substring(0, normalized.length() - 1));
        }
        return kind;
    }

    private static SecretKind singularKeyKind(String normalized) {
        SecretKind exact = SECRET_KEYS.get(normalized);
        if (exact != null) {
            return exact;
        }
        for (String suffix : SECRET_SUFFIXES) {
            if (normalized.endsWith(suffix) && !normalized.endsWith("tokenid")) {
                return suffix.startsWith("pass")
                        ? SecretKind.PASSWORD
                        : suffix.equals("privatekey") ? SecretKind.PRIVATE_KEY : SecretKind.SECRET;
            }
        }
        return null;
    }
}
