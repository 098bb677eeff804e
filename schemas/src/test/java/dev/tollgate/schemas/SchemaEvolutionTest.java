package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.ToolCallCompleted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The build's schema gate. Every event type's current schema must be released (the newest file
 * under {@code schema-history/<Name>/}) and compatible both ways with every earlier release; an
 * incompatible change fails {@code ./mvnw verify}.
 */
class SchemaEvolutionTest {

    @TestFactory
    Stream<DynamicTest> currentSchemaIsTheNewestReleasedVersion() {
        return EventTypes.all().stream().map(type -> DynamicTest.dynamicTest(type.simpleName(),
                () -> {
                    List<Schema> released = type.released();
                    if (!released.isEmpty()
                            && released.get(released.size() - 1).equals(type.current())) {
                        return;
                    }
                    Path candidate = writeCandidate(type, released.size() + 1);
                    fail(type.simpleName() + " changed since its last released version. If the "
                            + "change is intended, copy " + candidate
                            + " to schemas/src/main/resources/"
                            + "schema-history/" + type.simpleName() + "/v" + (released.size() + 1)
                            + ".avsc (the compatibility test checks it against every release).");
                }));
    }

    @TestFactory
    Stream<DynamicTest> currentSchemaIsCompatibleBothWaysWithEveryRelease() {
        List<DynamicTest> tests = new ArrayList<>();
        for (EventTypes.EventType type : EventTypes.all()) {
            for (int i = 0; i < type.released().size(); i++) {
                Schema released = type.released().get(i);
                tests.add(DynamicTest.dynamicTest(type.simpleName() + " v" + (i + 1),
                        () -> assertThat(
                                SchemaEvolution.problems(released, type.current()))
                                .as("evolving %s v%d into the current schema", type.simpleName(), 1)
                                .isEmpty()));
            }
        }
        return tests.stream();
    }

    @Test
    void refusesAFieldAddedWithoutADefault() {
        Schema older = ToolCallCompleted.getClassSchema();
        Schema newer = withAppendedField(older, "\"name\":\"hint\",\"type\":\"string\"");

        assertThat(SchemaEvolution.problems(older, newer))
                .anyMatch(p -> p.contains("old data cannot be read"))
                .anyMatch(p -> p.contains("hint has no default"));
    }

    @Test
    void refusesARenamedField() {
        Schema older = ToolCallCompleted.getClassSchema();
        Schema newer = new Schema.Parser().parse(older.toString().replace("\"message\"",
                "\"text\""));

        assertThat(SchemaEvolution.problems(older, newer))
                .anyMatch(p -> p.contains("message was removed, renamed or moved"));
    }

    @Test
    void refusesAFieldInsertedBeforeExistingOnes() {
        Schema older = ToolCallCompleted.getClassSchema();
        Schema newer = new Schema.Parser().parse(older.toString().replace(
                "{\"name\":\"agentId\"",
                "{\"name\":\"early\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"agentId\""));

        assertThat(SchemaEvolution.problems(older, newer))
                .anyMatch(p -> p.contains("agentId was removed, renamed or moved"));
    }

    @Test
    void refusesAnEnumSymbolRemoved() {
        Schema older = ToolCallCompleted.getClassSchema();
        Schema newer = new Schema.Parser().parse(older.toString().replace("\"DENIED\",", ""));

        assertThat(SchemaEvolution.problems(older, newer))
                .anyMatch(p -> p.contains("lost or reordered symbols"));
    }

    @Test
    void acceptsAFieldAppendedWithADefault() {
        Schema older = ToolCallCompleted.getClassSchema();
        Schema newer = withAppendedField(older,
                "\"name\":\"hint\",\"type\":[\"null\",\"string\"],\"default\":null");

        assertThat(SchemaEvolution.problems(older, newer)).isEmpty();
    }

    @Test
    void dataOfTheFirstReleaseReadsOnTheCurrentSchemaWithDefaults() throws IOException {
        Schema v1 = EventTypes.of(ToolCallCompleted.class).released().get(0);
        GenericRecord old = genericCompleted(v1);
        old.put("attempts", 2);
        byte[] bytes = encode(v1, old);

        ToolCallCompleted read = AvroSingleObjectCodec.shared().decode(bytes,
                ToolCallCompleted.class);

        assertThat(read.getAttempts()).isEqualTo(2);
        assertThat(read.getMessage()).isEqualTo("not found");
        assertThat(read.getStatus()).isEqualTo(CallStatus.FAILED);
        assertThat(read.getResource()).isNull(); // fields added in v2 take their defaults
        assertThat(read.getRules()).isEmpty();
        assertThat(read.getErrorDetailsJson()).isNull();
    }

    @Test
    void oldDataReadsOnTheNewSchemaWithTheDefault() throws IOException {
        Schema current = ToolCallCompleted.getClassSchema();
        Schema older = withoutLastField(current);
        GenericRecord old = genericCompleted(older);
        byte[] bytes = encode(older, old);
        var codec = new AvroSingleObjectCodec(Map.of(ToolCallCompleted.class, List.of(older)));

        ToolCallCompleted read = codec.decode(bytes, ToolCallCompleted.class);

        assertThat(read.getErrorDetailsJson()).isNull(); // the default of the field the old schema lacked
        assertThat(read.getMessage()).isEqualTo("not found");
        assertThat(read.getStatus()).isEqualTo(CallStatus.FAILED);
    }

    @Test
    void newDataReadsOnTheOldSchema() throws IOException {
        Schema current = ToolCallCompleted.getClassSchema();
        Schema newer = withAppendedField(current,
                "\"name\":\"hint\",\"type\":[\"null\",\"string\"],\"default\":null");
        GenericRecord fromTheFuture = genericCompleted(newer);
        fromTheFuture.put("attempts", 3);
        fromTheFuture.put("hint", "try a narrower path");
        byte[] bytes = encode(newer, fromTheFuture);
        var codec = new AvroSingleObjectCodec(Map.of(ToolCallCompleted.class, List.of(newer)));

        ToolCallCompleted read = codec.decode(bytes, ToolCallCompleted.class);

        assertThat(read.getAttempts()).isEqualTo(3);
        assertThat(read.getErrorCode()).isEqualTo("not_found");
    }

    private static GenericRecord genericCompleted(Schema schema) {
        GenericRecord record = new GenericData.Record(schema);
        GenericRecord meta = new GenericData.Record(schema.getField("meta").schema());
        meta.put("eventId", "e-1");
        meta.put("requestId", "r-1");
        meta.put("occurredAt", 1_700_000_000_000L);
        meta.put("producer", Roles.EXECUTOR_WORKER);
        record.put("meta", meta);
        record.put("agentId", "agent-7");
        record.put("environment", "prod");
        record.put("tool", "get_file");
        record.put("status", new GenericData.EnumSymbol(schema.getField("status").schema(),
                "FAILED"));
        record.put("errorCode", "not_found");
        record.put("retryable", false);
        record.put("message", "not found");
        if (schema.getField("attempts") != null) {
            record.put("attempts", 0);
        }
        if (schema.getField("rules") != null) {
            record.put("rules", List.of());
        }
        return record;
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
                .encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static Schema withAppendedField(Schema schema, String fieldJson) {
        String json = schema.toString();
        int end = json.lastIndexOf(']');
        return new Schema.Parser().parse(json.substring(0, end) + ",{" + fieldJson + "}"
                + json.substring(end));
    }

    private static Schema withoutLastField(Schema schema) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields().subList(0, schema.getFields().size() - 1)) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false,
                fields);
    }

    private static Path writeCandidate(EventTypes.EventType type, int version) throws IOException {
        Path dir = Path.of("target", "schema-history-candidates", type.simpleName());
        Files.createDirectories(dir);
        Path file = dir.resolve("v" + version + ".avsc").toAbsolutePath();
        @SuppressWarnings("deprecation")
        String pretty = type.current().toString(true);
        Files.writeString(file, pretty + "\n");
        return file;
    }
}
