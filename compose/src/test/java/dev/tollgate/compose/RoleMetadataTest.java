package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The declared metadata stays true to the code: every {@code tollgate.*} key a role's sources
 * read by name ({@code getProperty}, {@code settings.get}, {@code @Value}) is declared, and every
 * {@code @ConfigurationProperties} prefix has declared keys.
 */
class RoleMetadataTest {

    private static final Pattern READ = Pattern.compile(
            "(?:(?:getProperty|settings\\.get)\\(\\s*\"|\\$\\{)(tollgate\\.[a-z0-9.-]+[a-z0-9])");
    private static final Pattern PREFIX = Pattern.compile(
            "@ConfigurationProperties\\(\"(tollgate\\.[a-z0-9.-]+)\"\\)");

    static List<String> roles() {
        return RoleSettings.ROLES;
    }

    @ParameterizedTest
    @MethodSource("roles")
    void everyKeyTheRoleReadsByNameIsDeclared(String role) throws IOException {
        Set<String> declared = RoleSettings.of(role).ownKeys();
        List<String> undeclared = new ArrayList<>();
        List<String> read = new ArrayList<>();

        for (String source : sources(role)) {
            Matcher keys = READ.matcher(source);
            while (keys.find()) {
                read.add(keys.group(1));
                if (!declared.contains(keys.group(1))) {
                    undeclared.add(keys.group(1));
                }
            }
            Matcher prefixes = PREFIX.matcher(source);
            while (prefixes.find()) {
                String prefix = prefixes.group(1) + ".";
                if (declared.stream().noneMatch(key -> key.startsWith(prefix))) {
                    undeclared.add(prefix + "*");
                }
            }
        }

        assertThat(undeclared).as("declare them in " + role
                + "/src/main/resources/META-INF/additional-spring-configuration-metadata.json")
                .isEmpty();
        assertThat(read.size() + declared.size()).isPositive();
    }

    private static List<String> sources(String role) throws IOException {
        Path main = RoleSettings.repository().resolve(role).resolve("src/main/java");
        List<String> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.add(Files.readString(file));
            }
        }
        return sources;
    }
}
