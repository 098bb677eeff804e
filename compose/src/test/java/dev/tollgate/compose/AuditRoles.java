package dev.tollgate.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit store's roles as compose/postgres/init.sh creates them: the schema's owner (who
 * migrates), and the sink's login, a member of the writer group. audit-sink's
 * SinkLoginCannotRewriteTheRecordTest shows against PostgreSQL what this layout allows.
 */
record AuditRoles(String owner, String sink, String writer, String schema) {

    private static final Pattern SCHEMA = Pattern.compile(
            "CREATE SCHEMA (\\w+) AUTHORIZATION (\\w+);");
    private static final Pattern LOGIN_IN_GROUP = Pattern.compile(
            "CREATE ROLE (\\w+) LOGIN PASSWORD :'\\w+' IN ROLE (\\w+);");

    static AuditRoles fromInitScript() {
        String script;
        try {
            script = Files.readString(RoleSettings.repository().resolve(
                    "compose/postgres/init.sh"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher schema = SCHEMA.matcher(script);
        Matcher sink = LOGIN_IN_GROUP.matcher(script);
        if (!schema.find() || !schema.group(1).equals("audit") || !sink.find()) {
            throw new AssertionError("init.sh creates no schema audit with an owner, or no login"
                    + " role in a group: " + script);
        }
        if (!script.contains("CREATE ROLE " + sink.group(2) + " NOLOGIN;")) {
            throw new AssertionError("init.sh: the sink's group " + sink.group(2)
                    + " is not a NOLOGIN role");
        }
        return new AuditRoles(schema.group(2), sink.group(1), sink.group(2), schema.group(1));
    }
}
