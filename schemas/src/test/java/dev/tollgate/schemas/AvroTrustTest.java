package dev.tollgate.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.PolicyDecided;
import org.junit.jupiter.api.Test;

class AvroTrustTest {

    @Test
    void buildersWithDefaultListsOfRecordsWorkOnceTrusted() {
        AvroTrust.ensure();

        PolicyDecided.Builder builder = PolicyDecided.newBuilder();

        assertThat(builder.hasRules()).isFalse();
    }
}
