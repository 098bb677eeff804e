package dev.tollgate.executor.core;

import dev.tollgate.events.ToolCallCompleted;
import java.net.URI;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Takes the credentials GitHub writes into URLs out of every answer before it leaves the executor
 * (to the agent, to a topic kept forever, to the audit store). GitHub hands the caller URLs that
 * work without any other credential: a private repository's {@code download_url}
 * ({@code raw.githubusercontent.com/...?token=}), archive links
 * ({@code codeload.github.com/...?token=}), signed Actions log and artifact URLs
 * ({@code urlSignature=}, Azure {@code sig=}, S3 {@code X-Amz-Signature=}), attestation bundles
 * ({@code sig=}), private images in rendered HTML ({@code jwt=}), feed URLs ({@code token=}). Each
 * such parameter keeps its name with an empty value ({@code ?token=}), so the answer says a
 * credential was there and never grows; user information ({@code https://user:secret@host}) is
 * dropped.
 *
 * <p>Which strings are cleaned:
 * <ul>
 * <li>a string that is a URL as a whole (GitHub's {@code *_url} fields, {@code _links},
 * {@code Location}), whatever its host;
 * <li>URLs inside any other text (rendered {@code body_html}, a passthrough answer cut short and
 * returned as text, an error message) when their host is one where GitHub issues such URLs:
 * {@code github.com}, {@code githubusercontent.com}, Azure blob and S3 storage, and the configured
 * API host with its siblings (GitHub Enterprise Server serves raw files on its own host or
 * {@code raw.HOST}).
 * </ul>
 * A URL inside text on another host is left alone: a file's content quoting
 * {@code https://example.com/?token=x} is the repository's data, and changing it would corrupt a
 * file an agent reads and writes back. Pure and thread-safe.
 */
public final class AnswerSanitizer {

    /** Query parameters that carry a credential in URLs GitHub hands out (lower case). */
    private static final Pattern CREDENTIAL_PARAMETER = Pattern.compile(
            "(?i)([?&](?:amp;)?(?:token|access_token|jwt|sig|signature|urlsignature"
                    + "|x-amz-signature|x-amz-credential|x-amz-security-token"
                    + "|x-goog-signature|x-goog-credential|client_secret)=)[^&#\\s\"'<>()\\[\\]]+");
    /** A URL in text, up to where text around a URL usually ends it; group 1 the authority. */
    private static final Pattern URL = Pattern.compile(
            "(?i)\\b(?:https?|wss?)://([^/?#\\s\"'<>\\\\]+)[^\\s\"'<>\\\\]*");
    /** Hosts (and their subdomains) where GitHub issues URLs that carry a credential. */
    private static final Set<String> SIGNING_DOMAINS = Set.of("github.com",
            "githubusercontent.com", "blob.core.windows.net", "amazonaws.com", "ghe.com");

    private final Set<String> extraDomains;

    /** For api.github.com (and GitHub Enterprise Cloud's {@code ghe.com}). */
    public AnswerSanitizer() {
        this.extraDomains = Set.of();
    }

    /**
     * For the GitHub at {@code apiUrl}: its host, and for {@code api.HOST} also {@code HOST}, count
     * as signing domains with every subdomain (GitHub Enterprise Server).
     */
    public static AnswerSanitizer forApi(URI apiUrl) {
        String host = Objects.requireNonNull(apiUrl.getHost(), "apiUrl host").toLowerCase(
                Locale.ROOT);
        return new AnswerSanitizer(host.startsWith("api.")
                ? Set.of(host, host.substring(4))
                : Set.of(host));
    }

    private AnswerSanitizer(Set<String> extraDomains) {
        this.extraDomains = Set.copyOf(extraDomains);
    }

    /**
     * The answer with its result, message and error details cleaned; the same object when there
     * was nothing to clean (so an answer re-published from the completion record stays byte for
     * byte the same).
     */
    public ToolCallCompleted sanitize(ToolCallCompleted answer) {
        String result = sanitizeJson(answer.getResultJson());
        String message = sanitizeText(answer.getMessage());
        String details = sanitizeJson(answer.getErrorDetailsJson());
        if (Objects.equals(result, answer.getResultJson()) && Objects.equals(message, answer
                .getMessage()) && Objects.equals(details, answer.getErrorDetailsJson())) {
            return answer;
        }
        return ToolCallCompleted.newBuilder(answer).setResultJson(result).setMessage(message)
                .setErrorDetailsJson(details).build();
    }

    /** JSON text with every string cleaned; the same string when nothing changed. */
    public String sanitizeJson(String json) {
        if (json == null || !mayHoldCredential(json)) {
            return json;
        }
        JsonNode root;
        try {
            root = GitHubSession.JSON.readTree(json);
        } catch (JacksonException e) {
            return sanitizeText(json);
        }
        return sanitize(root).map(GitHubSession.JSON::writeValueAsString).orElse(json);
    }

    /** A cleaned copy of {@code node}, or empty when nothing in it needs cleaning. */
    public Optional<JsonNode> sanitize(JsonNode node) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isString()) {
            String text = node.asString();
            String clean = sanitizeValue(text);
            return clean.equals(text) ? Optional.empty() : Optional.of(StringNode.valueOf(clean));
        }
        if (node.isObject()) {
            ObjectNode copy = null;
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator(); fields
                    .hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                Optional<JsonNode> clean = sanitize(field.getValue());
                if (clean.isPresent()) {
                    copy = copy == null ? (ObjectNode) node.deepCopy() : copy;
                    copy.set(field.getKey(), clean.get());
                }
            }
            return Optional.ofNullable(copy);
        }
        if (node.isArray()) {
            ArrayNode copy = null;
            for (int i = 0; i < node.size(); i++) {
                Optional<JsonNode> clean = sanitize(node.get(i));
                if (clean.isPresent()) {
                    copy = copy == null ? (ArrayNode) node.deepCopy() : copy;
                    copy.set(i, clean.get());
                }
            }
            return Optional.ofNullable(copy);
        }
        return Optional.empty();
    }

    /** One string value: a URL as a whole is cleaned whatever its host; else as free text. */
    String sanitizeValue(String value) {
        if (!mayHoldCredential(value)) {
            return value;
        }
        String trimmed = value.strip();
        Matcher whole = URL.matcher(trimmed);
        if (whole.matches()) {
            return value.replace(trimmed, cleanUrl(trimmed));
        }
        return sanitizeText(value);
    }

    /** Free text: URLs on signing hosts are cleaned, others left as they are. */
    public String sanitizeText(String text) {
        if (text == null || !mayHoldCredential(text)) {
            return text;
        }
        Matcher url = URL.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (url.find()) {
            String found = url.group();
            url.appendReplacement(out, Matcher.quoteReplacement(signingHost(url.group(1))
                    ? cleanUrl(found)
                    : found));
        }
        url.appendTail(out);
        return out.toString();
    }

    /** The URL without user information and with every credential parameter emptied. */
    private static String cleanUrl(String url) {
        Matcher authority = URL.matcher(url);
        String result = url;
        if (authority.lookingAt()) {
            String hostPart = authority.group(1);
            int at = hostPart.lastIndexOf('@');
            if (at >= 0) {
                int start = authority.start(1);
                result = url.substring(0, start) + hostPart.substring(at + 1) + url.substring(
                        authority.end(1));
            }
        }
        return CREDENTIAL_PARAMETER.matcher(result).replaceAll("$1");
    }

    private boolean signingHost(String authority) {
        String host = authority.substring(authority.lastIndexOf('@') + 1).toLowerCase(
                Locale.ROOT);
        int port = host.lastIndexOf(':');
        if (port > host.lastIndexOf(']')) {
            host = host.substring(0, port);
        }
        for (Set<String> domains : java.util.List.of(SIGNING_DOMAINS, extraDomains)) {
            for (String domain : domains) {
                if (host.equals(domain) || host.endsWith("." + domain)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Cheap test first: no URL scheme, no credential. */
    private static boolean mayHoldCredential(String text) {
        return text.contains("://") && (text.indexOf('?') >= 0 || text.indexOf('@') >= 0 || text
                .indexOf('&') >= 0);
    }
}
