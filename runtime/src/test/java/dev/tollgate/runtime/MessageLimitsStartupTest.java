package dev.tollgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.runtime.testapp.RuntimeTestApplication;
import dev.tollgate.schemas.MessageLimits;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every producer's max.request.size follows tollgate.kafka.max-message-bytes, and a role whose
 * producer was set otherwise by hand refuses to start, naming the fix.
 */
class MessageLimitsStartupTest {

    private static SpringApplicationBuilder role(String... properties) {
        return new SpringApplicationBuilder(RuntimeTestApplication.class).web(
                WebApplicationType.NONE).properties("tollgate.role=test-role",
                        "tollgate.kafka.provision-topics=false",
                        "spring.kafka.bootstrap-servers=127.0.0.1:1")
                .properties(properties);
    }

    @Test
    void everyProducerTakesTheMaxRequestSizeOfTheOneRecordSize() {
        try (ConfigurableApplicationContext defaults = role().run();
                ConfigurableApplicationContext twoMiB = role(
                        "tollgate.kafka.max-message-bytes=2MB").run()) {
            assertThat(defaults.getBean(KafkaProperties.class).buildProducerProperties().get(
                    "max.request.size")).isEqualTo("1048576");
            assertThat(defaults.getBean(MessageLimits.class)).isEqualTo(MessageLimits
                    .defaults());
            assertThat(twoMiB.getBean(KafkaProperties.class).buildProducerProperties().get(
                    "max.request.size")).isEqualTo("2097152");
            assertThat(twoMiB.getBean(MessageLimits.class).maxEventBytes()).isEqualTo(2 * 1024
                    * 1024 - MessageLimits.ENVELOPE_BYTES);
        }
    }

    @Test
    void aProducerSetByHandToAnotherSizeStopsTheRoleNamingTheFix() {
        assertThatThrownBy(() -> role("tollgate.kafka.max-message-bytes=2MB",
                "spring.kafka.producer.properties.max.request.size=1048576").run().close())
                .rootCause().hasMessageContaining("max.request.size is 1048576")
                .hasMessageContaining("remove spring.kafka.producer.properties.max.request.size");
    }

    @Test
    void aLimitThatIsNotASizeStopsTheRoleNamingTheVariable() {
        assertThatThrownBy(() -> role("tollgate.kafka.max-message-bytes=lots").run().close())
                .satisfies(thrown -> assertThat(rootOf(thrown)).hasMessageContaining(
                        "TOLLGATE_KAFKA_MAX_MESSAGE_BYTES"));
    }

    private static Throwable rootOf(Throwable thrown) {
        Throwable root = thrown;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}
