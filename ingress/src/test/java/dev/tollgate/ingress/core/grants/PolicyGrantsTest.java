package dev.tollgate.ingress.core.grants;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyGrantsTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    private static PolicyGrants.InForce policy(String version, Instant at, Tool... tools) {
        return new PolicyGrants.InForce(version, at, List.of(new ToolGrant("g", List.of(List.of(
                Glob.of("bot"))), List.of(), List.of("octo/app"), Set.of(tools), false)));
    }

    @Test
    void nothingIsKnownUntilAPolicyWithGrantsIsRead() {
        PolicyGrants grants = new PolicyGrants();

        assertThat(grants.visibleTools("bot", "dev", Set.of(), List.of())).isEmpty();
        assertThat(grants.grantsOf("bot", "dev", List.of())).isEmpty();
    }

    @Test
    void theNewestPolicyWinsWhateverOrderTheEventsArriveIn() {
        PolicyGrants grants = new PolicyGrants();

        assertThat(grants.offer(policy("v2", T0.plusSeconds(10), Tool.GET_FILE))).isTrue();
        assertThat(grants.offer(policy("v1", T0, Tool.CREATE_ISSUE))).as("older").isFalse();

        assertThat(grants.inForce().orElseThrow().version()).isEqualTo("v2");
        assertThat(grants.visibleTools("bot", "dev", Set.of(), List.of()).orElseThrow()).contains(
                Tool.GET_FILE).doesNotContain(Tool.CREATE_ISSUE);
        assertThat(grants.grantsOf("other", "dev", List.of()).orElseThrow()).isEmpty();
    }

    @Test
    void aNewerEventWithoutGrantsMakesThemUnknownAgain() {
        PolicyGrants grants = new PolicyGrants();
        grants.offer(policy("v1", T0, Tool.GET_FILE));

        grants.offer(new PolicyGrants.InForce("v2", T0.plusSeconds(1), null));

        assertThat(grants.inForce()).isEmpty();
        assertThat(grants.visibleTools("bot", "dev", Set.of(), List.of())).isEmpty();
    }
}
