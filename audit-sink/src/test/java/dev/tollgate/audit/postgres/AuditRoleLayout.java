package dev.tollgate.audit.postgres;

import dev.tollgate.testsupport.KafkaTestBroker;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The audit store's roles as {@code compose/postgres/init.sh} creates them, each name unique to
 * the test: the owner (a login that cannot create roles), the writer group and the sink's login in
 * it, the pruner group, the readers' group and a reader's login in it; a schema the owner owns,
 * migrated as the owner ({@code audit migrate}). {@link #close} drops what the test registered and
 * then the layout itself: schemas first, then roles, the test's own before the layout's.
 */
final class AuditRoleLayout implements AutoCloseable {

    static final String OWNER_PASSWORD = "owner-pw";
    static final String SINK_PASSWORD = "sink-pw";
    static final String READER_PASSWORD = "reader-pw";

    /** What makes every name unique to this layout (lower case, {@code _} for {@code -}). */
    final String id;
    final String owner;
    final String writer;
    final String sink;
    final String pruner;
    final String readers;
    final String reader;
    final String schema;
    /** The database's URL with {@link #schema} as the current schema. */
    final String url;

    private final PostgresTestDatabase database;
    private final List<String> schemas = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    AuditRoleLayout(PostgresTestDatabase database) {
        this.database = database;
        id = KafkaTestBroker.uniqueName("").replace('-', '_').toLowerCase(Locale.ROOT);
        owner = "tg_audit_owner" + id;
        writer = "tg_audit_writer" + id;
        sink = "tg_audit_sink" + id;
        pruner = "tg_audit_pruner" + id;
        readers = "tg_audit_readers" + id;
        reader = "tg_audit_reader" + id;
        schema = "audit" + id;
        database.execute("CREATE ROLE " + owner + " LOGIN PASSWORD '" + OWNER_PASSWORD + "'");
        database.execute("CREATE ROLE " + writer + " NOLOGIN");
        database.execute("CREATE ROLE " + sink + " LOGIN PASSWORD '" + SINK_PASSWORD
                + "' IN ROLE " + writer);
        database.execute("CREATE ROLE " + pruner + " NOLOGIN");
        database.execute("CREATE ROLE " + readers + " NOLOGIN");
        database.execute("CREATE ROLE " + reader + " LOGIN PASSWORD '" + READER_PASSWORD
                + "' IN ROLE " + readers);
        roles.addAll(List.of(reader, readers, pruner, sink, writer, owner));
        // the test's role joins the owner only to create and later drop the schema in its name
        database.execute("GRANT " + owner + " TO CURRENT_USER");
        database.execute("CREATE SCHEMA " + schema + " AUTHORIZATION " + owner);
        schemas.add(schema);
        url = database.url() + (database.url().contains("?") ? "&" : "?") + "currentSchema="
                + schema;
        // `audit migrate` as the owner, which cannot create roles (init.sh made them)
        PostgresMigrations.migrate(dataSource(owner, OWNER_PASSWORD), writer, pruner, readers);
    }

    /** A data source logging in to {@link #schema} as {@code login}. */
    PGSimpleDataSource dataSource(String login, String password) {
        return PostgresTestDatabase.dataSource(url, login, password);
    }

    /** Roles the test made, dropped (in this order) before every other role. */
    void dropFirst(String... more) {
        roles.addAll(0, List.of(more));
    }

    /** Another schema the test made, dropped with the layout's. */
    void dropSchema(String more) {
        schemas.add(more);
    }

    @Override
    public void close() {
        for (String each : schemas) {
            database.execute("DROP SCHEMA IF EXISTS " + each + " CASCADE");
        }
        for (String role : roles) {
            database.execute("DROP ROLE IF EXISTS " + role);
        }
    }
}
