package dev.tollgate.runtime.proofs;

import dev.tollgate.tools.WithheldContent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Proof, not copies: in what agents send and GitHub answers, file contents (a {@code content}
 * value: a file read, a file pushed), patches and logs, and every other string longer than
 * {@link #LARGE_CHARS}, are replaced by {@code {"sha256": <hex of its UTF-8 bytes>, "bytes": n}}.
 * That is enough to prove what was read or written (hash the file at that commit and compare)
 * without keeping a copy of every file and body an agent touched, forever. The one rule for every
 * place that keeps answers: the executor's and decision worker's kept copy of each answer on
 * {@code gateway.results}, and the audit store. Deterministic (so a replay reproduces the store)
 * and idempotent (a proof is left as it is, and so is the proof the ingress put in place of what
 * an agent writes, {@code WithheldContent}).
 */
public final class ContentProofs {

    /** Strings longer than this are digested wherever they are. */
    public static final int LARGE_CHARS = 1024;
    /** Keys whose string values are digested whatever their length. */
    public static final Set<String> CONTENT_KEYS = Set.of("content", "contents", "patch", "log",
            "diff", "raw");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ContentProofs() {
    }

    /** A copy of {@code node} with content and large strings digested. */
    public static JsonNode digest(JsonNode node) {
        return digest(node, false);
    }

    /**
     * {@code json} with content and large strings digested, written compactly; empty when it is
     * not JSON (see {@link #digestIfLarge} for such text).
     */
    public static Optional<String> digestJson(String json) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(json);
        } catch (JacksonException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return parsed == null || parsed.isMissingNode()
                ? Optional.empty()
                : Optional.of(JSON.writeValueAsString(digest(parsed)));
    }

    /**
     * {@code text} as it is kept: digested as JSON ({@link #digestJson}) when it is JSON, else its
     * proof when large, else itself; null stays null.
     */
    public static String digestText(String text) {
        if (text == null) {
            return null;
        }
        return digestJson(text).orElseGet(() -> digestIfLarge(text).map(Object::toString).orElse(
                text));
    }

    /** The proof of {@code text} when it is longer than {@link #LARGE_CHARS}, else empty. */
    public static Optional<ObjectNode> digestIfLarge(String text) {
        return text.length() > LARGE_CHARS
                ? Optional.of(proof(text))
                : Optional.empty();
    }

    private static JsonNode digest(JsonNode node, boolean content) {
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
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
        if (node.isString() && (content || node.asString().length() > LARGE_CHARS)
                && !WithheldContent.isProof(node.asString())) { // already proof of what was written
            return proof(node.asString());
        }
        return node;
    }

    /** {@code {"sha256": ..., "bytes": ...}} of {@code text}'s UTF-8 bytes. */
    public static ObjectNode proof(String text) {
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
