package dev.tollgate.audit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditChain;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.store.AbstractAuditStoreContract;
import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class PostgresAuditStoreTest extends AbstractAuditStoreContract {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();

    private String url;
    private PGSimpleDataSource dataSource;
    private AuditStore store;

    /** The schemas this test made, dropped after it. */
    private final List<String> schemas = new ArrayList<>();

    @BeforeEach
    void freshSchema() {
        url = freshSchemaUrl("audit");
        dataSource = dataSource(url, DATABASE.user(), DATABASE.password());
        PostgresMigrations.migrate(dataSource);
        store = new PostgresAuditStore(dataSource);
    }

    private String freshSchemaUrl(String prefix) {
        String schemaUrl = DATABASE.freshSchemaUrl(prefix);
        schemas.add(schemaUrl);
        return schemaUrl;
    }

    @AfterEach
    void dropSchemas() {
        store.close();
        schemas.forEach(DATABASE::dropFreshSchema);
    }

    static PGSimpleDataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url);
        source.setUser(user);
        source.setPassword(password);
        return source;
    }

    @Override
    protected AuditStore store() {
        return store;
    }

    @Override
    protected AuditStore reopen() {
        store.close();
        store = new PostgresAuditStore(dataSource(url, DATABASE.user(), DATABASE.password()));
        return store;
    }

    @Override
    protected AuditStore secondAppender() {
        return new PostgresAuditStore(dataSource(url, DATABASE.user(), DATABASE.password()));
    }

    /** What an attacker who owns the table does: switch the guard off, change, switch it on. */
    private void asAttacker(SqlWork work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("ALTER TABLE audit_record DISABLE TRIGGER USER");
                work.run(connection);
                statement.execute("ALTER TABLE audit_record ENABLE ALWAYS TRIGGER"
                        + " audit_record_no_update_or_delete");
                statement.execute("ALTER TABLE audit_record ENABLE ALWAYS TRIGGER"
                        + " audit_record_no_truncate");
            }
            connection.commit();
        }
    }

    private interface SqlWork {
        void run(Connection connection) throws SQLException;
    }

    private static void update(Connection connection, String sql, Object... args)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.executeUpdate();
        }
    }

    @Override
    protected void tamperEditAgent(String chainId, long sequence, String agent)
            throws SQLException {
        asAttacker(c -> update(c, "UPDATE audit_record SET agent_id = ? WHERE chain_id = ?"
                + " AND sequence = ?", agent, chainId, sequence));
    }

    @Override
    protected void tamperDelete(String chainId, long sequence) throws SQLException {
        asAttacker(c -> update(c, "DELETE FROM audit_record WHERE chain_id = ? AND sequence = ?",
                chainId, sequence));
    }

    @Override
    protected void tamperSwap(String chainId, long a, long b) throws SQLException {
        asAttacker(c -> {
            String move = "UPDATE audit_record SET sequence = ? WHERE chain_id = ? AND sequence = ?";
            update(c, move, 1_000_000L, chainId, a);
            update(c, move, a, chainId, b);
            update(c, move, b, chainId, 1_000_000L);
        });
    }

    @Override
    protected void tamperInsertForged(AuditRecord forged) throws SQLException {
        asAttacker(c -> {
            update(c, "UPDATE audit_record SET sequence = sequence + 1000000 WHERE chain_id = ?"
                    + " AND sequence >= ?", forged.chainId(), forged.sequence());
            update(c, "UPDATE audit_record SET sequence = sequence - 999999 WHERE chain_id = ?"
                    + " AND sequence >= 1000000", forged.chainId());
            PostgresAuditStore.insertRow(c, forged);
        });
    }

    @Test
    void anUpdateIsRefusedEvenForTheTablesOwner() {
        store.appendAll(TestEvents.entries(TOPIC, 0, 2));

        assertThatThrownBy(() -> execute(DATABASE.user(), DATABASE.password(),
                "UPDATE audit_record SET agent_id = 'x'")).isInstanceOf(SQLException.class)
                .hasMessageContaining("audit_record is append-only: UPDATE refused");
        assertThatThrownBy(() -> execute(DATABASE.user(), DATABASE.password(),
                "DELETE FROM audit_record")).hasMessageContaining("DELETE refused");
        assertThatThrownBy(() -> execute(DATABASE.user(), DATABASE.password(),
                "TRUNCATE audit_record")).hasMessageContaining("TRUNCATE refused");
        assertThat(store.count()).isEqualTo(2);
    }

    @Test
    void replicationModeDoesNotSwitchTheGuardOff() throws SQLException {
        store.appendAll(TestEvents.entries(TOPIC, 0, 2));

        try (Connection connection = dataSource.getConnection();
                Statement statement = connection
                        .createStatement()) {
            try {
                statement.execute("SET session_replication_role = replica");
            } catch (SQLException notPermitted) {
                // Only superusers may; either way the UPDATE below must fail.
            }
            assertThatThrownBy(() -> statement.executeUpdate(
                    "UPDATE audit_record SET agent_id = 'x'")).isInstanceOf(SQLException.class);
        }
        assertThat(store.count()).isEqualTo(2);
    }

    @Test
    void theSinksWriterRoleMayOnlyInsertAndSelect() throws SQLException {
        String login = KafkaTestBroker.uniqueName("tg_audit_sink").replace('-', '_');
        try (Connection connection = DATABASE.connect();
                Statement statement = connection
                        .createStatement()) {
            statement.execute("CREATE ROLE " + login + " LOGIN PASSWORD 'sink-pw'");
            statement.execute("GRANT " + PostgresMigrations.DEFAULT_WRITER_ROLE + " TO " + login);
        }
        try {
            AuditStore asSink = new PostgresAuditStore(dataSource(url, login, "sink-pw"));

            asSink.appendAll(TestEvents.entries(TOPIC, 0, 3));

            assertThat(asSink.count()).isEqualTo(3);
            assertThat(asSink.heads()).hasSize(1);
            assertThatThrownBy(() -> execute(login, "sink-pw",
                    "UPDATE audit_record SET agent_id = 'x'")).hasMessageContaining(
                            "permission denied");
            assertThatThrownBy(() -> execute(login, "sink-pw", "DELETE FROM audit_record"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> execute(login, "sink-pw", "TRUNCATE audit_record"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> execute(login, "sink-pw",
                    "ALTER TABLE audit_record DISABLE TRIGGER USER")).hasMessageContaining(
                            "must be owner");
        } finally {
            try (Connection connection = DATABASE.connect();
                    Statement statement = connection
                            .createStatement()) {
                statement.execute("DROP ROLE " + login);
            }
        }
    }

    @Test
    void migratingTwiceChangesNothing() {
        store.appendAll(TestEvents.entries(TOPIC, 0, 2));

        var result = PostgresMigrations.migrate(dataSource);

        assertThat(result.migrationsExecuted).isZero();
        assertThat(store.count()).isEqualTo(2);
    }

    @Test
    void aStoreFromBeforeClustersWereRecordedUpgradesAndKeepsVerifying() throws SQLException {
        String oldUrl = freshSchemaUrl("audit_v2");
        PGSimpleDataSource old = dataSource(oldUrl, DATABASE.user(), DATABASE.password());
        org.flywaydb.core.Flyway.configure().dataSource(old).locations("classpath:db/audit")
                .table("audit_schema_history").placeholders(java.util.Map.of("writerRole",
                        PostgresMigrations.DEFAULT_WRITER_ROLE, "prunerRole",
                        PostgresMigrations.DEFAULT_PRUNER_ROLE, "readerRole",
                        PostgresMigrations.DEFAULT_READER_ROLE))
                .target("2").load().migrate();
        // what the sink of schema version 2 wrote: version-1 records, no cluster column
        List<AuditEntry> before = TestEvents.entries(TOPIC, 0, 4, null, "old");
        java.util.Optional<dev.tollgate.audit.core.ChainHead> head = java.util.Optional.empty();
        try (Connection connection = old.getConnection();
                PreparedStatement insert = connection
                        .prepareStatement("INSERT INTO audit_record (chain_id, sequence, event_id,"
                                + " event_type, source_topic, source_partition, source_offset,"
                                + " source_timestamp, occurred_at, context, previous_hash, hash)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (AuditEntry entry : before.subList(0, 2)) {
                AuditRecord record = AuditChain.append(head, new AuditEntry(entry.eventId(),
                        entry.eventType(), entry.source(), entry.occurredAt(), null, null, null,
                        null, null, null, null, null, null, null, null, null, entry
                                .contextJson()));
                insert.setString(1, record.chainId());
                insert.setLong(2, record.sequence());
                insert.setString(3, record.eventId());
                insert.setString(4, entry.eventType());
                insert.setString(5, TOPIC);
                insert.setInt(6, 0);
                insert.setLong(7, record.sourceOffset());
                insert.setObject(8, java.time.OffsetDateTime.ofInstant(entry.source()
                        .timestamp(), java.time.ZoneOffset.UTC));
                insert.setObject(9, java.time.OffsetDateTime.ofInstant(entry.occurredAt(),
                        java.time.ZoneOffset.UTC));
                insert.setString(10, entry.contextJson());
                insert.setString(11, record.previousHash());
                insert.setString(12, record.hash());
                insert.executeUpdate();
                head = java.util.Optional.of(AuditChain.headOf(record));
            }
        }
        AuditStore upgradedSink = new PostgresAuditStore(old);
        List<AuditEntry> after = TestEvents.entries(TOPIC, 0, 4, "clusterAAAAAAAAAAAAAAAA",
                "old").subList(2, 4);

        // a new sink on the old schema says what to do, and stores nothing
        assertThatThrownBy(() -> upgradedSink.appendAll(after)).hasMessageContaining(
                "run `audit migrate` as the schema owner");
        var migrated = PostgresMigrations.migrate(old);
        upgradedSink.appendAll(after);

        // V3 (clusters), V4 (retention), V5 (the readers' group) and V6 (the chains' lock rows,
        // one for the chain written before)
        assertThat(migrated.migrationsExecuted).isEqualTo(4);
        try (Connection connection = old.getConnection();
                Statement statement = connection.createStatement();
                java.sql.ResultSet rows = statement.executeQuery(
                        "SELECT string_agg(chain_id, ',') FROM audit_chain_lock")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo(CHAIN);
        }
        List<AuditRecord> chain = readChain(upgradedSink, CHAIN);
        assertThat(chain).extracting(r -> r.entry().source().cluster()).containsExactly(null,
                null, "clusterAAAAAAAAAAAAAAAA", "clusterAAAAAAAAAAAAAAAA");
        assertThat(new dev.tollgate.audit.core.StoreVerifier(java.time.Clock.systemUTC(), 100)
                .verify(upgradedSink, dev.tollgate.audit.core.StoreVerifier.Progress.NONE)
                .breaks()).isEmpty();
    }

    private void execute(String user, String password, String sql) throws SQLException {
        try (Connection connection = dataSource(url, user, password).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
