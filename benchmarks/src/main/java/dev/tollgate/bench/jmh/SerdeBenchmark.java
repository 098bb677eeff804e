package dev.tollgate.bench.jmh;

import dev.tollgate.events.EventMeta;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Encoding and decoding a request event with Avro single-object encoding. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SerdeBenchmark {

    private final AvroSingleObjectCodec codec = AvroSingleObjectCodec.shared();
    private ToolCallRequested request;
    private byte[] encoded;

    @Setup
    public void setUp() {
        request = ToolCallRequested.newBuilder()
                .setMeta(EventMeta.newBuilder().setEventId("0f8fad5b-d9cb-469f-a165-70867728950e")
                        .setRequestId("7c9e6679-7425-40de-944b-e07fc1f90ae7")
                        .setOccurredAt(Instant.parse("2026-11-21T12:00:00Z"))
                        .setProducer("ingress").build())
                .setAgentId("agent-7").setEnvironment("prod").setTool("get_file")
                .setResource(Resource.newBuilder().setOwner("octo-org").setRepo("hello-world")
                        .setPath("src/main/java/App.java").build())
                .setArgumentsJson("{\"owner\":\"octo-org\",\"repo\":\"hello-world\","
                        + "\"path\":\"src/main/java/App.java\",\"ref\":\"main\"}")
                .build();
        encoded = codec.encode(request);
    }

    @Benchmark
    public byte[] encodeRequest() {
        return codec.encode(request);
    }

    @Benchmark
    public ToolCallRequested decodeRequest() {
        return codec.decode(encoded, ToolCallRequested.class);
    }
}
