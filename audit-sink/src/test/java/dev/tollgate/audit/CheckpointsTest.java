package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.checkpoints.CheckpointKeys;
import dev.tollgate.audit.checkpoints.CheckpointWriter;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.Checkpoint;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints against an owner of the store who rewrites or cuts off a chain's suffix and
 * recomputes the hashes: plain {@code audit verify} passes such a store (its chains link up), and
 * {@code audit verify --checkpoints} catches it; a forged checkpoint does not verify. Real
 * embedded stores; the sink's writer signs with a key read from a PEM file.
 */
class CheckpointsTest {

    private static final String REQUESTS = "gateway.requests";

    @TempDir
    Path dir;

    private final KeyPair keys = CheckpointKeys.generate();
    private Path privateKey;
    private Path publicKey;
    private Path checkpoints;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void keys() throws IOException {
        privateKey = Files.writeString(dir.resolve("checkpoint-key.pem"), CheckpointKeys.pem(keys
                .getPrivate()));
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        publicKey = Files.writeString(dir.resolve("checkpoint-key.pub.pem"), CheckpointKeys.pem(
                keys.getPublic()));
        checkpoints = dir.resolve("checkpoints.jsonl");
    }

    private int verify(Path store, String... more) {
        out.reset();
        List<String> args = new java.util.ArrayList<>(List.of("verify", "--store", "embedded",
                "--dir", store.toString()));
        args.addAll(List.of(more));
        return new AuditCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), Clock.systemUTC(),
                Map
                        .of())
                .run(args.toArray(String[]::new));
    }

    private int verifyWithCheckpoints(Path store) {
        return verify(store, "--checkpoints", checkpoints.toString(), "--public-key", publicKey
                .toString());
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The sink's store: 5 requests and 3 results, a checkpoint, 2 more requests, a checkpoint. */
    private Path signedStore() {
        Path store = dir.resolve("store");
        List<AuditEntry> requests = TestEvents.entries(REQUESTS, 0, 7);
        try (EmbeddedAuditStore audit = EmbeddedAuditStore.open(store)) {
            CheckpointWriter writer = new CheckpointWriter(audit, CheckpointKeys.privateKey(
                    privateKey), checkpoints, Clock.systemUTC());
            audit.appendAll(requests.subList(0, 5));
            audit.appendAll(TestEvents.entries("gateway.results", 1, 3));
            assertThat(writer.checkpoint()).isPresent();
            assertThat(writer.checkpoint()).as("the heads did not move").isEmpty();
            audit.appendAll(requests.subList(5, 7));
            assertThat(writer.checkpoint()).isPresent();
        }
        return store;
    }

    /** The sink's requests cut after the 6th record, and its results if {@code results}. */
    private Path truncatedStore(String name, boolean results) {
        Path store = dir.resolve(name);
        try (EmbeddedAuditStore audit = EmbeddedAuditStore.open(store)) {
            audit.appendAll(TestEvents.entries(REQUESTS, 0, 7).subList(0, 6));
            if (results) {
                audit.appendAll(TestEvents.entries("gateway.results", 1, 3));
            }
        }
        return store;
    }

    @Test
    void theSinksOwnStorePassesItsCheckpoints() throws IOException {
        Path store = signedStore();

        assertThat(Files.readAllLines(checkpoints)).hasSize(2).allMatch(line -> line.startsWith(
                "{\"format\":\"tollgate.audit.checkpoint/1\""));
        assertThat(verifyWithCheckpoints(store)).as(out()).isZero();
        assertThat(out()).contains("checkpoints OK: 2 signed checkpoint(s)");
    }

    @Test
    void aRewrittenSuffixWithRecomputedHashesPassesPlainVerifyButNotTheCheckpoints() {
        signedStore();
        // the owner rebuilds the chain: the first 3 records kept, the rest replaced, all linked
        Path rewritten = dir.resolve("rewritten");
        try (EmbeddedAuditStore audit = EmbeddedAuditStore.open(rewritten)) {
            audit.appendAll(TestEvents.entries(REQUESTS, 0, 7).subList(0, 3));
            audit.appendAll(TestEvents.entries(REQUESTS, 0, 7, null, "forged").subList(3, 7));
            audit.appendAll(TestEvents.entries("gateway.results", 1, 3));
        }

        assertThat(verify(rewritten)).as("plain verify: " + out()).isZero();
        assertThat(verifyWithCheckpoints(rewritten)).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("CHECKPOINT REWRITTEN (checkpoint 1) gateway.requests-0#5")
                .contains("CHECKPOINT REWRITTEN (checkpoint 2) gateway.requests-0#7").contains(
                        "checkpoints FAILED: 2 finding(s)");
    }

    @Test
    void aTruncatedChainIsCaughtBackToTheCheckpointThatSawItLonger() {
        signedStore();
        Path truncated = truncatedStore("truncated", false);

        assertThat(verify(truncated)).isZero();
        assertThat(verifyWithCheckpoints(truncated)).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("TRUNCATED (checkpoint 2) gateway.requests-0#7: the chain has 6"
                + " records").contains("MISSING (checkpoint 1) gateway.results-1#3").doesNotContain(
                        "TRUNCATED (checkpoint 1)");
    }

    @Test
    void aCheckpointSignedWithAnotherKeyOrAlteredDoesNotVerify() throws IOException {
        Path store = signedStore();
        List<String> lines = Files.readAllLines(checkpoints);
        Checkpoint genuine = Checkpoint.parse(lines.get(1));
        Checkpoint forged = Checkpoint.sign(Instant.now(), genuine.heads(), CheckpointKeys
                .generate().getPrivate());
        String altered = lines.get(0).replaceFirst("\"sequence\":5", "\"sequence\":4");
        Files.write(checkpoints, List.of(altered, forged.toJsonLine()));

        assertThat(verifyWithCheckpoints(store)).isEqualTo(AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("BAD_SIGNATURE (checkpoint 1)").contains(
                "BAD_SIGNATURE (checkpoint 2)");
    }

    @Test
    void jsonOutputCarriesTheCheckpointFindings() {
        signedStore();
        Path truncated = truncatedStore("truncated-json", true);

        assertThat(verify(truncated, "--json", "--checkpoints", checkpoints.toString(),
                "--public-key", publicKey.toString())).isEqualTo(
                        AuditCommand.VERIFICATION_FAILED);
        assertThat(out()).contains("\"ok\":false").contains("\"checkpoints\":{\"ok\":false,"
                + "\"count\":2").contains("\"kind\":\"TRUNCATED\"");
    }

    @Test
    void theCheckpointOptionsGoTogether() {
        assertThat(verify(dir, "--checkpoints", "x.jsonl")).isEqualTo(2);
    }
}
