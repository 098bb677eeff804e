package dev.tollgate.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The real PostgreSQL server the tests use (127.0.0.1:5432 on these machines; {@code .ci/run}
 * starts it and creates the role and database). Each caller gets a fresh schema of its own.
 *
 * <p>Settings: {@code TOLLGATE_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/tollgate_test}), {@code TOLLGATE_TEST_PG_USER} (default
 * {@code tollgate}), {@code TOLLGATE_TEST_PG_PASSWORD} (default {@code tollgate}).
 */
public final class PostgresTestDatabase {

    private final String url;
    private final String user;
    private final String password;

    private PostgresTestDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    public static PostgresTestDatabase fromEnvironment() {
        return new PostgresTestDatabase(
                env("TOLLGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/tollgate_test"),
                env("TOLLGATE_TEST_PG_USER", "tollgate"),
                env("TOLLGATE_TEST_PG_PASSWORD", "tollgate"));
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
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
        String schema = KafkaTestBroker.uniqueName(prefix).replace('-', '_').toLowerCase();
        try (Connection connection = connect();
                Statement statement = connection
                        .createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url + " is not usable as "
                    + user + " (start it with `pg_ctlcluster 15 main start`; .ci/run creates the "
                    + "role and database): " + e.getMessage(), e);
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        return DriverManager.getConnection(url, props);
    }
}
