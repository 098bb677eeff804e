package dev.tollgate.audit.postgres;

import dev.tollgate.audit.core.AuditStoreException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;

/**
 * What a login may do to {@code audit_record} beyond reading it: the commands that only check the
 * record ({@code audit verify}, {@code audit export}) warn when the login they were given could
 * change it, since whoever holds that password could then add records that verify.
 *
 * <p>Counted: {@code INSERT}, {@code UPDATE} (on the table or on any column: the pruner's), {@code
 * DELETE} and {@code TRUNCATE} held by the login itself, through a group it inherits from, or
 * through any role it may {@code SET ROLE} to (a {@code NOINHERIT} member of the writer group can
 * still append); and owning the table (an owner can switch the append-only trigger off). A
 * superuser holds them all. No table (an unmigrated schema) means nothing to warn about: reading
 * then fails on its own.
 *
 * @param login the role the server says the session runs as ({@code current_user})
 * @param changes the write privileges it holds, in the order INSERT, UPDATE, DELETE, TRUNCATE
 * @param owns whether it owns the table (or may become a role that does)
 */
public record LoginPrivileges(String login, List<String> changes, boolean owns) {

    private static final String QUERY = """
            SELECT current_user,
                   ARRAY(SELECT p FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'])
                             WITH ORDINALITY AS privilege(p, n)
                         WHERE t.oid IS NOT NULL AND EXISTS (
                             SELECT 1 FROM pg_roles r
                             WHERE pg_has_role(current_user, r.oid, 'MEMBER')
                               AND CASE WHEN p IN ('INSERT', 'UPDATE')
                                        THEN has_any_column_privilege(r.oid, t.oid, p)
                                        ELSE has_table_privilege(r.oid, t.oid, p) END)
                         ORDER BY n),
                   coalesce((SELECT pg_has_role(current_user, c.relowner, 'MEMBER')
                             FROM pg_class c WHERE c.oid = t.oid), false)
            FROM (SELECT coalesce(to_regclass('audit_record')::oid, (
                      -- not visible: a schema it may not use by itself (a NOINHERIT member of a
                      -- group that may), so look the search path up in the catalogue
                      SELECT c.oid FROM pg_class c
                      JOIN pg_namespace ns ON ns.oid = c.relnamespace
                      JOIN unnest(string_to_array(current_setting('search_path'), ','))
                           WITH ORDINALITY AS path(name, position)
                        ON ns.nspname = btrim(btrim(path.name), '"')
                      WHERE c.relname = 'audit_record'
                      ORDER BY path.position LIMIT 1)) AS oid) t
            """;

    public LoginPrivileges {
        changes = List.copyOf(changes);
    }

    /** Asks the server, as the login of {@code dataSource}. */
    public static LoginPrivileges of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(QUERY)) {
            row.next();
            Array held = row.getArray(2);
            List<String> changes = new ArrayList<>(Arrays.asList((String[]) held.getArray()));
            return new LoginPrivileges(row.getString(1), changes, row.getBoolean(3));
        } catch (SQLException e) {
            throw new AuditStoreException("reading the audit store failed: " + e.getMessage(),
                    e);
        }
    }

    /** The login may only read the record. */
    public boolean readOnly() {
        return changes.isEmpty() && !owns;
    }

    /** {@code may INSERT, UPDATE on audit_record and owns it}, for the warning. */
    public String describe() {
        if (changes.isEmpty()) {
            return owns ? "owns audit_record" : "may only read audit_record";
        }
        return "may " + String.join(", ", changes) + " on audit_record" + (owns
                ? " and owns it"
                : "");
    }
}
