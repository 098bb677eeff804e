package dev.tollgate.launcher;

import dev.tollgate.runtime.security.SecretFiles;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The decision signing key of the standalone run: the decision worker signs every allowed decision
 * with it and the executor performs only decisions it verifies. Generated on first start into
 * {@code <data-dir>/decision-signing-key} (mode 0600, never logged) unless
 * {@code --tollgate.decision.signing-key-file} names one; the executor verifies with the same file
 * unless {@code --tollgate.executor.decision-key-files} names others (a rotation).
 *
 * @param signingKeyFile the decision worker's key
 * @param verificationKeyFiles the executor's keys, comma-separated
 */
public record DecisionKeys(Path signingKeyFile, String verificationKeyFiles) {

    static final String SIGNING_KEY_FILE = "tollgate.decision.signing-key-file";
    static final String VERIFICATION_KEY_FILES = "tollgate.executor.decision-key-files";
    /** The generated key's file name in the data folder. */
    public static final String GENERATED = "decision-signing-key";

    static DecisionKeys of(Path dataDir, Function<String, String> settings) {
        String configured = settings.apply(SIGNING_KEY_FILE);
        Path signing;
        if (configured == null || configured.isBlank()) {
            signing = dataDir.resolve(GENERATED).toAbsolutePath();
            SecretFiles.readOrGenerate("decision signing key", signing);
        } else {
            signing = Path.of(configured.trim()).toAbsolutePath();
        }
        String verification = settings.apply(VERIFICATION_KEY_FILES);
        return new DecisionKeys(signing, verification == null || verification.isBlank()
                ? signing.toString()
                : verification.trim());
    }
}
