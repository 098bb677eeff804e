package dev.tollgate.compose;

import dev.tollgate.audit.postgres.PostgresMigrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit store's roles as compose/postgres/init.sh creates them: the schema's owner (who
 * migrates), the sink's login, a member of the writer group, and the login that checks the record,
 * a member of the readers' group; both groups NOLOGIN and named as the migration that grants them
 * names them (the writer SELECT and INSERT, the readers SELECT only). audit-sink's
 * SinkLoginCannotRewriteTheRecordTest and ReaderLoginOnlyReadsTheRecordTest show against
 * PostgreSQL what this layout allows.
 */
record AuditRoles(String owner, String sink, String writer, String reader, String readers,
        String schema) {

    private static final Pattern SCHEMA = Pattern.compile(
            "CREATE SCHEMA (\\w+) AUTHORIZATION (\\w+);");
    private static final Pattern LOGIN_IN_GROUP = Pattern.compile(
            "CREATE ROLE (\\w+) LOGIN (?:CONNECTION LIMIT \\d+ )?PASSWORD :'(\\w+)' IN ROLE (\\w+);");

    static String script() {
        try {
            return Files.readString(RoleSettings.repository().resolve(
                    "compose/postgres/init.sh"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AuditRoles fromInitScript() {
        String script = script();
        Matcher schema = SCHEMA.matcher(script);
        if (!schema.find() || !schema.group(1).equals("audit")) {
            throw new AssertionError("init.sh creates no schema audit with an owner: " + script);
        }
        Map<String, String> loginOfGroup = new LinkedHashMap<>();
        Matcher login = LOGIN_IN_GROUP.matcher(script);
        while (login.find()) {
            if (loginOfGroup.put(login.group(3), login.group(1)) != null) {
                throw new AssertionError("init.sh puts two logins into " + login.group(3));
            }
        }
        String writer = PostgresMigrations.DEFAULT_WRITER_ROLE;
        String readers = PostgresMigrations.DEFAULT_READER_ROLE;
        for (String group : new String[]{writer, readers}) {
            if (!loginOfGroup.containsKey(group)) {
                throw new AssertionError("init.sh creates no login in " + group
                        + " (the group the migration grants): " + script);
            }
            if (!script.contains("CREATE ROLE " + group + " NOLOGIN;")) {
                throw new AssertionError("init.sh: the group " + group
                        + " is not a NOLOGIN role");
            }
        }
        return new AuditRoles(schema.group(2), loginOfGroup.get(writer), writer, loginOfGroup
                .get(readers), readers, schema.group(1));
    }

    /** The psql variable init.sh sets {@code login}'s password from. */
    static String passwordVariable(String login) {
        Matcher matcher = LOGIN_IN_GROUP.matcher(script());
        while (matcher.find()) {
            if (matcher.group(1).equals(login)) {
                return matcher.group(2);
            }
        }
        throw new AssertionError("init.sh creates no login " + login);
    }
}
