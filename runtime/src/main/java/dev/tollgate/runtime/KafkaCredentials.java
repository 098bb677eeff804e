package dev.tollgate.runtime;

import dev.tollgate.runtime.security.SecretFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * A role's Kafka principal, from {@code tollgate.kafka.username} and its password ({@code
 * tollgate.kafka.password-file}, env {@code TOLLGATE_KAFKA_PASSWORD_FILE}; or {@code
 * tollgate.kafka.password}), turned into the standard client settings every producer, consumer and
 * admin client of the role is built from ({@code spring.kafka.security.protocol},
 * {@code spring.kafka.properties.sasl.mechanism} and {@code .sasl.jaas.config}). SASL/SCRAM-SHA-512
 * unless {@code tollgate.kafka.sasl-mechanism} says otherwise; {@code SASL_PLAINTEXT} unless
 * {@code spring.kafka.security.protocol} is set (e.g. {@code SASL_SSL}). Without a user name
 * nothing is added: plain {@code spring.kafka.*} settings (mTLS, say) still work.
 *
 * <p>The password lives only in this process's memory; Kafka's clients print {@code sasl.jaas.config}
 * as {@code [hidden]}.
 */
public final class KafkaCredentials implements EnvironmentPostProcessor {

    public static final String USERNAME = "tollgate.kafka.username";
    public static final String PASSWORD = "tollgate.kafka.password";
    public static final String PASSWORD_FILE = "tollgate.kafka.password-file";
    public static final String MECHANISM = "tollgate.kafka.sasl-mechanism";
    public static final String DEFAULT_MECHANISM = "SCRAM-SHA-512";
    public static final String SOURCE_NAME = "tollgateKafkaCredentials";

    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256",
            "PLAIN");
    private static final String JAAS = "spring.kafka.properties.sasl.jaas.config";

    /**
     * A principal's name and password.
     *
     * @param mechanism SCRAM-SHA-512 (the default), SCRAM-SHA-256 or PLAIN
     */
    public record Principal(String username, String password, String mechanism) {

        public Principal {
            if (username == null || username.isBlank()) {
                throw new IllegalArgumentException(USERNAME + " is empty");
            }
            if (!MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException(MECHANISM + " must be one of " + MECHANISMS
                        + ", not '" + mechanism + "'");
            }
            for (String value : new String[]{username, password}) {
                if (value.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20)) {
                    throw new IllegalArgumentException("the Kafka user name and password must"
                            + " not hold quotes, backslashes or control characters; generate"
                            + " the password with `openssl rand -hex 32`");
                }
            }
        }

        /** The JAAS line for this principal (it holds the password: never log it). */
        public String jaasConfig() {
            String module = mechanism.startsWith("SCRAM")
                    ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            return module + " required username=\"" + username + "\" password=\"" + password
                    + "\";";
        }

        /** Client settings authenticating as this principal over {@code securityProtocol}. */
        public Map<String, Object> clientProperties(String securityProtocol) {
            Map<String, Object> props = new LinkedHashMap<>();
            props.put("security.protocol", securityProtocol);
            props.put("sasl.mechanism", mechanism);
            props.put("sasl.jaas.config", jaasConfig());
            return props;
        }

        @Override
        public String toString() {
            return "Principal[" + username + ", " + mechanism + "]";
        }
    }

    /**
     * The principal {@code settings} name, if any: {@code tollgate.kafka.username} with the
     * password from {@code tollgate.kafka.password} or the file {@code tollgate.kafka.password-file}.
     *
     * @throws IllegalStateException when the settings are incomplete, naming what to set
     */
    public static Optional<Principal> from(Function<String, String> settings) {
        String username = blankToNull(settings.apply(USERNAME));
        String password = blankToNull(settings.apply(PASSWORD));
        String file = blankToNull(settings.apply(PASSWORD_FILE));
        if (username == null) {
            if (password != null || file != null) {
                throw new IllegalStateException("a Kafka password is set but no user name: set "
                        + USERNAME + " (TOLLGATE_KAFKA_USERNAME) too");
            }
            return Optional.empty();
        }
        if (password != null && file != null) {
            throw new IllegalStateException("set either " + PASSWORD + " or " + PASSWORD_FILE
                    + " (TOLLGATE_KAFKA_PASSWORD_FILE), not both");
        }
        if (password == null && file == null) {
            throw new IllegalStateException(USERNAME + " is set but no password: set "
                    + PASSWORD_FILE + " (TOLLGATE_KAFKA_PASSWORD_FILE) to the file holding the"
                    + " Kafka password of " + username);
        }
        String secret = password != null
                ? password
                : SecretFiles.readConfigured("Kafka password", Path.of(file));
        String mechanism = Optional.ofNullable(blankToNull(settings.apply(MECHANISM))).orElse(
                DEFAULT_MECHANISM).toUpperCase(Locale.ROOT);
        try {
            return Optional.of(new Principal(username.trim(), secret, mechanism));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment,
            SpringApplication application) {
        if (environment.getPropertySources().contains(SOURCE_NAME)) {
            return;
        }
        Optional<Principal> principal = from(environment::getProperty);
        if (principal.isEmpty()) {
            return;
        }
        if (environment.containsProperty(JAAS)) {
            throw new IllegalStateException("both " + USERNAME + " and " + JAAS
                    + " are set: configure the Kafka principal one way only");
        }
        Map<String, Object> derived = new LinkedHashMap<>();
        derived.put(JAAS, principal.get().jaasConfig());
        if (!environment.containsProperty("spring.kafka.properties.sasl.mechanism")) {
            derived.put("spring.kafka.properties.sasl.mechanism", principal.get().mechanism());
        }
        if (!environment.containsProperty("spring.kafka.security.protocol") && !environment
                .containsProperty("spring.kafka.properties.security.protocol")) {
            derived.put("spring.kafka.security.protocol", "SASL_PLAINTEXT");
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, derived));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
