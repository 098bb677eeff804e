package dev.tollgate.decision.policy.load;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The file formats a policy can be written in, chosen by the file's extension. */
public enum PolicyFormat {
    TOML, JSON, YAML;

    public static Optional<PolicyFormat> of(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".toml")) {
            return Optional.of(TOML);
        }
        if (name.endsWith(".json")) {
            return Optional.of(JSON);
        }
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return Optional.of(YAML);
        }
        return Optional.empty();
    }
}
