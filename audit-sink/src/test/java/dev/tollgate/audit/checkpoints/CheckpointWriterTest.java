package dev.tollgate.audit.checkpoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.Checkpoint;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.runtime.PeriodicTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink signs the heads while it runs and once more as it stops, and nothing else. */
class CheckpointWriterTest {

    @TempDir
    Path dir;

    @Test
    void theLastHeadsAreSignedWhenTheSinkStopsAndEveryCheckpointVerifies() throws Exception {
        KeyPair keys = CheckpointKeys.generate();
        Path file = dir.resolve("out/checkpoints.jsonl");
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir.resolve("store"))) {
            CheckpointWriter writer = new CheckpointWriter(store, keys.getPrivate(), file, Clock
                    .systemUTC());
            PeriodicTask schedule = new PeriodicTask("audit-checkpoints", Duration.ofHours(1),
                    "tollgate.audit.checkpoints.interval", writer::checkpoint);
            schedule.start();
            assertThat(schedule.isRunning()).isTrue();
            store.appendAll(TestEvents.entries("gateway.requests", 0, 4));

            schedule.stop();

            assertThat(schedule.isRunning()).isFalse();
            List<Checkpoint> written = CheckpointWriter.read(file);
            assertThat(written).as("one checkpoint, written at stop").hasSize(1);
            assertThat(written.getFirst().heads()).isEqualTo(store.heads());
            assertThat(written.getFirst().verifies(keys.getPublic())).isTrue();
            assertThat(written.getFirst().verifies(CheckpointKeys.generate().getPublic()))
                    .isFalse();
        }
    }

    @Test
    void anEmptyStoreIsNotCheckpointedAndAZeroIntervalIsRefused() throws Exception {
        Path file = dir.resolve("checkpoints.jsonl");
        try (EmbeddedAuditStore store = EmbeddedAuditStore.open(dir.resolve("empty"))) {
            CheckpointWriter writer = new CheckpointWriter(store, CheckpointKeys.generate()
                    .getPrivate(), file, Clock.systemUTC());
            assertThat(writer.checkpoint()).isEmpty();
            assertThat(Files.exists(file)).isFalse();
            assertThatThrownBy(() -> new PeriodicTask("audit-checkpoints", Duration.ZERO,
                    "tollgate.audit.checkpoints.interval", writer::checkpoint))
                    .hasMessageContaining("tollgate.audit.checkpoints.interval must be positive");
        }
    }

    @Test
    void aPrivateKeyFileEveryoneCanWriteIsRefused() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), CheckpointKeys.pem(CheckpointKeys
                .generate().getPrivate()));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions
                .fromString("rw-rw-rw-"));

        assertThatThrownBy(() -> CheckpointKeys.privateKey(key)).hasMessageContaining(
                "lets every user replace the secret");
        Path notAKey = Files.writeString(dir.resolve("not-a-key.pem"), "hello");
        Files.setPosixFilePermissions(notAKey, java.nio.file.attribute.PosixFilePermissions
                .fromString("rw-------"));
        assertThatThrownBy(() -> CheckpointKeys.privateKey(notAKey)).hasMessageContaining(
                "no -----BEGIN PRIVATE KEY----- block");
    }
}
