package dev.tollgate.executor.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the App's RSA private key from PEM: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as GitHub issues
 * it) or PKCS#8 ({@code BEGIN PRIVATE KEY}). Error messages never contain key material.
 */
public final class PrivateKeys {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    /** AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48,
            (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PrivateKeys() {
    }

    /** Reads a key file; {@code key} names the setting for error messages. */
    public static RSAPrivateKey read(Path file, String key) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException(key + " points to " + file
                    + ", which cannot be read (" + e.getClass().getSimpleName()
                    + "): set it to the GitHub App's private key file (.pem)");
        }
        return parse(pem, key + " (" + file + ")");
    }

    public static RSAPrivateKey parse(String pem, String source) {
        Matcher matcher = PEM.matcher(pem);
        if (!matcher.find()) {
            throw new ConfigurationException(source
                    + " is not a PEM RSA private key: expected '-----BEGIN RSA PRIVATE KEY-----'"
                    + " (as GitHub issues it) or '-----BEGIN PRIVATE KEY-----' (PKCS#8)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(matcher.group(2));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(source + " has a corrupt PEM body (bad base64)");
        }
        byte[] pkcs8 = matcher.group(1).equals("RSA PRIVATE KEY") ? wrapPkcs1(der) : der;
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(
                    new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new ConfigurationException(source + " is not a valid RSA private key");
        }
    }

    /** PKCS#8 PrivateKeyInfo ::= SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING pkcs1 } */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(new byte[]{0x02, 0x01, 0x00});
        content.writeBytes(RSA_ALGORITHM);
        content.write(0x04);
        content.writeBytes(length(pkcs1.length));
        content.writeBytes(pkcs1);
        ByteArrayOutputStream sequence = new ByteArrayOutputStream();
        sequence.write(0x30);
        sequence.writeBytes(length(content.size()));
        sequence.writeBytes(content.toByteArray());
        return sequence.toByteArray();
    }

    private static byte[] length(int length) {
        if (length < 0x80) {
            return new byte[]{(byte) length};
        }
        if (length <= 0xff) {
            return new byte[]{(byte) 0x81, (byte) length};
        }
        if (length <= 0xffff) {
            return new byte[]{(byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return new byte[]{(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8),
                (byte) length};
    }
}
