package dev.tollgate.audit.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * A signed statement of every chain's head at one moment. A chain alone proves only that its
 * records link up: whoever can write the store can rewrite a suffix and recompute its hashes, or
 * cut it off. Against a checkpoint signed with a key the store's owner does not hold, a chain
 * whose record at a checkpointed sequence has another hash was rewritten, and a chain shorter than
 * a checkpointed sequence was truncated.
 *
 * <p>The signature (Ed25519) covers {@link #signedBytes}: the format, the time in milliseconds
 * and each head as {@code chain\nsequence\nhash\n}, in chain order. A checkpoint is one JSON line:
 * {@code {"format":"tollgate.audit.checkpoint/1","at":"...","heads":[{"chain":...,"sequence":...,
 * "hash":...}],"signature":"<base64>"}}.
 *
 * @param at when the heads were read
 * @param heads every chain's head then, in chain order
 * @param signature the Ed25519 signature of {@link #signedBytes}
 */
public record Checkpoint(Instant at, List<ChainHead> heads, byte[] signature) {

    public static final String FORMAT = "tollgate.audit.checkpoint/1";
    public static final String ALGORITHM = "Ed25519";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Checkpoint {
        heads = heads.stream().sorted(Comparator.comparing(ChainHead::chainId)).toList();
        signature = signature.clone();
    }

    /** Signs the heads read at {@code at}. */
    public static Checkpoint sign(Instant at, List<ChainHead> heads, PrivateKey key) {
        List<ChainHead> ordered = heads.stream().sorted(Comparator.comparing(ChainHead::chainId))
                .toList();
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(signedBytes(at, ordered));
            return new Checkpoint(at, ordered, signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign an audit checkpoint with an " + key
                    .getAlgorithm() + " key (an Ed25519 key is needed): " + e.getMessage(), e);
        }
    }

    /** Whether {@code key} signed exactly these heads at this time. */
    public boolean verifies(PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(signedBytes(at, heads));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** What the signature covers. */
    static byte[] signedBytes(Instant at, List<ChainHead> heads) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes((FORMAT + "\n" + at.toEpochMilli() + "\n").getBytes(
                StandardCharsets.UTF_8));
        for (ChainHead head : heads) {
            bytes.writeBytes((head.chainId() + "\n" + head.sequence() + "\n" + head.hash() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The checkpoint as one JSON line (no newline). */
    public String toJsonLine() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("at", Instant.ofEpochMilli(at.toEpochMilli()).toString());
        ArrayNode array = root.putArray("heads");
        for (ChainHead head : heads) {
            array.addObject().put("chain", head.chainId()).put("sequence", head.sequence()).put(
                    "hash", head.hash());
        }
        root.put("signature", Base64.getEncoder().encodeToString(signature));
        return root.toString();
    }

    /**
     * A checkpoint from its JSON line.
     *
     * @throws IllegalArgumentException when the line is not one
     */
    public static Checkpoint parse(String line) {
        try {
            JsonNode root = JSON.readTree(line);
            if (root == null || !FORMAT.equals(root.path("format").asText())) {
                throw new IllegalArgumentException("not a " + FORMAT + " line");
            }
            List<ChainHead> heads = new ArrayList<>();
            for (JsonNode head : root.path("heads")) {
                if (!head.path("chain").isTextual() || !head.path("sequence").canConvertToLong()
                        || !head.path("hash").isTextual()) {
                    throw new IllegalArgumentException("a head lacks chain, sequence or hash");
                }
                heads.add(new ChainHead(head.get("chain").asText(), head.get("sequence")
                        .asLong(), head.get("hash").asText()));
            }
            return new Checkpoint(Instant.parse(root.path("at").asText()), heads, Base64
                    .getDecoder().decode(root.path("signature").asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException
                | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a checkpoint line: " + e.getMessage(), e);
        }
    }
}
