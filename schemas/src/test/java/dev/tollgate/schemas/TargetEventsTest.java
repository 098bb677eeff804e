package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.tools.Target;
import dev.tollgate.tools.Tool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class TargetEventsTest {

    private static Target parse(Tool tool, Map<String, Object> args) {
        return tool.definition().validate(args).requireTarget();
    }

    @Test
    void everyPartOfATargetSurvivesTheWireForm() {
        List<Target> targets = List.of(
                parse(Tool.GET_FILE, Map.of("owner", "o", "repo", "r", "path", "a/b", "ref",
                        "cafe1234")),
                parse(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/pulls/7/files")),
                parse(Tool.GITHUB_API_GET, Map.of("path", "/repos/o/r/issues")),
                parse(Tool.CREATE_PR, Map.of("owner", "o", "repo", "r", "title", "t", "head",
                        "agent-x", "base", "main", "draft", false)),
                parse(Tool.CREATE_ISSUE, Map.of("owner", "o", "repo", "r", "title", "t",
                        "labels", List.of("bug", "p1"))),
                parse(Tool.PUSH_FILES, Map.of("owner", "o", "repo", "r", "branch", "agent-y",
                        "message", "m", "files", List.of(Map.of("path", "x", "content",
                                "y")))));

        for (Target target : targets) {
            dev.tollgate.events.Target event = TargetEvents.toEvent(target);
            byte[] bytes = AvroSingleObjectCodec.shared().encode(ToolCallRequested.newBuilder(
                    SampleEvents.request("r-1")).setTarget(event).build());
            ToolCallRequested read = AvroSingleObjectCodec.shared().decode(bytes,
                    ToolCallRequested.class);

            assertThat(TargetEvents.fromEvent(read.getTarget())).isEqualTo(target);
        }
    }

    @Test
    void aRequestOfTheFirstReleaseReadsWithoutATarget() throws IOException {
        Schema v1 = EventTypes.of(ToolCallRequested.class).released().get(0);
        GenericRecord old = new GenericData.Record(v1);
        GenericRecord meta = new GenericData.Record(v1.getField("meta").schema());
        meta.put("eventId", "e-1");
        meta.put("occurredAt", 1_700_000_000_000L);
        meta.put("producer", Roles.INGRESS);
        old.put("meta", meta);
        old.put("agentId", "a");
        old.put("environment", "prod");
        old.put("tool", "get_file");
        old.put("argumentsJson", "{}");
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
                .encode(old);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);

        ToolCallRequested read = AvroSingleObjectCodec.shared().decode(bytes,
                ToolCallRequested.class);

        assertThat(read.getTarget()).isNull();
        assertThat(read.getTool()).isEqualTo("get_file");
    }
}
