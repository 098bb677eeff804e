package dev.tollgate.audit;

import dev.tollgate.audit.core.RecordClass;
import dev.tollgate.audit.core.RetentionPolicy;
import dev.tollgate.audit.postgres.PostgresMigrations;
import dev.tollgate.schemas.Topic;
import dev.tollgate.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit sink's settings, {@code tollgate.audit.*} (environment {@code TOLLGATE_AUDIT_*}).
 * Kafka itself is configured with the standard {@code spring.kafka.*} keys.
 *
 * @param store {@code embedded} (default, server-less) or {@code postgres}
 * @param groupId the sink's own consumer group
 * @param topics the topics to keep; empty means every catalogued gateway topic
 * @param concurrency consumer threads per sink replica
 * @param embedded the embedded store's settings
 * @param postgres the PostgreSQL store's settings
 * @param checkpoints signed checkpoints of the chains' heads (off without a key)
 * @param retention how long each record class is kept before {@code audit prune} may erase it
 */
@ConfigurationProperties("tollgate.audit")
public record AuditSinkProperties(@DefaultValue("embedded") String store,
        @DefaultValue("tollgate-audit-sink") String groupId, @DefaultValue( {
        }) List<String> topics,
        @DefaultValue("1") int concurrency, @DefaultValue Embedded embedded,
        @DefaultValue Postgres postgres, @DefaultValue Checkpoints checkpoints,
        @DefaultValue Retention retention){

    /**
     * Each record class's retention: {@code forever} (the default), {@code 400d}, {@code 12h}, or
     * an ISO-8601 duration. The sink checks and logs it; {@code audit prune} erases by it and
     * {@code audit verify} judges tombstones by it (both read the same
     * {@code TOLLGATE_AUDIT_RETENTION_*} variables).
     */
    public record Retention(@DefaultValue(RetentionPolicy.FOREVER) String calls,
            @DefaultValue(RetentionPolicy.FOREVER) String refusals,
            @DefaultValue(RetentionPolicy.FOREVER) String tokens,
            @DefaultValue(RetentionPolicy.FOREVER) String admin,
            @DefaultValue(RetentionPolicy.FOREVER) String deadLetters) {

        /** The policy; a wrong value throws, naming the property and the forms it takes. */
        public RetentionPolicy policy() {
            Map<String, String> settings = new HashMap<>();
            settings.put(RecordClass.CALLS.key(), calls);
            settings.put(RecordClass.REFUSALS.key(), refusals);
            settings.put(RecordClass.TOKENS.key(), tokens);
            settings.put(RecordClass.ADMIN.key(), admin);
            settings.put(RecordClass.DEAD_LETTERS.key(), deadLetters);
            settings.values().removeIf(java.util.Objects::isNull);
            return RetentionPolicy.parse(settings);
        }
    }

    /**
     * @param keyFile the Ed25519 private key (PKCS#8 PEM) that signs them; unset: no checkpoints
     * @param file the JSON Lines file they are appended to
     * @param interval how often one is written (when the heads moved)
     */
    public record Checkpoints(Path keyFile,
            @DefaultValue(".tollgate/audit-checkpoints.jsonl") Path file,
            @DefaultValue("1m") Duration interval) {
    }

    /**
     * @param dir where the chain files live
     */
    public record Embedded(@DefaultValue(".tollgate/audit") Path dir) {
    }

    /**
     * @param url JDBC URL, {@code jdbc:postgresql://HOST:5432/DB?currentSchema=audit}
     * @param user the sink's login role (member of the writer role)
     * @param password its password; prefer {@code passwordFile}
     * @param passwordFile a file holding the password
     * @param migrate run the Flyway migrations at start (only if {@code user} owns the schema)
     * @param writerRole the group role granted SELECT and INSERT by the migrations
     * @param prunerRole the group role the migrations let turn records past their retention into
     *            tombstones (never the writer role)
     * @param readerRole the group role the migrations grant only SELECT, for the logins that
     *            verify or export the record (never the writer or the pruner role)
     * @param migrateLockTimeout how long a migration's statement waits for a lock before the
     *            migration gives up (0: no limit)
     */
    public record Postgres(String url, String user, String password, Path passwordFile,
            @DefaultValue("false") boolean migrate,
            @DefaultValue(PostgresMigrations.DEFAULT_WRITER_ROLE) String writerRole,
            @DefaultValue(PostgresMigrations.DEFAULT_PRUNER_ROLE) String prunerRole,
            @DefaultValue(PostgresMigrations.DEFAULT_READER_ROLE) String readerRole,
            @DefaultValue("10s") java.time.Duration migrateLockTimeout) {
    }

    public String[] topicNames() {
        List<String> names = topics == null || topics.isEmpty()
                ? Topics.audited().stream().map(
                        Topic::name).toList()
                : topics;
        return names.toArray(String[]::new);
    }
}
