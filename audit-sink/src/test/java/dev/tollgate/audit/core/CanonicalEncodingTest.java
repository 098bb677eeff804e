package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CanonicalEncodingTest {

    static AuditEntry fixedEntry() {
        return new AuditEntry("ev-1", "ToolCallRequested", new SourcePosition("gateway.requests",
                2, 41, Instant.parse("2026-11-21T10:00:00.5Z")),
                Instant.parse(
                        "2026-11-21T10:00:00Z"),
                "ingress", "req-1", "agent-a", "prod",
                "create_issue", "github:octo/hello", "octo/hello", null, null, null, null, null,
                "{\"arguments\":{\"title\":\"caf\u00e9 \\\"q\\\"\\n\"}}");
    }

    @Test
    void writesEveryFieldInTheDocumentedOrderWithExplicitNulls() {
        String canonical = CanonicalEncoding.encode(fixedEntry(), 1, AuditChain.GENESIS);

        assertThat(canonical).isEqualTo("{\"v\":1,\"chainId\":\"gateway.requests-2\","
                + "\"sequence\":1,\"eventId\":\"ev-1\",\"eventType\":\"ToolCallRequested\","
                + "\"sourceTopic\":\"gateway.requests\",\"sourcePartition\":2,\"sourceOffset\":41,"
                + "\"sourceTimestamp\":\"2026-11-21T10:00:00.500Z\","
                + "\"occurredAt\":\"2026-11-21T10:00:00.000Z\",\"producer\":\"ingress\","
                + "\"requestId\":\"req-1\",\"agentId\":\"agent-a\",\"environment\":\"prod\","
                + "\"action\":\"create_issue\",\"resource\":\"github:octo/hello\","
                + "\"repository\":\"octo/hello\",\"decision\":null,\"reason\":null,"
                + "\"policyVersion\":null,\"outcome\":null,\"errorClass\":null,"
                + "\"context\":\"{\\\"arguments\\\":{\\\"title\\\":\\\"caf\u00e9 \\\\\\\"q\\\\\\\"\\\\n\\\"}}\","
                + "\"previousHash\":\"" + "0".repeat(64) + "\"}");
    }

    @Test
    void hashIsSha256OfTheCanonicalUtf8Bytes() {
        // Golden value: computed outside Java (Python hashlib over the same text). If this
        // changes, every stored chain stops verifying: bump CanonicalEncoding.VERSION instead.
        String hash = CanonicalEncoding.hash(fixedEntry(), 1, AuditChain.GENESIS);

        assertThat(hash).isEqualTo(GOLDEN_HASH);
    }

    static final String GOLDEN_HASH = "5518ec46692dafb817fa549ee581744d178b28bcaf4323e2710adf18872fb5b6";

    @Test
    void escapesOnlyQuotesBackslashesAndControlCharacters() {
        StringBuilder out = new StringBuilder();

        CanonicalEncoding.quote(out, "a\"b\\c\u0001\t/\u00e9\u2028");

        assertThat(out).hasToString("\"a\\\"b\\\\c\\u0001\\t/\u00e9\u2028\"");
    }

    @Test
    void aJsonLineReadsBackToTheSameRecord() {
        AuditRecord record = AuditChain.append(Optional.empty(), fixedEntry());

        String line = CanonicalEncoding.jsonLine(record);
        AuditRecord read = CanonicalEncoding.parseLine(line);

        assertThat(line).endsWith(",\"hash\":\"" + record.hash() + "\"}");
        assertThat(read).isEqualTo(record);
        assertThat(CanonicalEncoding.recomputeHash(read)).isEqualTo(record.hash());
    }

    @Test
    void refusesALineOfAnotherVersion() {
        assertThatThrownBy(() -> CanonicalEncoding.parseLine("{\"v\":2}")).hasMessageContaining(
                "unsupported audit record version 2");
        assertThatThrownBy(() -> CanonicalEncoding.parseLine("[1]")).hasMessageContaining(
                "expected an object");
    }

    @Test
    void refusesALineWhoseChainIdDisagreesWithItsSource() {
        AuditRecord record = AuditChain.append(Optional.empty(), fixedEntry());
        String moved = CanonicalEncoding.jsonLine(record).replace(
                "\"chainId\":\"gateway.requests-2\"",
                "\"chainId\":\"gateway.requests-3\"");

        assertThatThrownBy(() -> CanonicalEncoding.parseLine(moved)).hasMessageContaining(
                "claims chain gateway.requests-3");
    }
}
