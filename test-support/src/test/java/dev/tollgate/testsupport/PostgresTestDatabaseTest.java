package dev.tollgate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Which PostgreSQL the tests get, and that a named one is never silently replaced. */
class PostgresTestDatabaseTest {

    private static final boolean ROOT = runsAsRoot();

    @Test
    void aNamedServerThatDoesNotAnswerFailsNamingItInsteadOfBeingReplaced() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/tollgate_test?password=secret";

        assertThatThrownBy(() -> PostgresTestDatabase.choose(Map.of("TOLLGATE_TEST_PG_URL", url,
                "TOLLGATE_TEST_PG", "embedded")::get, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL at jdbc:postgresql://127.0.0.1:" + port
                        + "/tollgate_test (TOLLGATE_TEST_PG_URL) is not usable as tollgate")
                .hasMessageContaining("unset TOLLGATE_TEST_PG_URL")
                .hasMessageNotContaining("secret");
    }

    @Test
    void asRootAnEmbeddedServerIsRefusedNamingWhatToRunInstead() {
        assertThatThrownBy(() -> PostgresTestDatabase.choose(Map.of("TOLLGATE_TEST_PG",
                "embedded")::get, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL refuses to run as root")
                .hasMessageContaining("run .ci/run");
    }

    @Test
    void anEmbeddedPostgreSql15StartsWithTheRoleAndDatabaseTheTestsUse() throws Exception {
        Assumptions.assumeFalse(ROOT, "PostgreSQL does not run as root: run this test as an"
                + " ordinary user (as root, .ci/run prepares Debian's server instead)");

        PostgresTestDatabase database = PostgresTestDatabase.choose(Map.of("TOLLGATE_TEST_PG",
                "embedded")::get, false);
        String schemaUrl = database.freshSchemaUrl("embedded_check");

        assertThat(database.url()).startsWith("jdbc:postgresql://127.0.0.1:").endsWith(
                "/tollgate_test").doesNotContain(":5432/");
        try (Connection connection = DriverManager.getConnection(schemaUrl, database.user(),
                database.password()); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (id int)");
            statement.execute("CREATE ROLE tg_embedded_check_role"); // the tests create roles
            try (ResultSet version = statement.executeQuery("SHOW server_version")) {
                version.next();
                assertThat(version.getString(1)).startsWith("15.");
            }
            try (ResultSet schema = statement.executeQuery("SELECT current_schema()")) {
                schema.next();
                assertThat(schema.getString(1)).startsWith("embedded_check");
            }
        }
    }

    @Test
    void aFreshSchemaIsDroppedWithWhatItHoldsAndDroppingItAgainIsNothing() throws Exception {
        PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
        String schemaUrl = database.freshSchemaUrl("drop_check");
        String schema;
        try (Connection connection = DriverManager.getConnection(schemaUrl, database.user(),
                database.password()); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (id int)");
            try (ResultSet current = statement.executeQuery("SELECT current_schema()")) {
                current.next();
                schema = current.getString(1);
            }
        }

        database.dropFreshSchema(schemaUrl);
        database.dropFreshSchema(schemaUrl);

        assertThat(schema).startsWith("drop_check_");
        assertThat(database.queryOne("SELECT count(*) FROM pg_namespace WHERE nspname = '"
                + schema + "'")).isEqualTo("0");
        assertThatThrownBy(() -> database.dropFreshSchema(database.url())).hasMessageContaining(
                "no currentSchema");
    }

    private static boolean runsAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"),
                    "unix:uid"));
        } catch (Exception e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
