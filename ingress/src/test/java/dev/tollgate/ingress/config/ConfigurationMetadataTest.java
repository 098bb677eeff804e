package dev.tollgate.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every {@code tollgate.*} setting the ingress binds is declared in Spring configuration metadata
 * (this module's or the runtime's {@code additional-spring-configuration-metadata.json}), so IDEs,
 * {@code compose}'s checks of deployment files and operators see it: each property of every
 * {@code @ConfigurationProperties} class, walked into its nested groups (a map or list is one
 * key), and every {@code ${tollgate...}} the sources read with {@code @Value}. (The compose
 * module's {@code RoleMetadataTest} checks keys read by name for every role, but only the prefix
 * of a properties class: {@code tollgate.ingress.streams.*} went undeclared under it.)
 */
class ConfigurationMetadataTest {

    private static final Pattern VALUE = Pattern.compile(
            "\\$\\{(tollgate\\.[a-z0-9.-]+[a-z0-9])");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everySettingTheIngressBindsOrReadsIsDeclared() throws Exception {
        Set<String> declared = declared();
        Set<String> used = new TreeSet<>();
        List<Class<?>> groups = propertiesClasses();
        for (Class<?> group : groups) {
            ConfigurationProperties annotation = group.getAnnotation(
                    ConfigurationProperties.class);
            String prefix = annotation.prefix().isEmpty()
                    ? annotation.value()
                    : annotation.prefix();
            walk(prefix, group, used);
        }
        used.addAll(valueKeys());

        List<String> undeclared = used.stream().filter(key -> !declared.contains(key)).toList();

        assertThat(groups).as("the ingress's @ConfigurationProperties classes").extracting(
                Class::getSimpleName).contains("IngressProperties", "WebhookProperties");
        assertThat(used).as("settings found").contains("tollgate.ingress.streams.max-life",
                "tollgate.admin-key", "tollgate.github.webhook-max-concurrent");
        assertThat(undeclared).as("declare them in ingress/src/main/resources/META-INF/"
                + "additional-spring-configuration-metadata.json").isEmpty();
    }

    private static List<Class<?>> propertiesClasses() throws ClassNotFoundException {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(
                false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Class<?>> classes = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("dev.tollgate.ingress")) {
            Class<?> type = Class.forName(candidate.getBeanClassName());
            if (!type.getName().contains("Test")) {
                classes.add(type);
            }
        }
        return classes;
    }

    /** The keys of {@code type}'s properties under {@code prefix}, nested groups walked into. */
    private static void walk(String prefix, Class<?> type, Set<String> keys) {
        for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
            if (property.getReadMethod() == null || property.getName().equals("class")) {
                continue;
            }
            String key = prefix + "." + kebab(property.getName());
            Class<?> value = property.getPropertyType();
            if (isGroup(value)) {
                walk(key, value, keys);
            } else if (property.getWriteMethod() != null || Map.class.isAssignableFrom(value)
                    || Collection.class.isAssignableFrom(value)) {
                keys.add(key);
            }
        }
    }

    /** A nested group of settings: one of Tollgate's own classes, not a value. */
    private static boolean isGroup(Class<?> type) {
        return type.getName().startsWith("dev.tollgate.") && !type.isEnum() && !type
                .isRecord();
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Set<String> valueKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = VALUE.matcher(Files.readString(file));
                while (matcher.find()) {
                    keys.add(matcher.group(1));
                }
            }
        }
        return keys;
    }

    /** Every key declared by the metadata on the classpath (this module's, the runtime's). */
    private static Set<String> declared() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (URL url : Collections.list(ConfigurationMetadataTest.class.getClassLoader()
                .getResources("META-INF/additional-spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode property : JSON.readTree(in).path("properties")) {
                    keys.add(property.path("name").asString());
                }
            }
        }
        return keys;
    }
}
