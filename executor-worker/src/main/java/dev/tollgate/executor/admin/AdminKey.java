package dev.tollgate.executor.admin;

import dev.tollgate.runtime.security.Bearer;
import dev.tollgate.executor.core.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The operators' admin key, the same one the ingress uses: {@code tollgate.admin-key}, else
 * {@code TOLLGATE_ADMIN_KEY}, else the file {@code TOLLGATE_ADMIN_KEY_FILE} (or the property
 * {@code tollgate.admin-key-file}) names. Unlike the ingress, the executor never generates one:
 * without a key its admin endpoints refuse every call. Only the key's SHA-256 is kept; presented
 * keys are compared digest to digest in constant time. The value is never logged.
 */
public final class AdminKey {

    /** How a presented {@code Authorization} header fares. */
    public enum Verdict {
        /** The right key. */
        ACCEPTED,
        /** No {@code Authorization: Bearer} header. */
        MISSING,
        /** A key, but not the admin key. */
        INVALID,
        /** This executor has no admin key: nothing is accepted. */
        NOT_CONFIGURED
    }

    private final Optional<byte[]> digest;
    private final String source;

    private AdminKey(Optional<byte[]> digest, String source) {
        this.digest = digest;
        this.source = source;
    }

    /**
     * The admin key from settings, in the ingress's order: the property (or
     * {@code TOLLGATE_ADMIN_KEY}), else the file {@code TOLLGATE_ADMIN_KEY_FILE} or
     * {@code tollgate.admin-key-file} names; none when none is set. A named file that cannot be
     * read, or is empty, stops start-up with the setting to fix.
     */
    public static AdminKey resolve(Function<String, String> properties,
            Map<String, String> environment) {
        String value = properties.apply("tollgate.admin-key");
        if (value != null && !value.isBlank()) {
            return new AdminKey(Optional.of(Bearer.digest(value.trim())), "tollgate.admin-key");
        }
        value = environment.get("TOLLGATE_ADMIN_KEY");
        if (value != null && !value.isBlank()) {
            return new AdminKey(Optional.of(Bearer.digest(value.trim())), "TOLLGATE_ADMIN_KEY");
        }
        for (String setting : new String[]{"TOLLGATE_ADMIN_KEY_FILE", "tollgate.admin-key-file"}) {
            String file = setting.startsWith("TOLLGATE")
                    ? environment.get(setting)
                    : properties.apply(setting);
            if (file != null && !file.isBlank()) {
                return new AdminKey(Optional.of(Bearer.digest(read(setting, Path.of(file.trim())))),
                        setting);
            }
        }
        return new AdminKey(Optional.empty(), "none");
    }

    /** An admin key given directly (tests); null or blank means none. */
    public static AdminKey of(String value) {
        return value == null || value.isBlank()
                ? new AdminKey(Optional.empty(), "none")
                : new AdminKey(Optional.of(Bearer.digest(value.trim())), "given");
    }

    public boolean configured() {
        return digest.isPresent();
    }

    /** Which setting the key came from (never the key). */
    public String source() {
        return source;
    }

    /** Checks an {@code Authorization} header value. */
    public Verdict check(String authorization) {
        if (digest.isEmpty()) {
            return Verdict.NOT_CONFIGURED;
        }
        String presented = Bearer.token(authorization);
        if (presented == null) {
            return Verdict.MISSING;
        }
        return Bearer.matches(digest.get(), presented) // constant time
                ? Verdict.ACCEPTED
                : Verdict.INVALID;
    }

    @Override
    public String toString() {
        return "AdminKey[" + (configured() ? "<redacted>" : "none") + "]";
    }

    private static String read(String setting, Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ConfigurationException(setting + " points to " + file + ", which cannot be"
                    + " read: fix the path, or set TOLLGATE_ADMIN_KEY");
        }
        if (content.isEmpty()) {
            throw new ConfigurationException(setting + " points to " + file + ", which is empty:"
                    + " put the admin key in it");
        }
        return content;
    }

}
