package dev.tollgate.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * compose/postgres/init.sh, run for real against the machine's PostgreSQL as its superuser (what
 * the postgres image does on a new volume): it creates logins whose passwords work, and no
 * password is ever on psql's command line (any process in the container reads
 * /proc/PID/cmdline), in its environment, in the script it is fed, or in anything it prints. The
 * reader's login takes at most 4 sessions, and no login may create temporary tables in the
 * database.
 *
 * <p>What is changed for the run: the script is copied with {@code /run/secrets/} pointing at
 * this test's stand-in secret files and the roles' {@code tollgate_} prefix made unique, and it
 * runs in a database of its own (all dropped after); {@code psql} on its path is a wrapper that
 * records its arguments, environment and input and runs the real psql as the {@code postgres}
 * user over the local socket. Runs only as root with that user able to log in by peer (as on
 * these machines and in .ci/run); skipped otherwise.
 */
class InitScriptTest {

    private static final String PSQL = "/usr/bin/psql";
    private static final List<String> SECRETS = List.of("audit_owner_password",
            "audit_sink_password", "audit_reader_password", "executor_password");

    @TempDir
    Path dir;

    private final String id = "tgi" + UUID.randomUUID().toString().substring(0, 8) + "_";
    private final String database = id + "db";
    private boolean local;

    @BeforeEach
    void aLocalSuperuser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PSQL)), "no " + PSQL);
        String answer;
        try {
            answer = superuser("SELECT 1").strip();
        } catch (IllegalStateException e) {
            answer = e.getMessage();
        }
        Assumptions.assumeTrue("1".equals(answer), "runuser -u postgres -- psql does not"
                + " answer as the superuser here: " + answer);
        local = true;
    }

    @AfterEach
    void dropDatabaseAndRoles() throws Exception {
        if (local) {
            superuser("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            superuser("SELECT format('DROP ROLE %I', rolname) FROM pg_roles WHERE rolname LIKE '"
                    + id + "%' \\gexec");
        }
    }

    @Test
    void passwordsStayOffEveryCommandLineAndTheReaderIsLimited() throws Exception {
        Map<String, String> passwords = new LinkedHashMap<>();
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        SecureRandom random = new SecureRandom();
        for (String secret : SECRETS) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            passwords.put(secret, "pw" + HexFormat.of().formatHex(bytes));
            Files.writeString(secrets.resolve(secret), passwords.get(secret) + "\n");
            Files.setPosixFilePermissions(secrets.resolve(secret), PosixFilePermissions
                    .fromString("rw-r--r--"));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path wrapper = bin.resolve("psql");
        Files.writeString(wrapper, "#!/bin/sh\n"
                + "printf '%s\\n' \"$@\" > '" + dir.resolve("argv") + "'\n"
                + "env > '" + dir.resolve("env") + "'\n"
                + "tee '" + dir.resolve("stdin") + "' | runuser -u postgres -- " + PSQL
                + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = dir.resolve("init.sh");
        Files.writeString(script, AuditRoles.script().replace("/run/secrets/", secrets + "/")
                .replace("tollgate_", id));
        superuser("CREATE DATABASE " + database);

        ProcessBuilder init = new ProcessBuilder("sh", script.toString()).redirectErrorStream(
                true).redirectOutput(dir.resolve("output").toFile());
        init.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        init.environment().put("POSTGRES_USER", "postgres");
        init.environment().put("POSTGRES_DB", database);
        Process process = init.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        String output = Files.readString(dir.resolve("output"));
        if (!ended) {
            process.destroyForcibly();
        }

        assertThat(ended).as("init.sh ended; its output so far:%n%s", output).isTrue();
        assertThat(process.exitValue()).as("init.sh's exit status; output:%n%s", output).isZero();
        assertThat(Files.readString(dir.resolve("argv"))).as("psql's arguments").contains(
                "ON_ERROR_STOP=1");
        for (String seen : List.of("argv", "env", "stdin", "output")) {
            String text = Files.readString(dir.resolve(seen), StandardCharsets.UTF_8);
            assertThat(passwords.values()).as("passwords in psql's " + seen + ":%n%s", text)
                    .noneMatch(text::contains);
        }
        assertThat(login(id + "audit_owner", passwords.get("audit_owner_password"))).isEqualTo(
                id + "audit_owner");
        assertThat(login(id + "audit_sink", passwords.get("audit_sink_password"))).isEqualTo(
                id + "audit_sink");
        assertThat(login(id + "audit_reader", passwords.get("audit_reader_password")))
                .isEqualTo(id + "audit_reader");
        assertThat(login(id + "executor", passwords.get("executor_password"))).isEqualTo(id
                + "executor");
        assertThat(superuser("SELECT rolconnlimit FROM pg_roles WHERE rolname = '" + id
                + "audit_reader'").strip()).as("the reader's CONNECTION LIMIT").isEqualTo("4");
        Throwable temporary = catchThrowable(() -> {
            try (Connection connection = connect(id + "audit_reader", passwords.get(
                    "audit_reader_password"));
                    Statement sql = connection.createStatement()) {
                sql.execute("CREATE TEMPORARY TABLE taken (x int)");
            }
        });
        assertThat(temporary).as("the reader creating a temporary table").hasMessageContaining(
                "permission denied to create temporary tables");
    }

    private String login(String user, String password) throws SQLException {
        try (Connection connection = connect(user, password);
                Statement sql = connection.createStatement();
                ResultSet row = sql.executeQuery("SELECT current_user")) {
            row.next();
            return row.getString(1);
        }
    }

    private Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, user,
                password);
    }

    /** {@code sql} as the server's superuser (psql over the local socket); psql's output. */
    private static String superuser(String sql) throws IOException, InterruptedException {
        Process psql;
        try {
            psql = new ProcessBuilder("runuser", "-u", "postgres", "--", PSQL, "-X", "-A", "-t",
                    "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres").redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return "runuser failed: " + e.getMessage();
        }
        psql.getOutputStream().write((sql + "\n").getBytes(StandardCharsets.UTF_8));
        psql.getOutputStream().close();
        String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!psql.waitFor(2, TimeUnit.MINUTES)) {
            psql.destroyForcibly();
            return "psql did not end: " + output;
        }
        if (psql.exitValue() != 0) {
            throw new IllegalStateException(sql + ": " + output);
        }
        return output;
    }
}
