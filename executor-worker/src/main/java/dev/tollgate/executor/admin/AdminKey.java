package dev.tollgate.executor.admin;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.runtime.security.AdminGate;
import dev.tollgate.runtime.security.FailureThrottle;
import dev.tollgate.runtime.security.SecretFiles;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Function;

/**
 * The operators' admin key, the same one the ingress uses: {@code tollgate.admin-key}, else
 * {@code TOLLGATE_ADMIN_KEY}, else the file {@code TOLLGATE_ADMIN_KEY_FILE} (or the property
 * {@code tollgate.admin-key-file}) names. Unlike the ingress, the executor never generates one:
 * without a key its admin endpoints refuse every call. Requests are checked by the runtime's
 * {@link AdminGate}, as the ingress's are: the right key always passes (compared digest to digest
 * in constant time), wrong ones are throttled per client address. The value is never logged.
 */
public final class AdminKey {

    static final String REALM = "tollgate-admin";
    static final String SETTINGS = "TOLLGATE_ADMIN_KEY or TOLLGATE_ADMIN_KEY_FILE";

    private final AdminGate gate;
    private final String source;

    private AdminKey(String key, String source, Clock clock) {
        try {
            this.gate = new AdminGate(key, source, FailureThrottle.defaults(clock), REALM,
                    SETTINGS);
        } catch (IllegalStateException e) {
            throw new ConfigurationException(e.getMessage());
        }
        this.source = source;
    }

    /**
     * The admin key from settings, in the ingress's order: the property (or
     * {@code TOLLGATE_ADMIN_KEY}), else the file {@code TOLLGATE_ADMIN_KEY_FILE} or
     * {@code tollgate.admin-key-file} names; none when none is set. A named file that cannot be
     * read, is empty, or is readable by every user, and a key shorter than
     * {@value AdminGate#MIN_KEY_LENGTH} characters, stop start-up with the setting to fix.
     */
    public static AdminKey resolve(Function<String, String> properties,
            Map<String, String> environment) {
        return resolve(properties, environment, Clock.systemUTC());
    }

    static AdminKey resolve(Function<String, String> properties, Map<String, String> environment,
            Clock clock) {
        String value = properties.apply("tollgate.admin-key");
        if (value != null && !value.isBlank()) {
            return new AdminKey(value, "tollgate.admin-key", clock);
        }
        value = environment.get("TOLLGATE_ADMIN_KEY");
        if (value != null && !value.isBlank()) {
            return new AdminKey(value, "TOLLGATE_ADMIN_KEY", clock);
        }
        for (String setting : new String[]{"TOLLGATE_ADMIN_KEY_FILE", "tollgate.admin-key-file"}) {
            String file = setting.startsWith("TOLLGATE")
                    ? environment.get(setting)
                    : properties.apply(setting);
            if (file != null && !file.isBlank()) {
                return new AdminKey(read(setting, Path.of(file.trim())), setting, clock);
            }
        }
        return new AdminKey(null, "none", clock);
    }

    /** An admin key given directly (tests); null or blank means none. */
    public static AdminKey of(String value) {
        return new AdminKey(value, "given", Clock.systemUTC());
    }

    public boolean configured() {
        return gate.configured();
    }

    /** Which setting the key came from (never the key). */
    public String source() {
        return source;
    }

    /** Checks an {@code Authorization} header value sent from {@code clientAddress}. */
    public AdminGate.Verdict check(String authorization, String clientAddress) {
        return gate.check(authorization, clientAddress);
    }

    /** Whether the header carries the admin key; nothing is counted either way. */
    public boolean accepts(String authorization) {
        return gate.accepts(authorization);
    }

    /** Counts a refused admin credential from {@code clientAddress} (see {@link AdminGate}). */
    public AdminGate.Verdict failure(String clientAddress, boolean presented) {
        return gate.failure(clientAddress, presented);
    }

    /** The answer to a refused request (401, 429 or 403). */
    public org.springframework.http.ResponseEntity<Map<String, Object>> refusal(
            AdminGate.Verdict verdict) {
        return gate.refusal(verdict);
    }

    @Override
    public String toString() {
        return "AdminKey[" + (configured() ? "<redacted>" : "none") + "]";
    }

    private static String read(String setting, Path file) {
        try {
            return SecretFiles.readConfigured("admin key (" + setting + ")", file);
        } catch (IllegalStateException e) {
            throw new ConfigurationException(setting + " points to " + file + ": " + e
                    .getMessage());
        }
    }
}
