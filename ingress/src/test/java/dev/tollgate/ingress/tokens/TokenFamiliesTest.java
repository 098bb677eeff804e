package dev.tollgate.ingress.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.InvalidTokenRequestException;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.RotationRefusedException;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.testsupport.MutableClock;
import dev.tollgate.tools.ToolCatalogue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attacks on gateway token rotation: living forever by rotating, forking a family, outliving a
 * revocation, growing every replica's heap and start-up replay, and reviving a token by changing
 * the configuration. The token records go to a list standing in for gateway.agent-tokens; a
 * "restart" is a fresh service built from what compaction would keep of that list.
 */
class TokenFamiliesTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef-families".getBytes(
            StandardCharsets.UTF_8);
    private static final Duration GRACE = Duration.ofSeconds(60);

    /** A record as it went to the topic. */
    record Written(String key, AgentTokenChanged event) {
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));
    private final List<Written> topic = new ArrayList<>();

    private TokenService service(Duration maxLifetime) {
        GatewayTokens tokens = new GatewayTokens(KEY, clock, ToolCatalogue.standard().names());
        TokenService service = new TokenService(tokens, new TokenRules(Duration.ofHours(1),
                maxLifetime), new RevocationList(clock),
                (key, event) -> topic.add(new Written(key,
                        event)),
                clock, GRACE, ToolCatalogue.standard().names());
        service.revocationsCurrentWhile(() -> readerRunning);
        return service;
    }

    /** Whether the replica's reader of the token records runs. */
    private boolean readerRunning = true;

    /** A replica started now, having read what a compacted topic keeps: the last record per key. */
    private TokenService restarted(Duration maxLifetime) {
        Map<String, AgentTokenChanged> compacted = new LinkedHashMap<>();
        for (Written written : topic) {
            compacted.remove(written.key());
            compacted.put(written.key(), written.event());
        }
        TokenService replica = service(maxLifetime);
        compacted.values().forEach(replica::apply);
        return replica;
    }

    private static GatewayTokens.Minted mint(TokenService service, String agent, long seconds)
            throws Exception {
        return service.issue(Map.of("agent", agent, "environment", "dev", "expires-in",
                seconds), "admin-key", "10.0.0.1");
    }

    private static GatewayTokens.Minted mintIn(TokenService service, String agent,
            String environment) throws Exception {
        return service.issue(Map.of("agent", agent, "environment", environment, "expires-in",
                3600), "admin-key", "10.0.0.1");
    }

    private static String refusal(TokenService service, String token) {
        try {
            service.authenticate(token);
            return null;
        } catch (TokenRejectedException e) {
            return e.getMessage();
        }
    }

    @Test
    void rotatingNeverCarriesATokenPastItsFamilysFirstIssuePlusTheMaximumLifetime()
            throws Exception {
        TokenService service = service(Duration.ofHours(3));
        GatewayTokens.Minted current = mint(service, "bot", 3600);
        Instant familyEnd = clock.instant().plus(Duration.ofHours(3));

        List<Instant> expiries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(50));
            current = service.rotate(service.authenticate(current.token()), "10.0.0.2");
            expiries.add(current.identity().expiresAt());
        }
        AgentIdentity newest = current.identity();
        clock.advance(Duration.ofMinutes(31)); // 3 h 1 min after the first issue
        String afterTheEnd = refusal(service, current.token());

        assertThat(expiries).as("each rotation's expiry").allSatisfy(expiry -> assertThat(expiry)
                .isBeforeOrEqualTo(familyEnd));
        assertThat(expiries.get(2)).as("cut at the family's end, not 1 h after the rotation")
                .isEqualTo(familyEnd);
        assertThat(newest.family().expiresAt()).isEqualTo(familyEnd);
        assertThat(afterTheEnd).as("the newest rotation after the family's end").isNotNull();
        assertThatThrownBy(() -> service.rotate(newest, "10.0.0.2")).isInstanceOf(
                TokenRejectedException.class).hasMessageContaining("family expired");
    }

    @Test
    void aTokenReplacedOrRevokedAfterTheMaximumLifetimeWasLoweredStaysRefusedAfterARestart()
            throws Exception {
        TokenService before = service(Duration.ofDays(30));
        GatewayTokens.Minted replaced = mint(before, "bot", Duration.ofDays(30).toSeconds());
        GatewayTokens.Minted revoked = mint(before, "other", Duration.ofDays(30).toSeconds());
        TokenService lowered = restarted(Duration.ofHours(1));
        GatewayTokens.Minted successor = lowered.rotate(lowered.authenticate(replaced.token()),
                "10.0.0.2");
        lowered.rotate(lowered.authenticate(revoked.token()), "10.0.0.2");
        lowered.revokeToken(revoked.identity().tokenId(), null, null, "admin-key", "10.0.0.1");

        clock.advance(Duration.ofHours(2)); // the successors (1 h) ended; the first tokens (30 d) not
        TokenService replica = restarted(Duration.ofHours(1));
        replica.revocations().prune();

        assertThat(successor.identity().expiresAt()).as("the rotation under the lowered maximum")
                .isBefore(clock.instant());
        assertThat(refusal(replica, replaced.token())).as("the replaced first token, replayed"
                + " from the compacted records").contains("replaced by a rotation");
        assertThat(refusal(replica, revoked.token())).as("the revoked first token").isEqualTo(
                "token has been revoked");
    }

    @Test
    void noTokenIsAcceptedWhileTheTokenRecordsAreNotRead() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted minted = mint(service, "bot", 3600);
        AgentIdentity identity = service.authenticate(minted.token());

        readerRunning = false;

        assertThatThrownBy(() -> service.authenticate(minted.token())).isInstanceOf(
                TokenService.RevocationsUnavailableException.class).hasMessageContaining(
                        "cannot tell whether a token was revoked");
        assertThat(service.stillValid(identity)).as("an open event stream ends").isFalse();
        readerRunning = true;
        assertThat(service.authenticate(minted.token()).tokenId()).isEqualTo(identity.tokenId());
        assertThat(service.stillValid(identity)).isTrue();
    }

    @Test
    void aRotatedTokenCannotBeRotatedAgainToForkItsFamily() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted parent = mint(service, "bot", 3600);
        AgentIdentity parentIdentity = service.authenticate(parent.token());
        GatewayTokens.Minted child = service.rotate(parentIdentity, "10.0.0.2");

        List<String> forks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            try {
                forks.add(service.rotate(service.authenticate(parent.token()), "10.0.0.2").token());
            } catch (RotationRefusedException e) {
                forks.add("refused: " + e.getMessage());
            }
        }
        String parentWithinGrace = refusal(service, parent.token());
        clock.advance(GRACE);
        String parentAfterGrace = refusal(service, parent.token());

        assertThat(forks).allSatisfy(fork -> assertThat(fork).startsWith(
                "refused: this token was rotated already"));
        assertThat(parentWithinGrace).as("the replaced token still works during the grace")
                .isNull();
        assertThat(parentAfterGrace).contains("replaced by a rotation");
        assertThat(refusal(service, child.token())).isNull();
        assertThat(child.identity().tokenId()).isEqualTo(parent.identity().tokenId() + ".1");
    }

    @Test
    void anAgentRotatingItsTokenIsRecordedAsTheAgentNeverAsAnAdminOfTheSameName()
            throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted namedLikeTheKey = mint(service, "admin-key", 3600);
        GatewayTokens.Minted namedLikeAnAdmin = mint(service, "oidc:people:ada@example.com", 3600);

        service.rotate(service.authenticate(namedLikeTheKey.token()), "10.0.0.2");
        service.rotate(service.authenticate(namedLikeAnAdmin.token()), "10.0.0.2");

        assertThat(topic).extracting(written -> written.event().getAction() + " "
                + written.event().getAgentId() + " by " + written.event().getActor())
                .containsExactly("ISSUED admin-key by admin-key",
                        "ISSUED oidc:people:ada@example.com by admin-key",
                        "ROTATED admin-key by agent:admin-key",
                        "ROTATED oidc:people:ada@example.com by agent:oidc:people:ada@example.com");
    }

    @Test
    void aRotationRecordedBeforeActorsWerePrefixedStillReplaysAsARotation() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted parent = mint(service, "admin-key", 3600);
        service.rotate(service.authenticate(parent.token()), "10.0.0.2");
        Written rotation = topic.get(topic.size() - 1);
        AgentTokenChanged old = AgentTokenChanged.newBuilder(rotation.event()).setActor(
                "admin-key").build(); // as written before 2026-12-07: the bare agent ID
        topic.set(topic.size() - 1, new Written(rotation.key(), old));

        clock.advance(GRACE);
        TokenService replica = restarted(Duration.ofDays(30));

        assertThat(refusal(replica, parent.token())).contains("replaced by a rotation");
    }

    @Test
    void revokingAnyMemberOfAFamilyRevokesEveryRotationOfIt() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted first = mint(service, "bot", 3600);
        GatewayTokens.Minted second = service.rotate(service.authenticate(first.token()),
                "10.0.0.2");
        GatewayTokens.Minted third = service.rotate(service.authenticate(second.token()),
                "10.0.0.2");
        GatewayTokens.Minted otherFamily = mint(service, "bot", 3600);

        service.revokeToken(second.identity().tokenId(), null, "leaked in a log", "admin-key",
                "10.0.0.1");

        assertThat(refusal(service, third.token())).isEqualTo("token has been revoked");
        assertThat(refusal(service, second.token())).isEqualTo("token has been revoked");
        assertThat(refusal(service, first.token())).isNotNull();
        assertThat(refusal(service, otherFamily.token())).isNull();
        assertThatThrownBy(() -> service.rotate(service.authenticate(third.token()), "10.0.0.2"))
                .isInstanceOf(TokenRejectedException.class);
    }

    @Test
    void aThousandRotationsKeepOneEntryInMemoryAndOneRecordAfterCompaction() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted current = mint(service, "bot", 3600);
        List<String> replaced = new ArrayList<>();

        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofSeconds(2));
            replaced.add(current.token());
            current = service.rotate(service.authenticate(current.token()), "10.0.0.2");
        }
        clock.advance(GRACE);
        TokenService replica = restarted(Duration.ofDays(30));

        assertThat(service.revocations().size()).as("entries held for the family").isEqualTo(1);
        assertThat(topic.stream().map(Written::key).distinct()).as("keys written").hasSize(1);
        assertThat(topic).as("one record per rotation, none for the old token's revocation")
                .hasSize(1001);
        assertThat(replica.revocations().size()).isEqualTo(1);
        assertThat(replaced).allSatisfy(token -> assertThat(refusal(replica, token)).as(
                "a replaced token after a restart").contains("replaced by a rotation"));
        assertThat(refusal(replica, current.token())).isNull();
    }

    @Test
    void aRestartedReplicaRefusesWhatTheFirstRefusedFromTheCompactedRecordsAlone()
            throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted revoked = mint(service, "bot", 3600);
        GatewayTokens.Minted revokedChild = service.rotate(service.authenticate(revoked
                .token()), "10.0.0.2");
        service.revokeToken(revoked.identity().tokenId(), null, null, "admin-key", "10.0.0.1");
        GatewayTokens.Minted ofRevokedAgent = mint(service, "gone", 3600);
        GatewayTokens.Minted rotatedOfRevokedAgent = service.rotate(service.authenticate(
                ofRevokedAgent.token()), "10.0.0.2");
        clock.advance(Duration.ofSeconds(1));
        service.revokeAgent("gone", null, "admin-key", "10.0.0.1");
        clock.advance(Duration.ofSeconds(1));
        GatewayTokens.Minted afterwards = mint(service, "gone", 3600);
        GatewayTokens.Minted live = mint(service, "bot", 3600);

        TokenService replica = restarted(Duration.ofDays(30));

        assertThat(refusal(replica, revokedChild.token())).isEqualTo("token has been revoked");
        assertThat(refusal(replica, rotatedOfRevokedAgent.token())).contains("have been revoked");
        assertThat(refusal(replica, afterwards.token())).isNull();
        assertThat(refusal(replica, live.token())).isNull();
        assertThat(topic).extracting(Written::key).contains("revoked:" + revoked.identity()
                .tokenId(), "agent:gone", "family:" + live.identity().tokenId());
        assertThat(topic).filteredOn(w -> w.event().getAction() == AgentTokenAction.ROTATED)
                .allSatisfy(w -> assertThat(w.event().toString()).doesNotContain(revokedChild
                        .token()));
    }

    @Test
    void noChangeOfTheMaximumLifetimeRevivesARevokedOrExpiredToken() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted revoked = mint(service, "bot", Duration.ofDays(30).toSeconds());
        service.revokeToken(revoked.identity().tokenId(), null, null, "admin-key", "10.0.0.1");
        TokenService shortLived = service(Duration.ofDays(2));
        GatewayTokens.Minted expiring = mint(shortLived, "bot", 3600);

        clock.advance(Duration.ofDays(3));
        TokenService lowered = restarted(Duration.ofDays(1));
        lowered.revocations().prune();
        TokenService raised = restarted(Duration.ofDays(365));
        raised.revocations().prune();
        AgentIdentity expiredHolder = expiring.identity();

        assertThat(refusal(lowered, revoked.token())).as("max-lifetime lowered to 1 day")
                .isEqualTo("token has been revoked");
        assertThat(refusal(raised, revoked.token())).as("max-lifetime raised to 365 days")
                .isEqualTo("token has been revoked");
        assertThatThrownBy(() -> raised.rotate(expiredHolder, "10.0.0.2")).as(
                "rotating a family that ended under the old maximum")
                .isInstanceOf(TokenRejectedException.class).hasMessageContaining(
                        "family expired");
    }

    @Test
    void revokingAnAgentInOneEnvironmentRecordsItAndAReplicaAppliesItThereOnly()
            throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted prod = mintIn(service, "deployer", "prod");
        GatewayTokens.Minted scratch = mintIn(service, "deployer", "scratch");

        service.revokeAgent("deployer", "prod", "leaked", "admin-key", "10.0.0.1");
        TokenService replica = restarted(Duration.ofDays(30));

        assertThat(refusal(service, prod.token())).contains("in environment prod");
        assertThat(refusal(service, scratch.token())).isNull();
        assertThat(refusal(replica, prod.token())).contains("in environment prod");
        assertThat(refusal(replica, scratch.token())).as("scratch's deployer on a replica")
                .isNull();
        Written record = topic.get(topic.size() - 1);
        assertThat(record.key()).isEqualTo("agent-in:prod:deployer");
        assertThat(record.event().getEnvironment()).isEqualTo("prod");
        assertThat(record.event().getTokenId()).isNull();
    }

    @Test
    void compactionKeepsARevocationInEveryEnvironmentBesideALaterOneInOneEnvironment()
            throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted prod = mintIn(service, "deployer", "prod");
        GatewayTokens.Minted scratch = mintIn(service, "deployer", "scratch");
        clock.advance(Duration.ofSeconds(1));
        service.revokeAgent("deployer", null, "admin-key", "10.0.0.1");
        clock.advance(Duration.ofSeconds(1));
        service.revokeAgent("deployer", "scratch", null, "admin-key", "10.0.0.1");

        TokenService replica = restarted(Duration.ofDays(30));

        assertThat(refusal(replica, prod.token())).as("revoked in every environment")
                .contains("in every environment");
        assertThat(refusal(replica, scratch.token())).isNotNull();
        assertThat(topic).extracting(Written::key).contains("agent:deployer",
                "agent-in:scratch:deployer");
    }

    @Test
    void aRevocationRecordWithoutAnEnvironmentRevokesTheAgentInEveryEnvironment()
            throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted prod = mintIn(service, "deployer", "prod");
        GatewayTokens.Minted scratch = mintIn(service, "deployer", "scratch");
        clock.advance(Duration.ofSeconds(1));
        // as every record of an agent's revocation was written before environments could be named
        AgentTokenChanged old = AgentTokenChanged.newBuilder().setMeta(EventMetas.create(
                Roles.INGRESS, null, clock)).setAction(AgentTokenAction.REVOKED).setAgentId(
                        "deployer")
                .setExpiresAt(clock.instant()).setActor("admin").build();

        service.apply(old);

        assertThat(old.getEnvironment()).isNull();
        assertThat(refusal(service, prod.token())).contains("in every environment");
        assertThat(refusal(service, scratch.token())).contains("in every environment");
    }

    @Test
    void aRevocationInAMalformedEnvironmentIsRefusedAndChangesNothing() throws Exception {
        TokenService service = service(Duration.ofDays(30));
        GatewayTokens.Minted prod = mintIn(service, "deployer", "prod");
        int recorded = topic.size();

        assertThatThrownBy(() -> service.revokeAgent("deployer", "Prod!", null, "admin-key",
                "10.0.0.1")).isInstanceOf(InvalidTokenRequestException.class).hasMessageContaining(
                        "environment must be");

        assertThat(topic).hasSize(recorded);
        assertThat(refusal(service, prod.token())).isNull();
    }
}
