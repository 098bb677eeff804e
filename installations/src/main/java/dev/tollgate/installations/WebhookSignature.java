package dev.tollgate.installations;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * GitHub's {@code X-Hub-Signature-256}: {@code sha256=} and the hex HMAC-SHA256 of the raw request
 * body under the webhook secret. Compared in constant time. Fails closed: no secret, no header, a
 * header of another form, or any other doubt means "not verified".
 */
public final class WebhookSignature {

    private static final String PREFIX = "sha256=";
    private static final int HEX_LENGTH = 64;

    private final byte[] secret;

    private WebhookSignature(byte[] secret) {
        this.secret = secret.clone();
    }

    /** A verifier for one webhook secret; refuses an empty one. */
    public static WebhookSignature withSecret(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("the GitHub webhook secret is empty: set "
                    + "TOLLGATE_GITHUB_WEBHOOK_SECRET or TOLLGATE_GITHUB_WEBHOOK_SECRET_FILE");
        }
        return new WebhookSignature(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The outcome, with the reason a refusal gives (never the expected signature). */
    public record Verdict(boolean verified, String reason) {
    }

    public Verdict verify(byte[] body, String signatureHeader) {
        if (signatureHeader == null || signatureHeader.isBlank()) {
            return new Verdict(false, "missing X-Hub-Signature-256 header");
        }
        String header = signatureHeader.trim();
        if (!header.startsWith(PREFIX) || header.length() != PREFIX.length() + HEX_LENGTH) {
            return new Verdict(false,
                    "X-Hub-Signature-256 is not of the form sha256=<64 hex digits>");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return new Verdict(false, "X-Hub-Signature-256 is not hexadecimal");
        }
        boolean matches = MessageDigest.isEqual(hmac(body), given);
        return matches
                ? new Verdict(true, "verified")
                : new Verdict(false, "signature does not match the body");
    }

    /** The header value GitHub would send for {@code body}; for tests and tools. */
    public String sign(byte[] body) {
        return PREFIX + HexFormat.of().formatHex(hmac(body));
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body == null ? new byte[0] : body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
