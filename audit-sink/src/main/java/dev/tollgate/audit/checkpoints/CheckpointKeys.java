package dev.tollgate.audit.checkpoints;

import dev.tollgate.runtime.security.SecretFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys for audit checkpoints, as PEM files: the sink's private key (PKCS#8,
 * {@code -----BEGIN PRIVATE KEY-----}, as {@code openssl genpkey -algorithm ed25519} writes it),
 * checked like every secret file, and the public key verifiers hold (X.509,
 * {@code -----BEGIN PUBLIC KEY-----}, {@code openssl pkey -in KEY -pubout}). The JDK's own Ed25519
 * does the work.
 */
public final class CheckpointKeys {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private CheckpointKeys() {
    }

    /** The private key in {@code file}, after checking who can read and write the file. */
    public static PrivateKey privateKey(Path file) {
        String pem = SecretFiles.readConfigured("audit checkpoint key"
                + " (TOLLGATE_AUDIT_CHECKPOINTS_KEY_FILE)", file);
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der(
                    pem, "PRIVATE KEY", file)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(file + " holds no Ed25519 private key (make one with"
                    + " `openssl genpkey -algorithm ed25519 -out " + file + "`): " + e
                            .getMessage(),
                    e);
        }
    }

    /** The public key in {@code file}. */
    public static PublicKey publicKey(Path file) {
        try {
            String pem = Files.readString(file, StandardCharsets.US_ASCII);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der(pem,
                    "PUBLIC KEY", file)));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the public key " + file + ": " + e
                    .getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " holds no Ed25519 public key (`openssl pkey"
                    + " -in PRIVATE.pem -pubout -out " + file + "`): " + e.getMessage(), e);
        }
    }

    /** A new key pair (tests, and operators without openssl). */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code key} as PEM. */
    public static String pem(java.security.Key key) {
        String type = key instanceof PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(
                StandardCharsets.US_ASCII)).encodeToString(key.getEncoded()) + "\n-----END " + type
                + "-----\n";
    }

    private static byte[] der(String pem, String type, Path file) {
        Matcher block = PEM.matcher(pem);
        while (block.find()) {
            if (block.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(block.group(2));
            }
        }
        throw new IllegalArgumentException(file + " has no -----BEGIN " + type + "----- block");
    }
}
