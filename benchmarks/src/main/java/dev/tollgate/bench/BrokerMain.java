package dev.tollgate.bench;

import dev.tollgate.launcher.EmbeddedKafkaServer;
import dev.tollgate.launcher.StandaloneKafkaSecurity;
import dev.tollgate.schemas.TopicProvisioner;
import dev.tollgate.schemas.TopicSettings;
import dev.tollgate.schemas.Topics;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;

/**
 * The broker of {@code --system roles} as its own JVM: the launcher's embedded single-node KRaft
 * broker on a free port under {@code args[0]} (wiped first), and the topics created once, as the
 * launcher creates them, so no role needs to, with the launcher's principals and ACLs (passwords
 * under {@code args[0]/../kafka-credentials}). Prints {@code [broker] ready at HOST:PORT} when both
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
        // the principals' passwords beside the broker's folder, as the launcher keeps them
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        StandaloneKafkaSecurity security = StandaloneKafkaSecurity.load(dataDir.getParent());
        EmbeddedKafkaServer broker = EmbeddedKafkaServer.start(dataDir, 0, true, security
                .brokerPassword());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-main-shutdown"));
        String bootstrap = broker.bootstrapServers();
        System.out.println("[broker] Kafka broker up at " + bootstrap + " in " + (System
                .nanoTime() - started) / 1_000_000 + " ms");
        try (Admin admin = Admin.create(broker.superUserClientProperties())) {
            TopicProvisioner.Report topics = new TopicProvisioner(admin, TopicSettings
                    .singleBroker(), 60_000).ensure(Topics.all());
            System.out.println("[broker] topics: " + topics.created().size() + " created, "
                    + topics.existing().size() + " already present");
            security.apply(admin);
            security.awaitAuthentication(bootstrap);
        } catch (RuntimeException e) {
            System.out.println("[broker] failed: cannot create the topics and principals: " + e);
            System.exit(1); // the shutdown hook stops the broker
        }
        System.out.println("[broker] ready at " + bootstrap);
        stopped.await();
    }
}
