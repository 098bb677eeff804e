package dev.tollgate.audit;

import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.audit.postgres.PostgresAuditStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Which store a command reads or writes: {@code --store postgres --jdbc-url URL [--user U]
 * [--password-file F]} or {@code --store embedded --dir DIR}. The user and password may also come
 * from {@code TOLLGATE_AUDIT_POSTGRES_USER} and {@code TOLLGATE_AUDIT_POSTGRES_PASSWORD} (or
 * {@code TOLLGATE_AUDIT_POSTGRES_PASSWORD_FILE}); a password is never taken on the command line,
 * where other users could read it.
 */
record StoreOptions(String kind, String jdbcUrl, String user, String password, Path dir) {

    /** The store named by a command's options; blank values count as absent. */
    static StoreOptions from(String store, String jdbcUrl, String user, String passwordFile,
            String dir, Map<String, String> env) {
        String kind = present(store).orElseThrow(() -> new UsageException(
                "--store is missing: give --store postgres --jdbc-url URL, or --store embedded"
                        + " --dir DIR"));
        return switch (kind) {
            case "postgres" -> {
                String url = present(jdbcUrl).orElseThrow(() -> new UsageException(
                        "--store postgres needs --jdbc-url jdbc:postgresql://HOST:5432/DB"));
                if (!url.startsWith("jdbc:postgresql:")) {
                    throw new UsageException("--jdbc-url must start with jdbc:postgresql:");
                }
                String login = present(user).orElse(env.get("TOLLGATE_AUDIT_POSTGRES_USER"));
                String password = present(passwordFile).map(StoreOptions::readSecret)
                        .orElseGet(() -> secretFromEnv(env));
                yield new StoreOptions(kind, url, login, password, null);
            }
            case "embedded" -> new StoreOptions(kind, null, null, null, Path.of(present(dir)
                    .orElseThrow(() -> new UsageException("--store embedded needs --dir DIR (the"
                            + " sink's tollgate.audit.embedded.dir)"))));
            default -> throw new UsageException("--store " + kind
                    + " is not a store: use postgres or embedded");
        };
    }

    private static Optional<String> present(String value) {
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    private static String secretFromEnv(Map<String, String> env) {
        String file = env.get("TOLLGATE_AUDIT_POSTGRES_PASSWORD_FILE");
        if (file != null && !file.isBlank()) {
            return readSecret(file);
        }
        return env.get("TOLLGATE_AUDIT_POSTGRES_PASSWORD");
    }

    private static String readSecret(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UsageException("cannot read the password file " + file + ": " + e
                    .getMessage());
        }
    }

    /** Opens the store for reading (the embedded one without taking its writer lock). */
    AuditStore openForReading() {
        return kind.equals("postgres")
                ? new PostgresAuditStore(dataSource())
                : EmbeddedAuditStore.openReadOnly(dir);
    }

    /** Opens the store for appending. */
    AuditStore openForWriting() {
        return kind.equals("postgres")
                ? new PostgresAuditStore(dataSource())
                : EmbeddedAuditStore.open(dir);
    }

    PGSimpleDataSource dataSource() {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(jdbcUrl);
        if (user != null) {
            source.setUser(user);
        }
        if (password != null) {
            source.setPassword(password);
        }
        return source;
    }

    /** Where the store is, without credentials. */
    String describe() {
        if (kind.equals("embedded")) {
            return "embedded store " + dir;
        }
        int query = jdbcUrl.indexOf('?');
        return "postgres " + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query));
    }
}
