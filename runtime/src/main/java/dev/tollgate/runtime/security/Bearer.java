package dev.tollgate.runtime.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * How every role reads an {@code Authorization: Bearer} header and checks a presented secret (an
 * admin key) against the configured one: only the configured secret's SHA-256 is kept, and the
 * digests are compared in constant time, so neither the value nor its length leaks through timing.
 */
public final class Bearer {

    private Bearer() {
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive), else null. */
    public static String token(String authorization) {
        if (authorization == null || authorization.length() < 8
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String value = authorization.substring(7).trim();
        return value.isEmpty() ? null : value;
    }

    /** The SHA-256 of a secret, the form in which a configured secret is kept. */
    public static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(
                    StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Whether {@code presented} is the secret whose digest is {@code expected}, in constant time. */
    public static boolean matches(byte[] expected, String presented) {
        return presented != null && MessageDigest.isEqual(expected, digest(presented));
    }
}
