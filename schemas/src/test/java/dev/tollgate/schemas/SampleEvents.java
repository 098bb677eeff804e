package dev.tollgate.schemas;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AccessRefused;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.DeadLetter;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.PolicyAction;
import dev.tollgate.events.PolicyChanged;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.RepositorySelection;
import dev.tollgate.events.Resource;
import dev.tollgate.events.RuleEvaluation;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated example of every event type, as the flow produces them. */
final class SampleEvents {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00.123Z"),
            ZoneOffset.UTC);

    private SampleEvents() {
    }

    static EventMeta meta(String producer, String requestId) {
        return EventMetas.create(producer, requestId, CLOCK);
    }

    static ToolCallRequested request(String requestId) {
        return ToolCallRequested.newBuilder()
                .setMeta(meta(Roles.INGRESS, requestId))
                .setAgentId("agent-7")
                .setEnvironment("prod")
                .setGatewayTokenId("jti-123")
                .setTool("get_file")
                .setResource(Resource.newBuilder().setOwner("octo-org").setRepo("hello-world")
                        .setPath("src/Main.java").setRef("main").build())
                .setArgumentsJson(
                        "{\"owner\":\"octo-org\",\"repo\":\"hello-world\",\"path\":\"src/Main.java\"}")
                .setDeadlineAt(CLOCK.instant().plusSeconds(30))
                .setTarget(TargetEvents.toEvent(dev.tollgate.tools.Target.in("octo-org",
                        "hello-world").path("src/Main.java").ref("main").build()))
                .build();
    }

    static PolicyDecided decision(String requestId) {
        return PolicyDecided.newBuilder()
                .setMeta(meta(Roles.DECISION_WORKER, requestId))
                .setRequest(request(requestId))
                .setAllowed(true)
                .setReason("granted read on octo-org/hello-world by rule repos[0]")
                .setPolicyVersion("sha256:0f1e")
                .setRules(List.of(RuleEvaluation.newBuilder().setRule("repos[0]")
                        .setEffect("allow").setMatched(true).setDetail("tier read").build()))
                .setPermissions(Map.of("contents", "read"))
                .setRepositories(List.of("hello-world"))
                .setPreconditions(List.of())
                .setRoutingKey("octo-org")
                .setInstallationId(42L)
                .build();
    }

    static ToolCallCompleted completed(String requestId) {
        return ToolCallCompleted.newBuilder()
                .setMeta(meta(Roles.EXECUTOR_WORKER, requestId))
                .setAgentId("agent-7")
                .setEnvironment("prod")
                .setTool("get_file")
                .setStatus(CallStatus.FAILED)
                .setErrorCode("rate_limited")
                .setRetryable(true)
                .setRetryAt(CLOCK.instant().plusSeconds(60))
                .setMessage("GitHub rate limit reached; retry after 12:01:00Z")
                .setPolicyVersion("sha256:0f1e")
                .setUpstreamStatus(403)
                .setAttempts(1)
                .build();
    }

    static TokenMinted tokenMinted(String requestId) {
        return TokenMinted.newBuilder()
                .setMeta(meta(Roles.EXECUTOR_WORKER, requestId))
                .setAppId("12345")
                .setInstallationId(42L)
                .setRepositories(List.of("hello-world"))
                .setPermissions(Map.of("contents", "read"))
                .setExpiresAt(CLOCK.instant().plusSeconds(3600))
                .setAgentId("agent-7")
                .setEnvironment("prod")
                .setScopeKey("9a8b")
                .build();
    }

    static AgentTokenChanged agentToken() {
        return AgentTokenChanged.newBuilder()
                .setMeta(meta(Roles.INGRESS, null))
                .setAction(AgentTokenAction.ISSUED)
                .setAgentId("agent-7")
                .setEnvironment("prod")
                .setTokenId("jti-123")
                .setExpiresAt(CLOCK.instant().plusSeconds(3600))
                .setActor("admin")
                .build();
    }

    static PolicyChanged policy() {
        return PolicyChanged.newBuilder()
                .setMeta(meta(Roles.DECISION_WORKER, null))
                .setAction(PolicyAction.LOAD_FAILED)
                .setSource("/etc/tollgate/policy.toml")
                .setPolicyVersion("sha256:0f1e")
                .setRuleCount(3)
                .setError("line 4: unknown permission 'delete'")
                .build();
    }

    static InstallationChanged installation() {
        return InstallationChanged.newBuilder()
                .setMeta(meta(Roles.INGRESS, null))
                .setEnvironment("prod")
                .setAppId("12345")
                .setInstallationId(42L)
                .setAccount("octo-org")
                .setAccountType("Organization")
                .setStatus(InstallationStatus.SUSPENDED)
                .setRepositorySelection(RepositorySelection.SELECTED)
                .setRepositories(List.of("octo-org/hello-world"))
                .setPermissions(Map.of("contents", "write", "issues", "write"))
                .setTrigger("installation.suspend")
                .setDeliveryId("72d3162e-cc78-11e3-81ab-4c9367dc0958")
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setMeta(meta(Roles.DECISION_WORKER, null))
                .setSourceTopic("gateway.requests")
                .setSourcePartition(2)
                .setSourceOffset(17L)
                .setReason("corrupt ToolCallRequested message")
                .setPayload(ByteBuffer.wrap(new byte[]{1, 2, 3}))
                .build();
    }

    static AccessRefused accessRefused() {
        return AccessRefused.newBuilder()
                .setMeta(meta(Roles.INGRESS, null))
                .setEndpoint("mcp")
                .setReason("credential_invalid")
                .setDetail("token signature is not valid")
                .setClientAddress("203.0.113.7")
                .setCount(4812)
                .setFirstAt(Instant.parse("2026-12-04T12:00:00Z"))
                .setLastAt(Instant.parse("2026-12-04T12:00:09.870Z"))
                .build();
    }

    /** One sample per catalogued event type, in catalogue order. */
    static List<SpecificRecord> everyType() {
        return List.of(request("req-1"), decision("req-1"), completed("req-1"),
                tokenMinted("req-1"), agentToken(), policy(), installation(), deadLetter(),
                accessRefused());
    }

    /**
     * {@code event} as a writer on the {@code older} schema would have written it: its fields that
     * schema has, in Avro's single-object encoding.
     */
    static byte[] writtenWith(Schema older, SpecificRecord event) {
        try {
            GenericRecord asCurrent = new BinaryMessageDecoder<GenericRecord>(GenericData.get(),
                    event.getSchema()).decode(AvroSingleObjectCodec.shared().encode(event));
            GenericRecord old = new GenericData.Record(older);
            for (Schema.Field field : older.getFields()) {
                old.put(field.name(), asCurrent.get(field.name()));
            }
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older)
                    .encode(old);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
