package dev.tollgate.audit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.audit.TestEvents;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    @Test
    void firstRecordStartsAtSequenceOneAfterGenesis() {
        AuditEntry entry = TestEvents.entries("gateway.requests", 0, 1).get(0);

        AuditRecord record = AuditChain.append(Optional.empty(), entry);

        assertThat(record.sequence()).isEqualTo(1);
        assertThat(record.previousHash()).isEqualTo(AuditChain.GENESIS);
        assertThat(record.hash()).hasSize(64).isEqualTo(CanonicalEncoding.recomputeHash(record));
    }

    @Test
    void eachRecordCarriesItsPredecessorsHash() {
        List<AuditEntry> entries = TestEvents.entries("gateway.requests", 0, 2);
        AuditRecord first = AuditChain.append(Optional.empty(), entries.get(0));

        AuditRecord second = AuditChain.append(Optional.of(AuditChain.headOf(first)), entries
                .get(1));

        assertThat(second.sequence()).isEqualTo(2);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(second.hash()).isNotEqualTo(first.hash());
    }

    @Test
    void theSameEntriesAlwaysGiveTheSameHashes() {
        List<AuditEntry> once = TestEvents.entries("gateway.results", 1, 3);
        List<AuditEntry> again = TestEvents.entries("gateway.results", 1, 3);

        assertThat(link(again)).isEqualTo(link(once));
    }

    @Test
    void linkGivesTheRecordAppendGivesAndItsJsonLine() {
        AuditRecord first = AuditChain.append(Optional.empty(), CanonicalEncodingTest
                .fixedEntry());
        ChainHead head = AuditChain.headOf(first);
        AuditEntry next = CanonicalEncodingTest.fixedEntry();

        AuditChain.Linked linked = AuditChain.link(Optional.of(head), next);

        assertThat(linked.record()).isEqualTo(AuditChain.append(Optional.of(head), next));
        assertThat(linked.record().sequence()).isEqualTo(2);
        assertThat(linked.record().previousHash()).isEqualTo(first.hash());
        assertThat(linked.jsonLine()).isEqualTo(CanonicalEncoding.jsonLine(linked.record()));
        assertThat(CanonicalEncoding.parseLine(linked.jsonLine())).isEqualTo(linked.record());
    }

    @Test
    void linkRefusesAnEntryOfAnotherChainAsAppendDoes() {
        AuditRecord first = AuditChain.append(Optional.empty(), CanonicalEncodingTest
                .fixedEntry());
        AuditEntry other = TestEvents.entries("gateway.decisions", 0, 1).get(0);

        assertThatThrownBy(() -> AuditChain.link(Optional.of(AuditChain.headOf(first)), other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                        "cannot follow");
    }

    @Test
    void refusesToLinkAnEntryIntoAnotherChain() {
        AuditEntry a = TestEvents.entries("gateway.requests", 0, 1).get(0);
        AuditEntry b = TestEvents.entries("gateway.requests", 1, 1).get(0);
        AuditRecord first = AuditChain.append(Optional.empty(), a);

        assertThatThrownBy(() -> AuditChain.append(Optional.of(AuditChain.headOf(first)), b))
                .hasMessageContaining("gateway.requests-1 cannot follow the head of chain"
                        + " gateway.requests-0");
    }

    static List<AuditRecord> link(List<AuditEntry> entries) {
        java.util.ArrayList<AuditRecord> records = new java.util.ArrayList<>();
        Optional<ChainHead> head = Optional.empty();
        for (AuditEntry entry : entries) {
            AuditRecord record = AuditChain.append(head, entry);
            records.add(record);
            head = Optional.of(AuditChain.headOf(record));
        }
        return records;
    }
}
