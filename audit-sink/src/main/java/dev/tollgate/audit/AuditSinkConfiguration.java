package dev.tollgate.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.audit.checkpoints.CheckpointKeys;
import dev.tollgate.audit.checkpoints.CheckpointWriter;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.audit.kafka.AuditIngest;
import dev.tollgate.audit.kafka.KafkaAuditMapper;
import dev.tollgate.audit.postgres.PostgresAuditStore;
import dev.tollgate.audit.postgres.PostgresMigrations;
import dev.tollgate.runtime.PeriodicTask;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.BatchAcknowledgingMessageListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Wires the live sink: the store chosen by {@code tollgate.audit.store}, and one listener
 * container on every gateway topic in the sink's own group. Offsets are committed (MANUAL ack)
 * only after the batch is durably appended; a failing append is retried forever with backoff, so
 * a database outage delays the audit record but never drops it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuditSinkProperties.class)
public class AuditSinkConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AuditSinkConfiguration.class);

    @Bean(destroyMethod = "close")
    AuditStore auditStore(AuditSinkProperties properties) {
        // Checked at start, so a wrong value is named before prune or verify trip over it.
        LOG.info("audit retention: {} (erased only by `audit prune`)", properties.retention()
                .policy().describe());
        return switch (properties.store()) {
            case "embedded" -> {
                LOG.info("audit store: embedded, {}", properties.embedded().dir().toAbsolutePath());
                yield EmbeddedAuditStore.open(properties.embedded().dir());
            }
            case "postgres" -> {
                AuditSinkProperties.Postgres pg = properties.postgres();
                if (pg.url() == null || pg.url().isBlank()) {
                    throw new IllegalStateException("tollgate.audit.store=postgres but"
                            + " TOLLGATE_AUDIT_POSTGRES_URL (tollgate.audit.postgres.url) is not set");
                }
                HikariConfig pool = new HikariConfig();
                pool.setPoolName("tollgate-audit");
                pool.setJdbcUrl(pg.url());
                pool.setUsername(pg.user());
                pool.setPassword(password(pg));
                pool.setMaximumPoolSize(Math.max(2, properties.concurrency() + 1));
                // Start even while the database is down: appends are retried until it is back.
                pool.setInitializationFailTimeout(-1);
                HikariDataSource source = new HikariDataSource(pool);
                if (pg.migrate()) {
                    // connections of its own: the migration's lock_timeout stays with them
                    org.postgresql.ds.PGSimpleDataSource migration = new org.postgresql.ds.PGSimpleDataSource();
                    migration.setUrl(pg.url());
                    migration.setUser(pg.user());
                    migration.setPassword(password(pg));
                    PostgresMigrations.migrate(migration, pg.writerRole(), pg.prunerRole(),
                            pg.readerRole(), pg.migrateLockTimeout());
                }
                LOG.info("audit store: postgres as {}", pg.user());
                yield new PostgresAuditStore(source, source);
            }
            default -> throw new IllegalStateException("tollgate.audit.store=" + properties.store()
                    + " is not a store: use embedded or postgres");
        };
    }

    private static String password(AuditSinkProperties.Postgres pg) {
        if (pg.passwordFile() != null) {
            try {
                return Files.readString(pg.passwordFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalStateException("TOLLGATE_AUDIT_POSTGRES_PASSWORD_FILE="
                        + pg.passwordFile() + " cannot be read: " + e.getMessage(), e);
            }
        }
        return pg.password();
    }

    /**
     * Signed checkpoints of every chain's head, when {@code tollgate.audit.checkpoints.key-file}
     * names the Ed25519 key.
     */
    @Bean
    @ConditionalOnProperty("tollgate.audit.checkpoints.key-file")
    PeriodicTask checkpointSchedule(AuditStore store, AuditSinkProperties properties) {
        AuditSinkProperties.Checkpoints checkpoints = properties.checkpoints();
        CheckpointWriter writer = new CheckpointWriter(store, CheckpointKeys.privateKey(
                checkpoints.keyFile()), checkpoints.file(), Clock.systemUTC());
        LOG.info("audit checkpoints: signed every {} (when the heads moved) into {}",
                checkpoints.interval(), checkpoints.file().toAbsolutePath());
        return new PeriodicTask("audit-checkpoints", checkpoints.interval(),
                "tollgate.audit.checkpoints.interval", writer::checkpoint);
    }

    @Bean
    AuditIngest auditIngest(AuditStore store) {
        return new AuditIngest(new KafkaAuditMapper(), store);
    }

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> auditListenerContainer(
            KafkaProperties kafka, AuditSinkProperties properties, AuditIngest ingest) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new sink starts at the beginning: every event kept, in Kafka order.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Off the request path: let the broker gather a batch (up to 64 KiB or 200 ms) instead
        // of answering each event on its own. Fewer fetches, store appends (one fsync each in the
        // embedded store) and offset commits under load; an event is stored at most ~200 ms later.
        // spring.kafka.consumer.fetch-min-size / fetch-max-wait override these.
        config.putIfAbsent(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        // The ingest's deserializer learns the cluster ID from the consumers' metadata.
        DefaultKafkaConsumerFactory<String, byte[]> factory = new DefaultKafkaConsumerFactory<>(
                config, new StringDeserializer(), ingest.valueDeserializer());

        ContainerProperties container = new ContainerProperties(properties.topicNames());
        container.setGroupId(properties.groupId());
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        AtomicBoolean failing = new AtomicBoolean();
        container.setMessageListener((BatchAcknowledgingMessageListener<String, byte[]>) (records,
                ack) -> {
            AuditIngest.Outcome outcome;
            try {
                outcome = ingest.ingest(records);
            } catch (RuntimeException e) {
                // Logged once until it recovers; the batch is retried with backoff, never skipped.
                if (failing.compareAndSet(false, true)) {
                    LOG.warn("audit: appending to the store fails, retrying until it recovers"
                            + " (offsets are not committed meanwhile): {}", e.getMessage());
                }
                throw e;
            }
            ack.acknowledge();
            if (failing.compareAndSet(true, false)) {
                LOG.info("audit: appending to the store works again");
            }
            LOG.debug("audit: {} appended ({} event ID conflicts), {} already stored", outcome
                    .appended(), outcome.conflicts(), outcome.duplicates());
        });
        ConcurrentMessageListenerContainer<String, byte[]> listener = new ConcurrentMessageListenerContainer<>(
                factory, container);
        listener.setConcurrency(Math.max(1, properties.concurrency()));
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        listener.setCommonErrorHandler(new DefaultErrorHandler(backOff));
        listener.setBeanName("tollgate-audit-sink");
        return listener;
    }
}
