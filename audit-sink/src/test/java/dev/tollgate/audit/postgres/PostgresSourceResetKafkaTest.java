package dev.tollgate.audit.postgres;

import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.kafka.AbstractSourceResetKafkaTest;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class PostgresSourceResetKafkaTest extends AbstractSourceResetKafkaTest {

    private static final PostgresTestDatabase DATABASE = PostgresTestDatabase.fromEnvironment();

    @TempDir
    Path dir;

    private String url;
    private Path passwordFile;

    @BeforeEach
    void freshSchema() throws IOException {
        url = DATABASE.freshSchemaUrl("audit_reset");
        PostgresMigrations.migrate(PostgresAuditStoreTest.dataSource(url, DATABASE.user(),
                DATABASE.password()));
        passwordFile = Files.writeString(dir.resolve("pw"), DATABASE.password());
    }

    @Override
    protected List<String> storeArguments() {
        return List.of("--tollgate.audit.store=postgres", "--tollgate.audit.postgres.url=" + url,
                "--tollgate.audit.postgres.user=" + DATABASE.user(),
                "--tollgate.audit.postgres.password-file=" + passwordFile);
    }

    @Override
    protected Supplier<AuditStore> reader() {
        return () -> new PostgresAuditStore(PostgresAuditStoreTest.dataSource(url, DATABASE
                .user(), DATABASE.password()));
    }

    @Override
    protected List<String> verifyArguments() {
        return List.of("--store", "postgres", "--jdbc-url", url, "--user", DATABASE.user(),
                "--password-file", passwordFile.toString());
    }
}
