package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The canonical encoding of an audit record, versions 1 and 2: the bytes its hash is computed over, and
 * (with the hash appended) the JSON Lines form of exports and of the embedded store.
 *
 * <p>A JSON object, UTF-8, no whitespace, these keys in this order, each always present ({@code null}
 * when absent): {@code v} (1), {@code chainId}, {@code sequence}, {@code eventId},
 * {@code eventType}, {@code sourceTopic}, {@code sourcePartition}, {@code sourceOffset},
 * {@code sourceTimestamp}, {@code occurredAt}, {@code producer}, {@code requestId},
 * {@code agentId}, {@code environment}, {@code action}, {@code resource}, {@code repository},
 * {@code decision}, {@code reason}, {@code policyVersion}, {@code outcome}, {@code errorClass},
 * {@code context}, {@code previousHash}. Numbers are base-10 integers; timestamps are strings
 * {@code yyyy-MM-ddTHH:mm:ss.SSSZ} (UTC, three fractional digits); {@code context} is a string
 * (the redacted event JSON). In strings only {@code "} and {@code \} and U+0000..U+001F are escaped
 * ({@code \"}, {@code \\}, {@code \b \f \n \r \t}, else a backslash, {@code u00} and two lower-case hex digits); everything else
 * is written as itself.
 *
 * <p><b>Version 2</b> is version 1 with {@code "v":2} and one more key, {@code sourceCluster} (the
 * Kafka cluster ID, a string), right after {@code sourceTimestamp}. A record is written in version
 * 2 exactly when its source cluster is known, so the version follows from the content: a
 * PostgreSQL row with a cluster is version 2, one without is version 1, and records written
 * before clusters were recorded keep verifying unchanged.
 *
 * <p>{@code hash = lowercase hex(SHA-256(canonical bytes))}. The stored line is the canonical
 * encoding with {@code ,"hash":"<hash>"} inserted before the closing brace.
 */
public final class CanonicalEncoding {

    /** The format version of a record whose source cluster is unknown. */
    public static final int VERSION = 1;
    /** The format version of a record that names its source cluster ({@code sourceCluster}). */
    public static final int VERSION_WITH_CLUSTER = 2;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String HEX_DIGITS = "0123456789abcdef";

    private CanonicalEncoding() {
    }

    /** The canonical text of {@code entry} at {@code sequence} after {@code previousHash}. */
    public static String encode(AuditEntry entry, long sequence, String previousHash) {
        SourcePosition source = entry.source();
        StringBuilder out = new StringBuilder(512 + entry.contextJson().length());
        out.append("{\"v\":").append(versionOf(entry));
        string(out, "chainId", entry.chainId());
        number(out, "sequence", sequence);
        string(out, "eventId", entry.eventId());
        string(out, "eventType", entry.eventType());
        string(out, "sourceTopic", source.topic());
        number(out, "sourcePartition", source.partition());
        number(out, "sourceOffset", source.offset());
        time(out, "sourceTimestamp", source.timestamp());
        if (source.cluster() != null) {
            string(out, "sourceCluster", source.cluster());
        }
        time(out, "occurredAt", entry.occurredAt());
        string(out, "producer", entry.producer());
        string(out, "requestId", entry.requestId());
        string(out, "agentId", entry.agentId());
        string(out, "environment", entry.environment());
        string(out, "action", entry.action());
        string(out, "resource", entry.resource());
        string(out, "repository", entry.repository());
        string(out, "decision", entry.decision());
        string(out, "reason", entry.reason());
        string(out, "policyVersion", entry.policyVersion());
        string(out, "outcome", entry.outcome());
        string(out, "errorClass", entry.errorClass());
        string(out, "context", entry.contextJson());
        string(out, "previousHash", previousHash);
        return out.append('}').toString();
    }

    /** The version {@code entry} is written in: 2 when its source cluster is known, else 1. */
    public static int versionOf(AuditEntry entry) {
        return entry.source().cluster() == null ? VERSION : VERSION_WITH_CLUSTER;
    }

    public static String encode(AuditRecord record) {
        return encode(record.entry(), record.sequence(), record.previousHash());
    }

    /** SHA-256 of the canonical encoding, lower-case hex. */
    public static String hash(AuditEntry entry, long sequence, String previousHash) {
        return sha256Hex(encode(entry, sequence, previousHash));
    }

    /** The hash {@code record} should carry, recomputed from its content. */
    public static String recomputeHash(AuditRecord record) {
        return hash(record.entry(), record.sequence(), record.previousHash());
    }

    /**
     * The JSON Lines form: the canonical encoding with the stored hash as the last key. A
     * tombstone's line has, before the hash, {@code erasedAt}, {@code erasedClass} and
     * {@code erasedRetention}; its hash is the erased record's and does not hash this line.
     */
    public static String jsonLine(AuditRecord record) {
        String line = jsonLine(encode(record), record.hash());
        if (!record.erased()) {
            return line;
        }
        Erasure erasure = record.erasure();
        StringBuilder out = new StringBuilder(line.length() + 120);
        int hashKey = line.lastIndexOf(",\"hash\":");
        out.append(line, 0, hashKey);
        time(out, "erasedAt", erasure.at());
        string(out, "erasedClass", erasure.recordClass());
        string(out, "erasedRetention", erasure.retention());
        return out.append(line, hashKey, line.length()).toString();
    }

    /**
     * The JSON Lines form from a record's canonical encoding (as {@link #encode} gave it) and its
     * hash: for a writer that has just hashed the encoding and need not build it again.
     */
    public static String jsonLine(String canonical, String hash) {
        StringBuilder out = new StringBuilder(canonical.length() + 80);
        out.append(canonical, 0, canonical.length() - 1);
        string(out, "hash", hash);
        return out.append('}').toString();
    }

    /**
     * Reads a JSON Lines record back. The stored hash is returned as written (not checked: that is
     * the verifier's job).
     *
     * @throws IllegalArgumentException if the line is not a version-1 or version-2 audit record
     */
    public static AuditRecord parseLine(String line) {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON audit record: " + e.getOriginalMessage(),
                    e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON audit record: expected an object");
        }
        int version = node.path("v").asInt(-1);
        if (version != VERSION && version != VERSION_WITH_CLUSTER) {
            throw new IllegalArgumentException("unsupported audit record version "
                    + node.path("v") + " (this build reads versions " + VERSION + " and "
                    + VERSION_WITH_CLUSTER + ")");
        }
        String cluster = text(node, "sourceCluster");
        if (version == VERSION_WITH_CLUSTER && (cluster == null || cluster.isBlank())) {
            throw new IllegalArgumentException("a version-2 audit record lacks sourceCluster");
        }
        if (version == VERSION && cluster != null) {
            // Not covered by a version-1 hash: refused rather than silently dropped.
            throw new IllegalArgumentException("a version-1 audit record has no sourceCluster");
        }
        SourcePosition source = new SourcePosition(required(node, "sourceTopic"),
                node.path("sourcePartition").asInt(), node.path("sourceOffset").asLong(),
                instant(node, "sourceTimestamp"), cluster);
        AuditEntry entry = new AuditEntry(required(node, "eventId"), required(node, "eventType"),
                source, instant(node, "occurredAt"), text(node, "producer"), text(node,
                        "requestId"),
                text(node, "agentId"), text(node, "environment"), text(node,
                        "action"),
                text(node, "resource"), text(node, "repository"), text(
                        node, "decision"),
                text(node, "reason"), text(node,
                        "policyVersion"),
                text(node, "outcome"), text(node,
                        "errorClass"),
                required(node, "context"));
        if (!entry.chainId().equals(text(node, "chainId"))) {
            // The chain ID is derived from the source; a record claiming another chain was moved.
            throw new IllegalArgumentException("record claims chain " + text(node, "chainId")
                    + " but was read from " + entry.chainId());
        }
        Erasure erasure = null;
        if (node.hasNonNull("erasedAt") || node.hasNonNull("erasedClass") || node.hasNonNull(
                "erasedRetention")) {
            // All three or none: half a tombstone is not a record this code wrote.
            erasure = new Erasure(requiredInstant(node, "erasedAt"), required(node,
                    "erasedClass"), required(node, "erasedRetention"));
        }
        return new AuditRecord(entry, node.path("sequence").asLong(), required(node,
                "previousHash"), required(node, "hash"), erasure);
    }

    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new IllegalArgumentException("audit record lacks " + field);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Instant requiredInstant(JsonNode node, String field) {
        return Timestamps.parse(required(node, field));
    }

    private static Instant instant(JsonNode node, String field) {
        String value = text(node, field);
        return value == null ? null : Timestamps.parse(value);
    }

    private static void number(StringBuilder out, String key, long value) {
        out.append(",\"").append(key).append("\":").append(value);
    }

    private static void time(StringBuilder out, String key, Instant value) {
        string(out, key, value == null ? null : Timestamps.format(value));
    }

    private static void string(StringBuilder out, String key, String value) {
        out.append(",\"").append(key).append("\":");
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
    }

    /** Appends {@code value} as a JSON string with the minimal escaping described above. */
    public static void quote(StringBuilder out, String value) {
        out.append('"');
        int run = 0; // start of the characters not yet appended, none of which needs escaping
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append("\\u00").append(HEX_DIGITS.charAt(c >> 4)).append(
                        HEX_DIGITS.charAt(c & 0xf));
            }
        }
        out.append(value, run, value.length());
        out.append('"');
    }
}
