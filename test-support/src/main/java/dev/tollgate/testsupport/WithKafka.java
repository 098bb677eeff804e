package dev.tollgate.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the JVM's real Kafka broker: declare a {@link KafkaTestBroker} parameter on a
 * test, lifecycle method or constructor. The system property {@code spring.kafka.bootstrap-servers}
 * is also set, for Spring tests.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KafkaBrokerExtension.class)
public @interface WithKafka {
}
