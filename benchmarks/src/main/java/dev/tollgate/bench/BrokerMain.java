package dev.tollgate.bench;

import dev.tollgate.launcher.EmbeddedKafkaServer;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The broker of {@code --system roles} as its own JVM: the launcher's embedded single-node KRaft
 * broker on a free port under {@code args[0]} (wiped first), and the topics created once, as the
 * launcher creates them, so no role needs to. Prints {@code [broker] ready at HOST:PORT} when both
 * are done; SIGTERM stops it.
 */
public final class BrokerMain {

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: BrokerMain DATA_DIR");
            System.exit(2);
        }
        long started = System.nanoTime();
        EmbeddedKafkaServer broker = EmbeddedKafkaServer.start(Path.of(args[0]), 0, true);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-main-shutdown"));
        String bootstrap = broker.bootstrapServers();
        System.out.println("[broker] Kafka broker up at " + bootstrap + " in " + (System
                .nanoTime() - started) / 1_000_000 + " ms");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap))) {
            TopicProvisioner.Report topics = new TopicProvisioner(admin, TopicSettings
                    .singleBroker(), 60_000).ensure(Topics.all());
            System.out.println("[broker] topics: " + topics.created().size() + " created, "
                    + topics.existing().size() + " already present");
        } catch (RuntimeException e) {
            System.out.println("[broker] failed: cannot create the topics: " + e);
            System.exit(1); // the shutdown hook stops the broker
        }
        System.out.println("[broker] ready at " + bootstrap);
        stopped.await();
    }
}
