package dev.tollgate.runtime;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A role the standalone launcher can start in its JVM. Each role module declares one in
 * {@code META-INF/services/dev.tollgate.runtime.TollgateRole}; the launcher finds them with
 * {@link java.util.ServiceLoader}, so a role plugs itself in by being on the classpath.
 */
public interface TollgateRole {

    /** The role's name: ingress, decision-worker, executor-worker, audit-sink. */
    String name();

    /** The role's Spring Boot application class (the same one its own {@code main} runs). */
    Class<?> applicationClass();

    /** True for the role that serves HTTP (the ingress); others run without a web server. */
    default boolean servesHttp() {
        return false;
    }

    /**
     * The defaults the role's own {@code main} gives it beyond the shared ones
     * ({@link TollgateDefaults}), which the launcher gives it too: the role runs the same in the
     * standalone JVM as alone. Anything configured wins.
     */
    default Map<String, Object> defaultProperties() {
        return Map.of();
    }

    /** Start order: lower first. Consumers start before the ingress accepts calls. */
    default int order() {
        return 100;
    }

    /**
     * Why this role cannot start with the given settings (a property lookup over the launcher's
     * arguments, system properties and environment), naming what to set; empty when it can. The
     * launcher then leaves the role out and says so, instead of failing the whole run. Only for a
     * role that is not configured at all: settings that are given but wrong throw (a
     * {@link RuntimeException} naming the problem), and the launcher fails to start.
     */
    default Optional<String> missingConfiguration(Function<String, String> settings) {
        return Optional.empty();
    }
}
