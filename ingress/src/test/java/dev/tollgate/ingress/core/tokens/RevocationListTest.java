package dev.tollgate.ingress.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevocationListTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00.500Z"));
    private final RevocationList revocations = new RevocationList(clock);

    private AgentIdentity token(String agent, String id, Instant issuedAt) {
        return new AgentIdentity(agent, "dev", id, issuedAt, issuedAt.plus(Duration.ofHours(1)),
                Optional.empty());
    }

    private static AgentIdentity inEnvironment(String agent, String environment, String id,
            Instant issuedAt) {
        return new AgentIdentity(agent, environment, id, issuedAt, issuedAt.plus(Duration
                .ofHours(1)), Optional.empty());
    }

    private AgentIdentity member(String family, int generation, Instant familyIssuedAt) {
        Instant now = clock.instant();
        return new AgentIdentity("a", "dev", TokenIds.member(family, generation), now, now.plus(
                Duration.ofHours(1)), Optional.empty(),
                new AgentIdentity.Family(family,
                        generation, familyIssuedAt, familyIssuedAt.plus(Duration.ofDays(1))));
    }

    @Test
    void aRevokedFamilyIsRefusedAndOthersAreNot() {
        revocations.revokeFamily("t1", clock.instant(), null);

        assertThat(revocations.reason(token("a", "t1", clock.instant()))).contains(
                "token has been revoked");
        assertThat(revocations.reason(token("a", "t2", clock.instant()))).isEmpty();
    }

    @Test
    void theReplacedTokenWorksUntilItsGraceEndsAndTheOnesBeforeItStopAtOnce() {
        Instant start = clock.instant();
        revocations.rotated("f", 1, start.plusSeconds(30), start.plusSeconds(3600), null);
        revocations.rotated("f", 2, start.plusSeconds(40), start.plusSeconds(3600), null);

        assertThat(revocations.reason(member("f", 0, start))).as("two generations back")
                .isPresent();
        assertThat(revocations.reason(member("f", 1, start))).as("within its grace").isEmpty();
        assertThat(revocations.reason(member("f", 2, start))).isEmpty();
        clock.advance(Duration.ofSeconds(40));
        assertThat(revocations.reason(member("f", 1, start))).as("after its grace").isPresent();
        assertThat(revocations.reason(member("f", 2, start))).isEmpty();
    }

    @Test
    void revokingAnAgentRevokesTheFamiliesItStartedBeforeOnlyWhateverTheirRotations() {
        Instant earlier = Instant.parse("2026-11-21T11:00:00Z");
        revocations.revokeAgent("a", clock.instant());
        clock.advance(Duration.ofMinutes(5));

        assertThat(revocations.reason(member("f", 3, earlier))).as("rotated after the revocation")
                .isPresent();
        assertThat(revocations.reason(token("b", "t2", earlier))).isEmpty();
        assertThat(revocations.reason(token("a", "t3", Instant.parse("2026-11-21T12:00:01Z"))))
                .isEmpty();
    }

    @Test
    void aFamilyIsForgottenOnlyOnceNoneOfItsTokensCanBeValid() {
        Instant start = clock.instant();
        revocations.issued("f", start.plusSeconds(3600), start.plus(Duration.ofDays(1)));
        revocations.revokeFamily("f", start, null);
        revocations.revokeFamily("unknown", start, null);

        clock.advance(Duration.ofHours(2));
        revocations.prune();
        int afterTheTokensExpired = revocations.size();
        clock.advance(Duration.ofDays(367));
        revocations.prune();

        assertThat(afterTheTokensExpired).as("the family of an expired token is forgotten; a"
                + " family never seen issued is kept for the longest lifetime").isEqualTo(1);
        assertThat(revocations.size()).isZero();
    }

    @Test
    void aTokenRotatedOnceCannotBeRotatedAgain() {
        AgentIdentity parent = member("f", 0, clock.instant());

        Optional<String> first = revocations.beginRotation(parent);
        Optional<String> whileRotating = revocations.beginRotation(parent);
        revocations.rotated("f", 1, clock.instant().plusSeconds(60), clock.instant().plusSeconds(
                3600), null);
        Optional<String> again = revocations.beginRotation(parent);
        Optional<String> child = revocations.beginRotation(member("f", 1, clock.instant()));

        assertThat(first).isEmpty();
        assertThat(whileRotating).hasValueSatisfying(reason -> assertThat(reason).contains(
                "under way"));
        assertThat(again).hasValueSatisfying(reason -> assertThat(reason).contains(
                "rotated already"));
        assertThat(child).isEmpty();
    }

    @Test
    void revokingAnAgentInOneEnvironmentLeavesTheSameAgentIdInAnotherWorking() {
        Instant earlier = Instant.parse("2026-11-21T11:00:00Z");

        revocations.revokeAgent(new AgentPrincipal("prod", "deployer"), clock.instant());

        assertThat(revocations.reason(inEnvironment("deployer", "prod", "t1", earlier)))
                .hasValueSatisfying(reason -> assertThat(reason).contains(
                        "in environment prod"));
        assertThat(revocations.reason(inEnvironment("deployer", "scratch", "t2", earlier)))
                .as("scratch's deployer").isEmpty();
        assertThat(revocations.agentRevokedAt(new AgentPrincipal("scratch", "deployer")))
                .isEmpty();
        assertThat(revocations.agentRevokedAt(new AgentPrincipal("prod", "deployer")))
                .contains(new RevocationList.Revoked(clock.instant(), false));
    }

    @Test
    void revokingAnAgentInEveryEnvironmentStopsItInEachAndALaterOneEnvironmentRevocationKeepsIt() {
        Instant earlier = Instant.parse("2026-11-21T11:00:00Z");
        Instant everywhere = clock.instant();
        revocations.revokeAgent("deployer", everywhere);
        clock.advance(Duration.ofMinutes(10));
        Instant later = clock.instant();
        Instant between = everywhere.plus(Duration.ofMinutes(5));

        revocations.revokeAgent(new AgentPrincipal("scratch", "deployer"), later);

        assertThat(revocations.reason(inEnvironment("deployer", "prod", "t1", earlier)))
                .hasValueSatisfying(reason -> assertThat(reason).contains(
                        "in every environment"));
        assertThat(revocations.reason(inEnvironment("deployer", "scratch", "t2", earlier)))
                .isPresent();
        assertThat(revocations.reason(inEnvironment("deployer", "prod", "t3", between)))
                .as("prod's token issued after the revocation everywhere").isEmpty();
        assertThat(revocations.reason(inEnvironment("deployer", "scratch", "t4", between)))
                .as("scratch's token issued before scratch's own revocation").isPresent();
        assertThat(revocations.agentRevokedAt(new AgentPrincipal("prod", "deployer")))
                .contains(new RevocationList.Revoked(everywhere, true));
        assertThat(revocations.agentRevokedAt(new AgentPrincipal("scratch", "deployer")))
                .contains(new RevocationList.Revoked(later, false));
    }

    @Test
    void anAgentRevokedInOneEnvironmentIsForgottenOnlyAfterTheLongestLifetime() {
        revocations.revokeAgent(new AgentPrincipal("prod", "deployer"), clock.instant());
        clock.advance(Duration.ofDays(365));
        revocations.prune();
        int withinTheLongestLifetime = revocations.size();
        clock.advance(Duration.ofDays(2));
        revocations.prune();

        assertThat(withinTheLongestLifetime).isEqualTo(1);
        assertThat(revocations.size()).isZero();
    }
}
