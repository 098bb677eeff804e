package dev.tollgate.audit.embedded;

import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.kafka.AbstractSourceResetKafkaTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedSourceResetKafkaTest extends AbstractSourceResetKafkaTest {

    @TempDir
    Path dir;

    @Override
    protected List<String> storeArguments() {
        return List.of("--tollgate.audit.store=embedded", "--tollgate.audit.embedded.dir=" + dir);
    }

    @Override
    protected Supplier<AuditStore> reader() {
        return () -> Files.isDirectory(dir.resolve("chains"))
                ? EmbeddedAuditStore.openReadOnly(dir)
                : null;
    }

    @Override
    protected List<String> verifyArguments() {
        return List.of("--store", "embedded", "--dir", dir.toString());
    }
}
