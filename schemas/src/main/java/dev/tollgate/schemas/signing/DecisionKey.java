package dev.tollgate.schemas.signing;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key that signs decisions (the decision worker) or verifies them (the executor): an
 * HMAC-SHA256 secret of at least 32 random bytes, and its ID, derived from the key itself so that
 * nobody has to name keys: the first 8 bytes of {@code HMAC-SHA256(key, "tollgate decision key
 * id")}, in hex. A key file holds the secret in base64 (standard or URL-safe, padding optional),
 * e.g. {@code openssl rand -base64 32}. {@link #toString()} never shows the secret.
 */
public final class DecisionKey {

    /** The only algorithm a signature may name. */
    public static final String ALGORITHM = "HMAC-SHA256";
    /** The fewest secret bytes accepted. */
    public static final int MIN_BYTES = 32;

    private static final String JCA = "HmacSHA256";
    private static final byte[] ID_LABEL = "tollgate decision key id".getBytes(
            StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final String id;

    private DecisionKey(byte[] secret) {
        this.key = new SecretKeySpec(secret, JCA);
        this.id = HexFormat.of().formatHex(Arrays.copyOf(mac(ID_LABEL), 8));
    }

    /** A key from its raw bytes (at least {@value #MIN_BYTES}). */
    public static DecisionKey of(byte[] secret) {
        if (secret == null || secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("a decision signing key needs at least " + MIN_BYTES
                    + " random bytes; generate one with `openssl rand -base64 32`");
        }
        return new DecisionKey(secret.clone());
    }

    /**
     * A key from a key file's content: base64 or base64url of at least {@value #MIN_BYTES} bytes.
     *
     * @param source names the file in messages (never the content)
     */
    public static DecisionKey parse(String text, String source) {
        String trimmed = text == null ? "" : text.strip();
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(trimmed.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the decision signing key in " + source
                    + " is not base64; generate one with `openssl rand -base64 32 > " + source
                    + "`");
        }
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("the decision signing key in " + source + " has "
                    + secret.length + " bytes, fewer than " + MIN_BYTES
                    + "; generate one with `openssl rand -base64 32 > " + source + "`");
        }
        return new DecisionKey(secret);
    }

    /** The key's ID, as signatures name it. */
    public String id() {
        return id;
    }

    /** HMAC-SHA256 of {@code message} under this key. */
    byte[] mac(byte[] message) {
        try {
            Mac mac = Mac.getInstance(JCA);
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot compute " + ALGORITHM, e);
        }
    }

    /** Whether {@code value} is this key's MAC of {@code message}, compared in constant time. */
    boolean verifies(byte[] message, byte[] value) {
        return MessageDigest.isEqual(mac(message), value);
    }

    @Override
    public String toString() {
        return "DecisionKey[" + id + "]";
    }
}
