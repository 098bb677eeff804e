package dev.tollgate.executor.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Property, then environment variable, then the file an environment variable names. */
public final class Settings {
    private final Function<String, String> properties;
    private final Map<String, String> environment;

    public Settings(Function<String, String> properties, Map<String, String> environment) {
        this.properties = properties;
        this.environment = environment;
    }

    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Optional<String> get(String key) {
        String value = properties.apply(key);
        if (value != null && !value.isBlank()) {
            return Optional.of(value);
        }
        value = environment.get(envName(key));
        if (value != null && !value.isBlank()) {
            return Optional.of(value);
        }
        String file = environment.get(envName(key) + "_FILE");
        if (file != null && !file.isBlank()) {
            try {
                return Optional.of(Files.readString(Path.of(file.trim()),
                        StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new ConfigurationException(envName(key) + "_FILE points to " + file
                        + ", which cannot be read: fix the path or set " + envName(key));
            }
        }
        return Optional.empty();
    }

    public String require(String key, String what) {
        return get(key).orElseThrow(() -> new ConfigurationException(key + " is not set: set "
                + envName(key) + " (or " + envName(key) + "_FILE, or the property " + key
                + ") to " + what));
    }
}
