package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import java.util.Random;
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

    static final String CLUSTER = "MkU3OEVBNTcwNTJENDM2Qk";

    /** {@link #fixedEntry()} read from a known Kafka cluster. */
    static AuditEntry fixedEntryWithCluster() {
        AuditEntry entry = fixedEntry();
        SourcePosition s = entry.source();
        return new AuditEntry(entry.eventId(), entry.eventType(), new SourcePosition(s.topic(), s
                .partition(), s.offset(), s.timestamp(), CLUSTER), entry.occurredAt(), entry
                        .producer(),
                entry.requestId(), entry.agentId(), entry.environment(), entry.action(), entry
                        .resource(),
                entry.repository(), null, null, null, null, null, entry.contextJson());
    }

    @Test
    void writesVersionTwoWithTheSourceClusterAfterTheSourceTimestamp() {
        String canonical = CanonicalEncoding.encode(fixedEntryWithCluster(), 1,
                AuditChain.GENESIS);

        assertThat(canonical).startsWith("{\"v\":2,\"chainId\":\"gateway.requests-2\",")
                .contains("\"sourceTimestamp\":\"2026-11-21T10:00:00.500Z\",\"sourceCluster\":\""
                        + CLUSTER + "\",\"occurredAt\":")
                .isEqualTo(CanonicalEncoding.encode(fixedEntry(), 1, AuditChain.GENESIS)
                        .replace("{\"v\":1,", "{\"v\":2,").replace(
                                "\"occurredAt\":", "\"sourceCluster\":\"" + CLUSTER
                                        + "\",\"occurredAt\":"));
    }

    @Test
    void versionTwoHashIsSha256OfItsCanonicalUtf8Bytes() {
        // Golden value: computed outside Java (Python hashlib over the documented version-2 text).
        String hash = CanonicalEncoding.hash(fixedEntryWithCluster(), 1, AuditChain.GENESIS);

        assertThat(hash).isEqualTo(
                "f8e2789e024ebf640dbbc78f556af339b0ab9db168a7731d1b9d1e72e7210727");
    }

    @Test
    void aVersionTwoLineReadsBackWithItsCluster() {
        AuditRecord record = AuditChain.append(Optional.empty(), fixedEntryWithCluster());

        AuditRecord read = CanonicalEncoding.parseLine(CanonicalEncoding.jsonLine(record));

        assertThat(read).isEqualTo(record);
        assertThat(read.entry().source().cluster()).isEqualTo(CLUSTER);
        assertThat(CanonicalEncoding.recomputeHash(read)).isEqualTo(record.hash());
    }

    @Test
    void refusesAVersionTwoLineWithoutItsClusterAndAVersionOneLineWithOne() {
        String v2 = CanonicalEncoding.jsonLine(AuditChain.append(Optional.empty(),
                fixedEntryWithCluster()));
        String v1 = CanonicalEncoding.jsonLine(AuditChain.append(Optional.empty(),
                fixedEntry()));

        assertThatThrownBy(() -> CanonicalEncoding.parseLine(v2.replace("\"sourceCluster\":\""
                + CLUSTER + "\"", "\"sourceCluster\":null"))).hasMessageContaining(
                        "lacks sourceCluster");
        // A cluster added to a version-1 line would not be covered by its hash: refused.
        assertThatThrownBy(() -> CanonicalEncoding.parseLine(v1.replace("\"occurredAt\":",
                "\"sourceCluster\":\"X\",\"occurredAt\":"))).hasMessageContaining(
                        "a version-1 audit record has no sourceCluster");
    }

    @Test
    void escapesOnlyQuotesBackslashesAndControlCharacters() {
        StringBuilder out = new StringBuilder();

        CanonicalEncoding.quote(out, "a\"b\\c\u0001\t/\u00e9\u2028");

        assertThat(out).hasToString("\"a\\\"b\\\\c\\u0001\\t/\u00e9\u2028\"");
    }

    @Test
    void escapesEveryControlCharacterAsSixCharactersUnlessItHasAShortForm() {
        for (char c = 0; c < 0x20; c++) {
            StringBuilder out = new StringBuilder();

            CanonicalEncoding.quote(out, "x" + c + "y");

            assertThat(out).as("U+%04X", (int) c).hasToString("\"x" + escaped(c) + "y\"");
        }
    }

    @Test
    void quotesRandomTextExactlyAsTheCharacterByCharacterDefinition() {
        // Runs of plain characters are appended in bulk; the result must not differ from the
        // definition in the class comment, applied one character at a time.
        Random random = new Random(20261122);
        String alphabet = "ab \"\\/\u0000\u0001\u001f\b\f\n\r\t\u007f\u00e9\u2028\ud83d\ude00{}:,";
        for (int n = 0; n < 2_000; n++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            StringBuilder out = new StringBuilder();

            CanonicalEncoding.quote(out, text.toString());

            assertThat(out).hasToString(quotedOneByOne(text.toString()));
        }
    }

    /** A control character as the class comment says: a short form, else six characters. */
    private static String escaped(char control) {
        return switch (control) {
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> String.format("\\u%04x", (int) control);
        };
    }

    private static String quotedOneByOne(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(escaped(c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    @Test
    void aJsonLineFromTheCanonicalTextEqualsTheOneFromTheRecord() {
        AuditRecord record = AuditChain.append(Optional.empty(), fixedEntry());

        String fromCanonical = CanonicalEncoding.jsonLine(CanonicalEncoding.encode(record),
                record.hash());

        assertThat(fromCanonical).isEqualTo(CanonicalEncoding.jsonLine(record));
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
        assertThatThrownBy(() -> CanonicalEncoding.parseLine("{\"v\":3}")).hasMessageContaining(
                "unsupported audit record version 3");
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
