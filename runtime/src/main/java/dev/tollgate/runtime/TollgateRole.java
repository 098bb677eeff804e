package dev.tollgate.runtime;

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

    /** Start order: lower first. Consumers start before the ingress accepts calls. */
    default int order() {
        return 100;
    }
}
