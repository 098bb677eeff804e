package dev.tollgate.testsupport;

import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Starts a single-node KRaft broker inside this JVM (spring-kafka-test's test kit). */
final class EmbeddedBroker {

    private EmbeddedBroker() {
    }

    static KafkaTestBroker start() {
        long started = System.nanoTime();
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperties(Map.of(
                // one broker: internal topics and transactions must fit on it
                "offsets.topic.replication.factor", "1",
                "transaction.state.log.replication.factor", "1",
                "transaction.state.log.min.isr", "1",
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false"));
        broker.afterPropertiesSet();
        System.err.printf("[kafka-test-broker] embedded KRaft broker at %s up in %d ms%n",
                broker.getBrokersAsString(), (System.nanoTime() - started) / 1_000_000);
        return KafkaTestBroker.of(KafkaTestBroker.Kind.EMBEDDED_KRAFT, broker.getBrokersAsString(),
                broker::destroy, new KafkaTestBroker.Outages() {
                    @Override
                    public void stop() {
                        broker.getCluster().brokers().values().forEach(
                                kafka.server.BrokerServer::shutdown);
                    }

                    @Override
                    public void restart() {
                        broker.getCluster().brokers().values().forEach(
                                kafka.server.BrokerServer::startup);
                    }
                });
    }
}
