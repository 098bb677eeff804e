package dev.tollgate.ingress.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevocationListTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00.500Z"));
    private final RevocationList revocations = new RevocationList(clock, Duration.ofDays(1));

    private AgentIdentity token(String agent, String id, Instant issuedAt) {
        return new AgentIdentity(agent, "dev", id, issuedAt, issuedAt.plus(Duration.ofHours(1)),
                Optional.empty());
    }

    @Test
    void revokedTokenIsRefusedAndOthersAreNot() {
        revocations.revokeToken("t1", clock.instant());

        assertThat(revocations.reason(token("a", "t1", clock.instant()))).contains(
                "token has been revoked");
        assertThat(revocations.reason(token("a", "t2", clock.instant()))).isEmpty();
    }

    @Test
    void rotatedTokenKeepsWorkingUntilTheGraceEnds() {
        revocations.revokeToken("old", clock.instant().plus(Duration.ofSeconds(30)));

        assertThat(revocations.reason(token("a", "old", clock.instant()))).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        assertThat(revocations.reason(token("a", "old", clock.instant()))).isPresent();
    }

    @Test
    void revokingAnAgentRevokesItsEarlierTokensOnly() {
        Instant earlier = Instant.parse("2026-11-21T11:00:00Z");
        revocations.revokeAgent("a", clock.instant());

        assertThat(revocations.reason(token("a", "t1", earlier))).isPresent();
        assertThat(revocations.reason(token("b", "t2", earlier))).isEmpty();
        assertThat(revocations.reason(token("a", "t3", Instant.parse("2026-11-21T12:00:01Z"))))
                .isEmpty();
    }

    @Test
    void entriesAreForgottenOnceNoValidTokenCanMatch() {
        revocations.revokeToken("t1", clock.instant());
        revocations.revokeAgent("a", clock.instant());

        clock.advance(Duration.ofDays(1).plusSeconds(1));
        revocations.prune();

        assertThat(revocations.size()).isZero();
    }
}
