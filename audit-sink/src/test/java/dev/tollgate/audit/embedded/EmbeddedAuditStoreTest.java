package dev.tollgate.audit.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.TestEvents;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.AuditStore;
import dev.tollgate.audit.core.AuditStoreException;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainBreak;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.store.AbstractAuditStoreContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedAuditStoreTest extends AbstractAuditStoreContract {

    @TempDir
    Path dir;

    private EmbeddedAuditStore store;

    /** Opens the store under test on {@code dir}; a subclass may give it another index. */
    protected EmbeddedAuditStore openStore(Path dir) {
        return EmbeddedAuditStore.open(dir);
    }

    @BeforeEach
    void open() {
        store = openStore(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected AuditStore store() {
        return store;
    }

    @Override
    protected AuditStore reopen() {
        store.close();
        store = openStore(dir);
        return store;
    }

    @Override
    protected AuditStore secondAppender() {
        // One process owns the files; a second appender is a second thread on the same store.
        return store;
    }

    private Path file(String chainId) {
        return dir.resolve("chains").resolve(chainId + ".jsonl");
    }

    private List<String> lines(String chainId) throws IOException {
        return new ArrayList<>(Files.readAllLines(file(chainId), StandardCharsets.UTF_8));
    }

    private void write(String chainId, List<String> lines) throws IOException {
        Files.write(file(chainId), lines, StandardCharsets.UTF_8);
    }

    @Override
    protected void tamperEditAgent(String chainId, long sequence, String agent)
            throws IOException {
        List<String> lines = lines(chainId);
        int index = (int) sequence - 1;
        lines.set(index, lines.get(index).replaceFirst("\"agentId\":\"[^\"]*\"", "\"agentId\":\""
                + agent + "\""));
        write(chainId, lines);
    }

    @Override
    protected void tamperDelete(String chainId, long sequence) throws IOException {
        List<String> lines = lines(chainId);
        lines.remove((int) sequence - 1);
        write(chainId, lines);
    }

    @Override
    protected void tamperSwap(String chainId, long a, long b) throws IOException {
        List<String> lines = lines(chainId);
        Collections.swap(lines, (int) a - 1, (int) b - 1);
        write(chainId, lines);
    }

    @Override
    protected void tamperInsertForged(AuditRecord forged) throws IOException {
        List<String> lines = lines(forged.chainId());
        Pattern sequence = Pattern.compile("\"sequence\":(\\d+),");
        for (int i = (int) forged.sequence() - 1; i < lines.size(); i++) {
            Matcher m = sequence.matcher(lines.get(i));
            m.find();
            lines.set(i, m.replaceFirst("\"sequence\":" + (Long.parseLong(m.group(1)) + 1) + ","));
        }
        lines.add((int) forged.sequence() - 1, CanonicalEncoding.jsonLine(forged));
        write(forged.chainId(), lines);
    }

    @Test
    void everyAppendIsOnDiskBeforeItReturns() throws IOException {
        store.appendAll(TestEvents.entries(TOPIC, 0, 3));

        List<String> onDisk = lines(CHAIN);

        assertThat(onDisk).hasSize(3);
        assertThat(CanonicalEncoding.parseLine(onDisk.get(2)).sequence()).isEqualTo(3);
    }

    @Test
    void anUnfinishedLastWriteIsCutOffOnReopen() throws IOException {
        store.appendAll(TestEvents.entries(TOPIC, 0, 3));
        store.close();
        Files.writeString(file(CHAIN), "{\"v\":1,\"chainId\":\"gateway.requ",
                StandardOpenOption.APPEND);

        AuditStore reopened = reopen();
        reopened.appendAll(TestEvents.entries(TOPIC, 0, 5));

        assertThat(lines(CHAIN)).hasSize(5);
        assertThat(new StoreVerifier(Clock.systemUTC(), 100).verify(reopened,
                StoreVerifier.Progress.NONE).intact()).isTrue();
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> EmbeddedAuditStore.open(dir)).isInstanceOf(
                AuditStoreException.class).hasMessageContaining("open in another process");
    }

    @Test
    void aReadOnlyViewReadsWhileTheWriterRuns() {
        store.appendAll(TestEvents.entries(TOPIC, 0, 4));

        AuditStore view = EmbeddedAuditStore.openReadOnly(dir);

        assertThat(view.heads()).isEqualTo(store.heads());
        assertThat(view.count()).isEqualTo(4);
        assertThatThrownBy(() -> view.append(TestEvents.entries(TOPIC, 0, 5).get(4)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anUnreadableLineIsReportedWithItsLineNumber() throws IOException {
        store.appendAll(TestEvents.entries(TOPIC, 0, 4));
        List<String> lines = lines(CHAIN);
        lines.set(2, "garbage");
        write(CHAIN, lines);

        StoreVerifier.Result result = new StoreVerifier(Clock.systemUTC(), 100).verify(
                EmbeddedAuditStore.openReadOnly(dir), StoreVerifier.Progress.NONE);

        ChainBreak broken = onlyBreak(result);
        assertThat(broken.kind()).isEqualTo(ChainBreak.Kind.UNREADABLE);
        assertThat(broken.sequence()).isEqualTo(3);
        assertThat(broken.detail()).contains("line 3");
    }

    @Test
    void aDirectoryWithoutAStoreIsNamedClearly() {
        assertThatThrownBy(() -> EmbeddedAuditStore.openReadOnly(dir.resolve("nothing")))
                .hasMessageContaining("holds no audit store");
    }
}
