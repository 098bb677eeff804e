package dev.tollgate.ingress.core.refusals;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A flood is a few tallies; the memory is bounded; nothing unprintable is kept. */
class RefusalCounterTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));

    @Test
    void aFloodFromOneClientIsOneTallyWithItsCountFirstAndLastTimes() {
        RefusalCounter counter = new RefusalCounter(clock, 100);
        for (int i = 0; i < 5000; i++) {
            counter.refused("mcp", "credential_invalid", "203.0.113.7", null, null,
                    "token signature"
                            + " is not valid" + (i == 0 ? "" : " " + i));
            clock.advance(Duration.ofMillis(1));
        }
        counter.refused("mcp", "rate_limited", "203.0.113.7", "agent-1", "prod", "slow down");

        List<RefusalCounter.Tally> tallies = counter.drain();

        assertThat(tallies).hasSize(2);
        RefusalCounter.Tally flood = tallies.getFirst();
        assertThat(flood.key()).isEqualTo(new RefusalCounter.Key("mcp", "credential_invalid",
                "203.0.113.7", null, null));
        assertThat(flood.count()).isEqualTo(5000);
        assertThat(flood.first()).isEqualTo(Instant.parse("2026-12-04T12:00:00Z"));
        assertThat(flood.last()).isEqualTo(Instant.parse("2026-12-04T12:00:04.999Z"));
        assertThat(flood.detail()).as("the first refusal's detail").isEqualTo(
                "token signature is not valid");
        assertThat(tallies.get(1).key().agent()).isEqualTo("agent-1");
        assertThat(tallies.get(1).key().environment()).isEqualTo("prod");
        assertThat(counter.drain()).as("drained").isEmpty();
    }

    @Test
    void beyondTheBoundNewClientsAreCountedTogetherSoAFloodOfAddressesCannotGrowTheHeap() {
        RefusalCounter counter = new RefusalCounter(clock, 3);
        for (int i = 0; i < 1000; i++) {
            counter.refused("mcp", "credential_missing", "10.0." + (i / 256) + "." + (i % 256),
                    null, null, "send your token");
        }

        List<RefusalCounter.Tally> tallies = counter.drain();

        assertThat(tallies).hasSize(4);
        assertThat(tallies.getLast().key().client()).isEqualTo(RefusalCounter.OTHER_CLIENTS);
        assertThat(tallies.stream().mapToLong(RefusalCounter.Tally::count).sum()).isEqualTo(1000);
        assertThat(tallies.getLast().count()).isEqualTo(997);
    }

    @Test
    void addressesAndDetailsAreKeptPrintableAndShort() {
        RefusalCounter counter = new RefusalCounter(clock, 10);
        counter.refused("admin", "credential_invalid", "1.2.3.4\nforged: line", null, null,
                "x"
                        .repeat(500) + "\r\n");
        counter.refused("webhook", "invalid_signature", null, null, null, null);

        List<RefusalCounter.Tally> tallies = counter.drain();

        assertThat(tallies.getFirst().key().client()).isEqualTo("1.2.3.4?forged: line");
        assertThat(tallies.getFirst().detail()).hasSize(RefusalCounter.MAX_DETAIL + 3)
                .doesNotContain("\n");
        assertThat(tallies.get(1).key().client()).isEqualTo("(unknown)");
        assertThat(tallies.get(1).detail()).isNull();
    }

    @Test
    void theSameAgentIdInTwoEnvironmentsIsCountedApartWithItsEnvironment() {
        RefusalCounter counter = new RefusalCounter(clock, 10);
        counter.refused("mcp", "rate_limited", "10.0.0.1", "deployer", "prod", "slow down");
        counter.refused("mcp", "rate_limited", "10.0.0.1", "deployer", "scratch", "slow down");
        counter.refused("mcp", "rate_limited", "10.0.0.1", "deployer", "scratch", "slow down");

        List<RefusalCounter.Tally> tallies = counter.drain();

        assertThat(tallies).extracting(RefusalCounter.Tally::key).containsExactly(
                new RefusalCounter.Key("mcp", "rate_limited", "10.0.0.1", "deployer", "prod"),
                new RefusalCounter.Key("mcp", "rate_limited", "10.0.0.1", "deployer",
                        "scratch"));
        assertThat(tallies).extracting(RefusalCounter.Tally::count).containsExactly(1L, 2L);
    }
}
