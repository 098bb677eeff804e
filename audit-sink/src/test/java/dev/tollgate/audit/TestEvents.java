package dev.tollgate.audit;

import dev.tollgate.audit.core.AuditEntries;
import dev.tollgate.audit.core.AuditEntry;
import dev.tollgate.audit.core.SourcePosition;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Events of every catalogued type, with fixed IDs and times, for tests. */
public final class TestEvents {

    static {
        // Avro builds records of our package only once it is trusted; a test class that builds
        // events before anything else has loaded the codec must not depend on test order.
        dev.tollgate.schemas.AvroTrust.ensure();
    }

    public static final Instant T0 = Instant.parse("2026-11-21T10:00:00.000Z");

    private TestEvents() {
    }

    public static EventMeta meta(String eventId, String requestId, Instant at, String producer) {
        return EventMeta.newBuilder().setEventId(eventId).setRequestId(requestId).setOccurredAt(
                at).setProducer(producer).setProducerInstance("host-1").build();
    }

    public static ToolCallRequested request(String eventId, String requestId, String agent,
            String argumentsJson) {
        return request(eventId, requestId, agent, argumentsJson, T0);
    }

    public static ToolCallRequested request(String eventId, String requestId, String agent,
            String argumentsJson, Instant at) {
        return ToolCallRequested.newBuilder().setMeta(meta(eventId, requestId, at, "ingress"))
                .setAgentId(agent).setEnvironment("prod").setGatewayTokenId("jti-1").setTool(
                        "create_issue")
                .setResource(Resource.newBuilder().setOwner("octo")
                        .setRepo("hello").setNumber(null).build())
                .setArgumentsJson(
                        argumentsJson)
                .build();
    }

    public static PolicyDecided decision(String eventId, ToolCallRequested request,
            boolean allowed) {
        return PolicyDecided.newBuilder().setMeta(meta(eventId, request.getMeta().getRequestId(),
                T0.plusMillis(5), "decision-worker")).setRequest(request).setAllowed(allowed)
                .setReason(allowed ? "granted by rule r1" : "no grant for create_issue")
                .setPolicyVersion("sha256:abc").setRules(List.of(RuleEvaluation.newBuilder()
                        .setRule("r1").setEffect("allow").setMatched(allowed).build()))
                .setPermissions(Map.of("issues", "write", "contents", "read", "metadata",
                        "read"))
                .setRepositories(List.of("octo/hello")).setRoutingKey("42")
                .setInstallationId(42L).build();
    }

    public static ToolCallCompleted result(String eventId, String requestId, CallStatus status,
            String errorCode) {
        return ToolCallCompleted.newBuilder().setMeta(meta(eventId, requestId, T0.plusMillis(90),
                "executor-worker")).setAgentId("agent-a").setEnvironment("prod").setTool(
                        "create_issue")
                .setStatus(status).setErrorCode(errorCode).setMessage(
                        status == CallStatus.SUCCEEDED
                                ? "created issue #7"
                                : "GitHub said no")
                .setResultJson(
                        "{\"number\":7,\"url\":\"https://github.com/octo/hello/issues/7\"}")
                .setPolicyVersion("sha256:abc").setUpstreamStatus(201).setAttempts(1).build();
    }

    public static TokenMinted tokenMinted(String eventId, String requestId) {
        return TokenMinted.newBuilder().setMeta(meta(eventId, requestId, T0.plusMillis(40),
                "executor-worker")).setAppId("123").setInstallationId(42L).setRepositories(List.of(
                        "octo/hello"))
                .setPermissions(Map.of("issues", "write")).setExpiresAt(T0
                        .plusSeconds(3600))
                .setAgentId("agent-a").setEnvironment("prod")
                .setScopeKey("scope-1").build();
    }

    public static AgentTokenChanged agentToken(String eventId) {
        return AgentTokenChanged.newBuilder().setMeta(meta(eventId, null, T0, "ingress"))
                .setAction(AgentTokenAction.ISSUED).setAgentId("agent-a").setEnvironment("prod")
                .setTokenId("jti-1").setExpiresAt(T0.plusSeconds(86400)).setActor("admin")
                .build();
    }

    public static PolicyChanged policyChanged(String eventId) {
        return PolicyChanged.newBuilder().setMeta(meta(eventId, null, T0, "decision-worker"))
                .setAction(PolicyAction.LOADED).setSource("/etc/tollgate/policy.toml")
                .setPolicyVersion("sha256:abc").setRuleCount(3).build();
    }

    public static InstallationChanged installation(String eventId) {
        return InstallationChanged.newBuilder().setMeta(meta(eventId, null, T0, "ingress"))
                .setEnvironment("prod").setAppId("123").setInstallationId(42L).setAccount("octo")
                .setStatus(InstallationStatus.ACTIVE).setRepositorySelection(
                        RepositorySelection.SELECTED)
                .setRepositories(List.of("octo/hello"))
                .setPermissions(Map.of("issues", "write", "contents", "read")).setTrigger(
                        "created")
                .build();
    }

    public static DeadLetter deadLetter(String eventId, String payload) {
        return DeadLetter.newBuilder().setMeta(meta(eventId, null, T0, "decision-worker"))
                .setSourceTopic("gateway.requests").setSourcePartition(0).setSourceOffset(9)
                .setReason("undecodable").setPayload(ByteBuffer.wrap(payload.getBytes(
                        StandardCharsets.UTF_8)))
                .build();
    }

    public static AccessRefused accessRefused(String eventId, String detail) {
        return AccessRefused.newBuilder().setMeta(meta(eventId, null, T0, "ingress"))
                .setEndpoint("mcp").setReason("credential_invalid").setDetail(detail)
                .setClientAddress("203.0.113.7").setCount(4812).setFirstAt(T0).setLastAt(T0
                        .plusSeconds(9))
                .build();
    }

    /** Entries for one chain: {@code count} requests at offsets 0, 2, 4... */
    public static List<AuditEntry> entries(String topic, int partition, int count) {
        return entries(topic, partition, count, null, topic + "-" + partition);
    }

    /**
     * Entries for one chain read from Kafka cluster {@code cluster} (null: unknown): {@code count}
     * requests at offsets 0, 2, 4..., event IDs {@code <idPrefix>-ev-<i>}. Two calls with other
     * prefixes are two lifetimes of the same partition.
     */
    public static List<AuditEntry> entries(String topic, int partition, int count, String cluster,
            String idPrefix) {
        AuditEntries mapper = new AuditEntries();
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> mapper.from(request(
                idPrefix + "-ev-" + i, "req-" + i, "agent-" + (i % 3),
                "{\"title\":\"issue " + i + "\"}", T0.plusSeconds(i)),
                new SourcePosition(topic, partition, i * 2L,
                        T0.plusSeconds(i), cluster)))
                .toList();
    }

    /**
     * A 40-byte record that declares a 2 GB string: a valid single-object header for
     * {@code TokenMinted}, then {@code meta.eventId}'s length and nothing of it (the review's
     * poison record, which ran the decoder out of memory before Avro's limits were set).
     */
    public static byte[] declaringAHugeString() {
        try {
            long fingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(TokenMinted
                    .getClassSchema());
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(0xC3);
            out.write(0x01);
            for (int i = 0; i < 8; i++) {
                out.write((int) (fingerprint >>> (8 * i)) & 0xff);
            }
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get()
                    .directBinaryEncoder(out, null);
            encoder.writeLong(2_000_000_000L);
            encoder.writeIndex(0);
            encoder.writeLong(0);
            encoder.writeString("executor-worker");
            encoder.writeIndex(0);
            encoder.writeString("app");
            encoder.writeLong(1);
            encoder.writeLong(0);
            encoder.flush();
            return out.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
