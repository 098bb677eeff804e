package dev.tollgate.ingress.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplyPartitionTest {

    @Test
    void aConfiguredPartitionIsUsed() {
        assertThat(ReplyPartition.resolve("4", "host-a", 6)).isEqualTo(4);
    }

    @Test
    void autoHashesTheInstanceIdStably() {
        int first = ReplyPartition.resolve("auto", "ingress-7", 6);

        assertThat(ReplyPartition.resolve("auto", "ingress-7", 6)).isEqualTo(first);
        assertThat(ReplyPartition.resolve(null, "ingress-7", 6)).isEqualTo(first);
        assertThat(first).isBetween(0, 5);
    }

    @Test
    void outOfRangeOrGarbageNamesTheFix() {
        assertThatThrownBy(() -> ReplyPartition.resolve("6", "h", 6)).hasMessageContaining(
                "partitions 0..5");
        assertThatThrownBy(() -> ReplyPartition.resolve("two", "h", 6)).hasMessageContaining(
                "must be a number or 'auto'");
        assertThatThrownBy(() -> ReplyPartition.resolve("0", "h", 0)).hasMessageContaining(
                "create it first");
    }
}
