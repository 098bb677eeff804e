package dev.tollgate.executor;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.schemas.signing.DecisionKey;
import dev.tollgate.schemas.signing.DecisionSigner;
import dev.tollgate.schemas.signing.DecisionVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The decision worker's signing key in the executor's tests: decisions the tests put on the topic
 * are signed with it, as the decision worker signs them, and the executors are given it.
 */
public final class TestDecisionKey {

    private static final byte[] SECRET = random();
    public static final DecisionKey KEY = DecisionKey.of(SECRET);
    public static final DecisionSigner SIGNER = new DecisionSigner(KEY);
    public static final DecisionVerifier VERIFIER = new DecisionVerifier(List.of(KEY));

    private TestDecisionKey() {
    }

    /** Signs {@code decision} as the decision worker would (after which it must not change). */
    public static PolicyDecided sign(PolicyDecided decision) {
        return SIGNER.sign(decision);
    }

    /** The key in a file only this user can read, as {@code *-key-files} settings name it. */
    public static Path writeKeyFile(Path dir) {
        try {
            Path file = dir.resolve("decision-signing-key");
            Files.writeString(file, Base64.getEncoder().encodeToString(SECRET) + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The setting that gives an executor this key. */
    public static String setting(Path dir) {
        return "tollgate.executor.decision-key-files=" + writeKeyFile(dir);
    }

    private static byte[] random() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return secret;
    }
}
