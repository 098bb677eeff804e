package dev.tollgate.testsupport;

/**
 * A Testcontainers Kafka broker, used only when asked for and a Docker engine answers. Loaded
 * reflectively so that test JVMs without Testcontainers on the classpath still work.
 */
final class ContainerBroker {

    private static final String IMAGE = "apache/kafka-native:4.1.1";

    private ContainerBroker() {
    }

    /** The started broker, or null when Testcontainers or a Docker engine is missing. */
    static KafkaTestBroker startIfDockerAvailable() {
        try {
            Class<?> factory = Class.forName("org.testcontainers.DockerClientFactory");
            Object instance = factory.getMethod("instance").invoke(null);
            if (!(Boolean) factory.getMethod("isDockerAvailable").invoke(instance)) {
                return null;
            }
            Class<?> containerType = Class.forName("org.testcontainers.kafka.KafkaContainer");
            Object container = containerType.getConstructor(String.class).newInstance(IMAGE);
            containerType.getMethod("start").invoke(container);
            String bootstrap = (String) containerType.getMethod("getBootstrapServers")
                    .invoke(container);
            return KafkaTestBroker.of(KafkaTestBroker.Kind.TESTCONTAINERS, bootstrap,
                    () -> containerType.getMethod("stop").invoke(container));
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("[kafka-test-broker] Testcontainers broker did not start: " + e);
            return null;
        }
    }
}
