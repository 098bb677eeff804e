package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Proof, not copies: in what agents send and GitHub answers, file contents (a {@code content}
 * value: a file read, a file pushed), patches and logs, and every other string longer than
 * {@link #LARGE_CHARS}, are replaced by {@code {"sha256": <hex of its UTF-8 bytes>, "bytes": n}}.
 * That is enough to prove what was read or written (hash the file at that commit and compare)
 * without the audit store keeping a copy of every file and body an agent touched, forever. The
 * digest is of the value as it was, before redaction; what is left is redacted as before.
 * Deterministic, so a replay reproduces the live store's chains.
 */
public final class ContentDigests {

    /** Strings longer than this are digested wherever they are. */
    public static final int LARGE_CHARS = 1024;
    /** Keys whose string values are digested whatever their length. */
    static final Set<String> CONTENT_KEYS = Set.of("content", "contents", "patch", "log",
            "diff", "raw");

    private ContentDigests() {
    }

    /** A copy of {@code node} with content and large strings digested. */
    public static JsonNode digest(JsonNode node) {
        return digest(node, false);
    }

    /** {@code text} itself when short, else its digest. */
    public static JsonNode digestIfLarge(String text) {
        return text.length() > LARGE_CHARS
                ? proof(text)
                : JsonNodeFactory.instance.textNode(text);
    }

    private static JsonNode digest(JsonNode node, boolean content) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                copy.set(field.getKey(), digest(field.getValue(), CONTENT_KEYS.contains(field
                        .getKey())));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(element -> copy.add(digest(element, content)));
            return copy;
        }
        if (node.isTextual() && (content || node.textValue().length() > LARGE_CHARS)) {
            return proof(node.textValue());
        }
        return node;
    }

    /** {@code {"sha256": ..., "bytes": ...}} of {@code text}'s UTF-8 bytes. */
    static ObjectNode proof(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ObjectNode proof = JsonNodeFactory.instance.objectNode();
        try {
            proof.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        proof.put("bytes", bytes.length);
        return proof;
    }
}
