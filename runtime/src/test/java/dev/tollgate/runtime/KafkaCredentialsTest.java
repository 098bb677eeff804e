package dev.tollgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** A role's Kafka principal becomes the SASL settings of every client it builds. */
class KafkaCredentialsTest {

    @TempDir
    Path dir;

    private Path passwordFile(String password) throws Exception {
        Path file = dir.resolve("kafka-password");
        Files.writeString(file, password + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static MockEnvironment process(MockEnvironment environment) {
        new KafkaCredentials().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void aUserNameAndPasswordFileBecomeScramSettingsForEveryClient() throws Exception {
        String password = "b3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4";
        MockEnvironment environment = new MockEnvironment().withProperty(
                KafkaCredentials.USERNAME, "tollgate-ingress").withProperty(
                        KafkaCredentials.PASSWORD_FILE, passwordFile(password).toString());

        process(environment);

        assertThat(environment.getProperty("spring.kafka.security.protocol")).isEqualTo(
                "SASL_PLAINTEXT");
        assertThat(environment.getProperty("spring.kafka.properties.sasl.mechanism")).isEqualTo(
                "SCRAM-SHA-512");
        assertThat(environment.getProperty("spring.kafka.properties.sasl.jaas.config")).isEqualTo(
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"tollgate-ingress\" password=\"" + password + "\";");
    }

    @Test
    void anExplicitSecurityProtocolIsKept() throws Exception {
        MockEnvironment environment = new MockEnvironment().withProperty(
                KafkaCredentials.USERNAME, "tollgate-ingress").withProperty(
                        KafkaCredentials.PASSWORD, "0123456789abcdef0123456789abcdef")
                .withProperty("spring.kafka.security.protocol", "SASL_SSL");

        process(environment);

        assertThat(environment.getProperty("spring.kafka.security.protocol")).isEqualTo(
                "SASL_SSL");
    }

    @Test
    void withoutAUserNameNothingIsAdded() {
        MockEnvironment environment = new MockEnvironment();

        process(environment);

        assertThat(environment.getProperty("spring.kafka.security.protocol")).isNull();
        assertThat(environment.getPropertySources().contains(KafkaCredentials.SOURCE_NAME))
                .isFalse();
    }

    @Test
    void incompleteOrConflictingSettingsNameTheFix() throws Exception {
        Path file = passwordFile("0123456789abcdef0123456789abcdef");

        assertThatThrownBy(() -> KafkaCredentials.from(Map.of(KafkaCredentials.USERNAME,
                "tollgate-ingress")::get)).hasMessageContaining("TOLLGATE_KAFKA_PASSWORD_FILE");
        assertThatThrownBy(() -> KafkaCredentials.from(Map.of(KafkaCredentials.PASSWORD_FILE,
                file.toString())::get)).hasMessageContaining("TOLLGATE_KAFKA_USERNAME");
        assertThatThrownBy(() -> KafkaCredentials.from(Map.of(KafkaCredentials.USERNAME, "u",
                KafkaCredentials.PASSWORD, "p", KafkaCredentials.PASSWORD_FILE, file
                        .toString())::get))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> KafkaCredentials.from(Map.of(KafkaCredentials.USERNAME, "u",
                KafkaCredentials.PASSWORD, "with\"quote")::get)).hasMessageContaining(
                        "openssl rand -hex 32")
                .hasMessageNotContaining("with\"quote");
        assertThatThrownBy(() -> KafkaCredentials.from(Map.of(KafkaCredentials.USERNAME, "u",
                KafkaCredentials.PASSWORD, "p", KafkaCredentials.MECHANISM, "GSSAPI")::get))
                .hasMessageContaining("SCRAM-SHA-512");
        assertThatThrownBy(() -> process(new MockEnvironment().withProperty(
                KafkaCredentials.USERNAME, "u").withProperty(KafkaCredentials.PASSWORD, "p")
                .withProperty("spring.kafka.properties.sasl.jaas.config", "x")))
                .hasMessageContaining(
                        "one way only");
    }

    @Test
    void aPasswordFileEveryUserCanWriteIsRefusedAndThePasswordIsNeverShown() throws Exception {
        Path file = passwordFile("0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThatThrownBy(() -> KafkaCredentials.from(Map.of(KafkaCredentials.USERNAME, "u",
                KafkaCredentials.PASSWORD_FILE, file.toString())::get)).hasMessageContaining(
                        "chmod")
                .hasMessageNotContaining("0123456789abcdef");
        assertThat(KafkaCredentials.from(Map.of(KafkaCredentials.USERNAME, "u",
                KafkaCredentials.PASSWORD, "0123456789abcdef0123456789abcdef")::get).orElseThrow()
                .toString()).doesNotContain("0123456789abcdef");
    }
}
