package dev.tollgate.bench.jmh;

import dev.tollgate.audit.core.AuditChain;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.CanonicalEncoding;
import dev.tollgate.audit.core.ChainHead;
import dev.tollgate.audit.core.SourcePosition;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The audit chain: canonical encoding plus SHA-256 of one record, and appending it to a head. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AuditHashBenchmark {

    private AuditEntry entry;
    private Optional<ChainHead> head;

    @Setup
    public void setUp() {
        Instant at = Instant.parse("2026-11-22T00:00:00Z");
        entry = new AuditEntry("0f8fad5b-d9cb-469f-a165-70867728950e", "ToolCallCompleted",
                new SourcePosition("gateway.results", 3, 123_456, at), at, "executor-worker",
                "7c9e6679-7425-40de-944b-e07fc1f90ae7", "agent-7", "prod", "get_file",
                "github:octo-org/hello-world/src/main/java/App.java", "octo-org/hello-world",
                null, "ok",
                "sha256:98afb4053630da8ddab9dabb3cb5a33724b12a063761eefc0ee71b10b464fb27",
                "SUCCEEDED", null, "{\"result\":{\"path\":\"src/main/java/App.java\",\"type\":"
                        + "\"file\",\"sha\":\"3d21ec53a331a6f037a91c368710b99387d012c1\","
                        + "\"size\":1234},\"retryable\":false}");
        AuditRecord first = AuditChain.append(Optional.empty(), entry);
        head = Optional.of(AuditChain.headOf(first));
    }

    @Benchmark
    public String hashRecord() {
        return CanonicalEncoding.hash(entry, 41, AuditChain.GENESIS);
    }

    @Benchmark
    public AuditRecord appendToChain() {
        return AuditChain.append(head, entry);
    }

    /** What the embedded store did per record until 2026-11-22: link, then encode again for its line. */
    @Benchmark
    public String appendThenJsonLine() {
        return CanonicalEncoding.jsonLine(AuditChain.append(head, entry));
    }

    /** What it does now: the canonical encoding built once for the hash and the line. */
    @Benchmark
    public String linkWithJsonLine() {
        return AuditChain.link(head, entry).jsonLine();
    }
}
