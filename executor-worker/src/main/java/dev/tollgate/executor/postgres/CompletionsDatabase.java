package dev.tollgate.executor.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.executor.core.JdbcCompletionStore;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The executor fleet's PostgreSQL completion record, as deployments open it: a HikariCP pool (a
 * connection per call, each authenticated, was the cost of every call before) and the tables
 * created or upgraded by Flyway ({@code classpath:db/executor}, history in
 * {@code executor_schema_history}) in the connection's current schema.
 */
public final class CompletionsDatabase {

    /** Connections the pool keeps at most, unless configured otherwise. */
    public static final int DEFAULT_POOL_SIZE = 8;
    /** How the pool's connections name themselves in {@code pg_stat_activity}. */
    public static final String APPLICATION_NAME = "tollgate-executor";
    /** How long a starting executor waits for the database (it may be starting too). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private CompletionsDatabase() {
    }

    /**
     * Opens the pool, migrates the tables and returns the store, which closes the pool when it
     * is closed. Fails at start, naming the URL (never the password), when the database cannot be
     * reached.
     */
    public static JdbcCompletionStore open(String url, String user, String password,
            int poolSize, Clock clock) {
        return open(url, user, password, poolSize, clock, APPLICATION_NAME, START_TIMEOUT);
    }

    /**
     * As {@link #open(String, String, String, int, Clock)}, seen by PostgreSQL as
     * {@code applicationName}, waiting at most {@code startTimeout} for a first connection.
     */
    static JdbcCompletionStore open(String url, String user, String password, int poolSize,
            Clock clock, String applicationName, Duration startTimeout) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("tollgate.executor.completions.pool-size="
                    + poolSize + ": at least 1");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("tollgate-completions");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.addDataSourceProperty("ApplicationName", applicationName);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
        config.setInitializationFailTimeout(startTimeout.toMillis());
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the completion record at " + url + ": "
                    + e.getMessage(), e);
        }
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot create or upgrade the completion record's"
                    + " tables at " + url + ": " + e.getMessage(), e);
        }
        return new JdbcCompletionStore(pool::getConnection, AvroSingleObjectCodec.shared(),
                clock, pool);
    }

    /**
     * Creates or upgrades the tables. A schema holding tables made by executors from before
     * Flyway managed them is baselined at version 0 first, so V1 keeps their rows.
     */
    public static MigrateResult migrate(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/executor")
                .table("executor_schema_history").baselineOnMigrate(true).baselineVersion("0")
                .load().migrate();
    }
}
