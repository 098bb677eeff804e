package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.audit.TestEvents;
import dev.tollgate.events.AccessRefused;
import dev.tollgate.events.CallStatus;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.TargetEvents;
import dev.tollgate.tools.Tool;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEntriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourcePosition AT = new SourcePosition("gateway.requests", 3, 17, Instant
            .parse("2026-11-21T10:00:01Z"));
    private static final String TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";

    private final AuditEntries entries = new AuditEntries();

    @Test
    void recordsWhoAskedForWhatAndWhereItWasRead() {
        ToolCallRequested request = TestEvents.request("ev-1", "req-1", "agent-a",
                "{\"title\":\"t\"}");

        AuditEntry entry = entries.from(request, AT);

        assertThat(entry.eventId()).isEqualTo("ev-1");
        assertThat(entry.eventType()).isEqualTo("ToolCallRequested");
        assertThat(entry.chainId()).isEqualTo("gateway.requests-3");
        assertThat(entry.source().offset()).isEqualTo(17);
        assertThat(entry.requestId()).isEqualTo("req-1");
        assertThat(entry.agentId()).isEqualTo("agent-a");
        assertThat(entry.environment()).isEqualTo("prod");
        assertThat(entry.action()).isEqualTo("create_issue");
        assertThat(entry.resource()).isEqualTo("github:octo/hello");
        assertThat(entry.repository()).isEqualTo("octo/hello");
        assertThat(entry.producer()).isEqualTo("ingress");
        assertThat(entry.occurredAt()).isEqualTo(TestEvents.T0);
    }

    @Test
    void redactsSecretsInAgentArgumentsAtAnyDepth() throws Exception {
        ToolCallRequested request = TestEvents.request("ev-1", "req-1", "agent-a",
                "{\"title\":\"t\",\"body\":\"use " + TOKEN + "\",\"files\":[{\"content\":"
                        + "\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\"}],"
                        + "\"headers\":{\"authorization\":\"Bearer x\"},\"password\":\"pw\"}");

        AuditEntry entry = entries.from(request, AT);
        JsonNode context = JSON.readTree(entry.contextJson());

        assertThat(entry.contextJson()).doesNotContain(TOKEN).doesNotContain("AAAA")
                .doesNotContain("Bearer x").doesNotContain("\"pw\"");
        assertThat(context.at("/arguments/body").asText()).isEqualTo(
                "use [REDACTED:github_token]");
        assertThat(context.at("/arguments/files/0/content/bytes").asInt()).as(
                "a pushed file is kept as proof, not content").isEqualTo(58);
        assertThat(context.at("/arguments/headers/authorization").asText()).isEqualTo(
                "[REDACTED:authorization]");
        assertThat(context.at("/arguments/password").asText()).isEqualTo("[REDACTED:password]");
        assertThat(context.at("/tool").asText()).isEqualTo("create_issue");
        assertThat(context.at("/gatewayTokenId").asText()).isEqualTo("jti-1");
    }

    @Test
    void theRecordShowsTheTargetTheCallWasDecidedOn() throws Exception {
        ToolCallRequested request = TestEvents.request("ev-1", "req-1", "agent-a",
                "{\"path\":\"/repos/o/r/git/trees/main\"}");
        request.setTarget(TargetEvents.toEvent(Tool.GITHUB_API_GET.definition().validate(Map.of(
                "path", "/repos/o/r/git/trees/main")).requireTarget()));

        JsonNode context = JSON.readTree(entries.from(request, AT).contextJson());

        assertThat(context.at("/target/owner").asText()).isEqualTo("o");
        assertThat(context.at("/target/refs/0").asText()).isEqualTo("main");
        assertThat(context.at("/target/everyPath").asText()).contains("a tree lists every path");
    }

    @Test
    void decisionsCarryTheVerdictReasonAndPolicyVersionAndTheRedactedRequest() throws Exception {
        ToolCallRequested request = TestEvents.request("ev-1", "req-1", "agent-a",
                "{\"body\":\"" + TOKEN + "\"}");

        AuditEntry allowed = entries.from(TestEvents.decision("ev-2", request, true), AT);
        AuditEntry denied = entries.from(TestEvents.decision("ev-3", request, false), AT);

        assertThat(allowed.decision()).isEqualTo("ALLOWED");
        assertThat(allowed.reason()).isEqualTo("granted by rule r1");
        assertThat(allowed.policyVersion()).isEqualTo("sha256:abc");
        assertThat(allowed.agentId()).isEqualTo("agent-a");
        assertThat(allowed.action()).isEqualTo("create_issue");
        assertThat(denied.decision()).isEqualTo("DENIED");
        assertThat(allowed.contextJson()).doesNotContain(TOKEN);
        JsonNode context = JSON.readTree(allowed.contextJson());
        assertThat(context.at("/request/arguments/body").asText()).isEqualTo(
                "[REDACTED:github_token]");
        assertThat(context.at("/rules/0/rule").asText()).isEqualTo("r1");
        assertThat(context.at("/installationId").asLong()).isEqualTo(42);
    }

    @Test
    void mapsAreWrittenInKeyOrderSoTheEntryIsDeterministic() {
        ToolCallRequested request = TestEvents.request("ev-1", "req-1", "agent-a", "{}");

        String context = entries.from(TestEvents.decision("ev-2", request, true), AT)
                .contextJson();

        assertThat(context).contains(
                "\"permissions\":{\"contents\":\"read\",\"issues\":\"write\",\"metadata\":\"read\"}");
    }

    @Test
    void resultsCarryOutcomeAndErrorClass() {
        AuditEntry failed = entries.from(TestEvents.result("ev-4", "req-1", CallStatus.FAILED,
                "rate_limited"), AT);
        AuditEntry succeeded = entries.from(TestEvents.result("ev-5", "req-1",
                CallStatus.SUCCEEDED, null), AT);

        assertThat(failed.outcome()).isEqualTo("FAILED");
        assertThat(failed.errorClass()).isEqualTo("rate_limited");
        assertThat(failed.reason()).isEqualTo("GitHub said no");
        assertThat(succeeded.outcome()).isEqualTo("SUCCEEDED");
        assertThat(succeeded.errorClass()).isNull();
        assertThat(succeeded.contextJson()).contains("\"result\":{\"number\":7");
    }

    @Test
    void everyOtherCatalogedEventGetsAnAction() {
        assertThat(entries.from(TestEvents.tokenMinted("e1", "req-1"), AT).action()).isEqualTo(
                "token.minted");
        assertThat(entries.from(TestEvents.tokenMinted("e1", "req-1"), AT).repository())
                .isEqualTo("octo/hello");
        assertThat(entries.from(TestEvents.agentToken("e2"), AT).action()).isEqualTo(
                "agent_token.issued");
        assertThat(entries.from(TestEvents.policyChanged("e3"), AT).action()).isEqualTo(
                "policy.loaded");
        assertThat(entries.from(TestEvents.policyChanged("e3"), AT).policyVersion()).isEqualTo(
                "sha256:abc");
        assertThat(entries.from(TestEvents.installation("e4"), AT).action()).isEqualTo(
                "installation.active");
        assertThat(entries.from(TestEvents.deadLetter("e5", "x"), AT).action()).isEqualTo(
                "dead_letter");
    }

    @Test
    void aRefusalKeepsTheAgentAndItsEnvironmentAndOneWithoutNeither() {
        AccessRefused twin = AccessRefused.newBuilder(TestEvents.accessRefused("ev-r1",
                "slow down")).setReason("rate_limited").setAgentId("deployer").setEnvironment(
                        "prod")
                .build();

        AuditEntry refused = entries.from(twin, AT);
        AuditEntry anonymous = entries.from(TestEvents.accessRefused("ev-r2", "bad token"), AT);

        assertThat(refused.agentId()).isEqualTo("deployer");
        assertThat(refused.environment()).isEqualTo("prod");
        assertThat(refused.action()).isEqualTo("refused.rate_limited");
        assertThat(anonymous.agentId()).isNull();
        assertThat(anonymous.environment()).isNull();
    }

    @Test
    void aFileReadOrPushedIsKeptAsItsDigestAndSizeNotItsContent() throws Exception {
        String file = "# Hello\n\nThe quarterly numbers are confidential.\n";
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance(
                "SHA-256").digest(file.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        String escaped = file.replace("\n", "\\n");
        ToolCallRequested push = TestEvents.request("ev-1", "req-1", "agent-a",
                "{\"owner\":\"octo\",\"message\":\"docs\",\"files\":[{\"path\":\"README.md\","
                        + "\"content\":\"" + escaped + "\"}]}");
        ToolCallCompleted read = ToolCallCompleted.newBuilder(TestEvents.result("ev-2", "req-2",
                CallStatus.SUCCEEDED, null)).setResultJson("{\"path\":\"README.md\",\"sha\":"
                        + "\"abc\",\"content\":\"" + escaped + "\"}")
                .build();

        JsonNode pushed = JSON.readTree(entries.from(push, AT).contextJson());
        JsonNode answered = JSON.readTree(entries.from(read, AT).contextJson());

        for (JsonNode proof : List.of(pushed.at("/arguments/files/0/content"), answered.at(
                "/result/content"))) {
            assertThat(proof.path("sha256").asText()).isEqualTo(sha);
            assertThat(proof.path("bytes").asInt()).isEqualTo(file.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8).length);
        }
        assertThat(pushed.toString() + answered).doesNotContain("confidential");
        assertThat(pushed.at("/arguments/files/0/path").asText()).isEqualTo("README.md");
        assertThat(pushed.at("/arguments/message").asText()).isEqualTo("docs");
    }

    @Test
    void aLargeBodyIsKeptAsProofAndAShortOneAsText() throws Exception {
        String large = "x".repeat(dev.tollgate.runtime.proofs.ContentProofs.LARGE_CHARS + 1);
        JsonNode context = JSON.readTree(entries.from(TestEvents.request("ev-1", "req-1",
                "agent-a", "{\"title\":\"short title\",\"body\":\"" + large + "\"}"), AT)
                .contextJson());

        assertThat(context.at("/arguments/title").asText()).isEqualTo("short title");
        assertThat(context.at("/arguments/body/bytes").asInt()).isEqualTo(large.length());
        assertThat(context.at("/arguments/body/sha256").asText()).hasSize(64).matches(
                "[0-9a-f]{64}");

        String notJson = "log line\n".repeat(200);
        JsonNode text = JSON.readTree(entries.from(ToolCallCompleted.newBuilder(TestEvents
                .result("ev-3", "req-3", CallStatus.SUCCEEDED, null)).setResultJson(notJson)
                .build(), AT).contextJson());
        assertThat(text.at("/result/bytes").asInt()).isEqualTo(notJson.length());
    }

    @Test
    void refusalsAtTheDoorAreRecordedPerClientAndReasonWithTheirCountAndNoCredential() {
        AuditEntry entry = entries.from(TestEvents.accessRefused("e6", "admin token refused: "
                + TOKEN), AT);

        assertThat(entry.action()).isEqualTo("refused.credential_invalid");
        assertThat(entry.resource()).isEqualTo("mcp:203.0.113.7");
        assertThat(entry.decision()).isEqualTo("REFUSED");
        assertThat(entry.contextJson()).contains("\"count\":4812").doesNotContain(TOKEN);
        assertThat(entry.reason()).doesNotContain(TOKEN);
    }

    @Test
    void neverStoresADeadLettersRawPayloadOnlyItsDigest() {
        AuditEntry entry = entries.from(TestEvents.deadLetter("e5", "secret payload " + TOKEN),
                AT);

        assertThat(entry.contextJson()).doesNotContain("secret payload").doesNotContain(TOKEN)
                .contains("\"payload\":{\"length\":").contains("\"sha256\":\"");
    }

    @Test
    void theSameEventAtTheSamePositionAlwaysGivesTheSameEntry() {
        ToolCallRequested request = TestEvents.request("ev-1", "req-1", "agent-a",
                "{\"b\":1,\"a\":[1,2.5,\"x\"]}");

        assertThat(entries.from(request, AT)).isEqualTo(entries.from(request, AT));
    }

    @Test
    void refusesARecordWithoutEventMeta() {
        assertThatThrownBy(() -> entries.from(EventMeta.newBuilder().setEventId("x")
                .setOccurredAt(Instant.EPOCH).setProducer("p").build(), AT)).hasMessageContaining(
                        "carries no EventMeta");
    }

    @Test
    void keepsPermissionNamesThatSoundLikeSecretsAndTheirLevels() {
        dev.tollgate.events.TokenMinted minted = dev.tollgate.audit.TestEvents.tokenMinted("ev-t",
                "req-1");
        minted.setPermissions(java.util.Map.of("secrets", "read", "organization_secrets",
                "write", "contents", "read"));

        AuditEntry entry = new AuditEntries().from(minted, new SourcePosition(
                "gateway.token-mints", 0, 1, dev.tollgate.audit.TestEvents.T0));

        assertThat(entry.contextJson()).contains("\"permissions\":{\"contents\":\"read\","
                + "\"organization_secrets\":\"write\",\"secrets\":\"read\"}");
    }
}
