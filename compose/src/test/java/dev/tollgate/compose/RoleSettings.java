package dev.tollgate.compose;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration keys one role reads, from Spring configuration metadata: Spring Boot's own
 * (on this module's test classpath through the runtime: {@code spring.kafka.*}, {@code server.*},
 * {@code logging.*}, {@code management.*}), the runtime's and the role's
 * {@code META-INF/additional-spring-configuration-metadata.json}. An environment variable is
 * matched to a key with Spring's relaxed rules for the environment (upper case, dots to
 * underscores, dashes dropped; map-typed keys accept any suffix).
 */
public final class RoleSettings {

    /** Roles and their modules, as the deployment files name them. */
    static final List<String> ROLES = List.of("ingress", "decision-worker", "executor-worker",
            "audit-sink");

    /** Read by the JVM or by plain {@code System.getenv}, not through Spring. */
    static final Set<String> NOT_SPRING = Set.of("JAVA_TOOL_OPTIONS", "TOLLGATE_INSTANCE_ID");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<Key> BOOT = bootKeys();

    record Key(String name, boolean map, boolean required) {

        /** The usual environment name: dots and dashes to underscores, upper case. */
        String envName() {
            return envForm(name);
        }

        /** Spring also accepts the form without dashes ({@code SPRING_KAFKA_BOOTSTRAPSERVERS}). */
        boolean matches(String env) {
            for (String form : List.of(envForm(name), compactForm(name))) {
                if (env.equals(form) || (map && env.startsWith(form + "_"))) {
                    return true;
                }
            }
            return false;
        }
    }

    private final String role;
    private final List<Key> keys;

    private RoleSettings(String role, List<Key> keys) {
        this.role = role;
        this.keys = keys;
    }

    static RoleSettings of(String role) {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("no role " + role + "; roles: " + ROLES);
        }
        List<Key> keys = new ArrayList<>(BOOT);
        keys.addAll(moduleKeys("runtime"));
        keys.addAll(moduleKeys(role));
        return new RoleSettings(role, keys);
    }

    /** The environment form of a canonical property name, dashes as underscores. */
    static String envForm(String property) {
        return property.replace(".", "_").replace("-", "_").toUpperCase(Locale.ROOT);
    }

    /** Spring's canonical environment form: dots to underscores, dashes dropped. */
    static String compactForm(String property) {
        return property.replace(".", "_").replace("-", "").toUpperCase(Locale.ROOT);
    }

    /** The key an environment variable sets, if this role reads it. */
    Optional<Key> keyFor(String env) {
        return keys.stream().filter(key -> key.matches(env)).findFirst();
    }

    /** Variables this role would not read (typos, another role's keys, removed settings). */
    List<String> unknown(Iterable<String> envNames) {
        List<String> unknown = new ArrayList<>();
        for (String env : envNames) {
            if (!NOT_SPRING.contains(env) && keyFor(env).isEmpty()) {
                unknown.add(env);
            }
        }
        return unknown;
    }

    /** Required keys neither set directly nor as a {@code _FILE}. */
    List<String> missingRequired(Set<String> envNames) {
        List<String> missing = new ArrayList<>();
        for (Key key : keys) {
            if (key.required() && envNames.stream().noneMatch(env -> key.matches(env) || key
                    .matches(env.replaceFirst("_FILE$", "")))) {
                missing.add(key.envName());
            }
        }
        return missing;
    }

    /** The role's own keys (runtime and role metadata), for tests of the metadata itself. */
    Set<String> ownKeys() {
        Set<String> own = new LinkedHashSet<>();
        moduleKeys("runtime").forEach(k -> own.add(k.name()));
        moduleKeys(role).forEach(k -> own.add(k.name()));
        return own;
    }

    public static Path repository() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("compose")) ? here : here.getParent();
    }

    private static List<Key> moduleKeys(String module) {
        Path file = repository().resolve(module).resolve(
                "src/main/resources/META-INF/additional-spring-configuration-metadata.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: every role declares the keys it"
                    + " reads there");
        }
        return keys(JSON.readTree(file.toFile()));
    }

    private static List<Key> bootKeys() {
        List<Key> keys = new ArrayList<>();
        try {
            Enumeration<URL> resources = RoleSettings.class.getClassLoader().getResources(
                    "META-INF/spring-configuration-metadata.json");
            for (URL url : Collections.list(resources)) {
                try (InputStream in = url.openStream()) {
                    keys.addAll(keys(JSON.readTree(in)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Spring Boot's configuration metadata", e);
        }
        if (keys.stream().noneMatch(k -> k.name().equals("spring.kafka.bootstrap-servers"))) {
            throw new IllegalStateException("Spring Boot's Kafka metadata is not on the classpath");
        }
        return keys;
    }

    private static List<Key> keys(JsonNode metadata) {
        List<Key> keys = new ArrayList<>();
        for (JsonNode property : metadata.path("properties")) {
            String type = property.path("type").asString("");
            keys.add(new Key(property.path("name").asString(), type.startsWith("java.util.Map"),
                    property.path("description").asString("").startsWith("Required.")));
        }
        return keys;
    }
}
