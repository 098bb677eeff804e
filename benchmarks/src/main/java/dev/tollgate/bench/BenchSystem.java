package dev.tollgate.bench;

import dev.tollgate.launcher.EmbeddedKafkaServer;
import java.nio.file.Files;
import java.nio.file.Path;

/** The system under measurement: for now the launcher's embedded broker, or a given cluster. */
final class BenchSystem implements AutoCloseable {

    private final EmbeddedKafkaServer broker;
    private final String bootstrapServers;
    private final Path data;

    private BenchSystem(EmbeddedKafkaServer broker, String bootstrapServers, Path data) {
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
        this.data = data;
    }

    static BenchSystem start(Bench.Options options, GitHubStandIn github) throws Exception {
        if (options.kafka() != null) {
            return new BenchSystem(null, options.kafka(), null);
        }
        Path data = Files.createTempDirectory("tollgate-bench");
        EmbeddedKafkaServer broker = EmbeddedKafkaServer.start(data, 0, true);
        return new BenchSystem(broker, broker.bootstrapServers(), data);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
        if (data != null) {
            try (var paths = Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile()
                        .delete());
            } catch (java.io.IOException e) {
                System.err.println("[bench] could not delete " + data + ": " + e.getMessage());
            }
        }
    }
}
