package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.tools.Tool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The streams that carry tools/list_changed, with frames written straight to lists. */
class ToolListStreamsTest {

    private static final Instant NOW = Instant.parse("2026-12-05T03:00:00Z");
    private static final ToolListStreams.Limits LIMITS = new ToolListStreams.Limits(2, 4,
            Duration.ofSeconds(25), Duration.ofMinutes(30), Duration.ofSeconds(2));

    private final Map<String, Set<Tool>> tools = new HashMap<>();
    private final Set<String> revoked = new HashSet<>();
    private Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final ToolListStreams streams = new ToolListStreams(identity -> tools.getOrDefault(
            identity.agentId(), Set.of()), identity -> !revoked.contains(identity.tokenId()),
            () -> clock.instant(), LIMITS, Runnable::run);

    /** Frames written to it, and whether it was closed. */
    private static final class Recorded implements ToolListStreams.Sink {

        final List<String> frames = new ArrayList<>();
        boolean closed;
        boolean gone;

        @Override
        public boolean send(String frame) {
            if (gone) {
                return false;
            }
            frames.add(frame);
            return true;
        }

        @Override
        public void close() {
            closed = true;
        }

        long notifications() {
            return frames.stream().filter(frame -> frame.contains(ToolListStreams.LIST_CHANGED))
                    .count();
        }
    }

    private static AgentIdentity identity(String agent, String tokenId, Instant expiresAt) {
        return new AgentIdentity(agent, "ci", tokenId, NOW.minusSeconds(60), expiresAt, Optional
                .empty());
    }

    private static AgentIdentity identity(String agent) {
        return identity(agent, agent + "-token", NOW.plus(Duration.ofDays(1)));
    }

    private Recorded open(AgentIdentity identity, String lastEventId, String version) {
        assertThat(streams.refusal(identity)).isEmpty();
        Recorded sink = new Recorded();
        assertThat(streams.open(identity, lastEventId, version, sink)).isNotNull();
        return sink;
    }

    @Test
    void anAgentWhoseToolsChangeIsNotifiedOnceAndAnAgentWhoseToolsStayIsNot() {
        tools.put("reader", EnumSet.of(Tool.GET_FILE, Tool.LIST_ISSUES));
        tools.put("writer", EnumSet.of(Tool.CREATE_ISSUE));
        Recorded reader = open(identity("reader"), null, "2025-06-18");
        Recorded writer = open(identity("writer"), null, "2025-06-18");

        tools.put("reader", EnumSet.of(Tool.GET_FILE));
        streams.policyChanged();
        streams.policyChanged(); // the same tools again: nothing new to say

        assertThat(reader.notifications()).isEqualTo(1);
        assertThat(reader.frames.getLast()).startsWith("id: " + ToolListStreams.tagOf(EnumSet.of(
                Tool.GET_FILE)) + "\nevent: message\ndata: ").endsWith("\n\n");
        assertThat(writer.notifications()).isZero();
        assertThat(writer.frames).singleElement().asString().startsWith("retry: 2000\n")
                .doesNotContain("data: {");
    }

    @Test
    void aStreamOfMcp20251125IsPrimedWithTheTagOfItsToolsAndOlderOnesWithAComment() {
        tools.put("reader", EnumSet.of(Tool.GET_FILE));
        Recorded recent = open(identity("reader"), null, "2025-11-25");
        Recorded older = open(identity("reader"), null, null);

        assertThat(recent.frames).containsExactly("retry: 2000\nid: " + ToolListStreams.tagOf(
                EnumSet.of(Tool.GET_FILE)) + "\ndata: \n\n");
        assertThat(older.frames).singleElement().asString().startsWith("retry: 2000\n: ")
                .doesNotContain("id:").doesNotContain("data:");
    }

    @Test
    void aClientThatReconnectsIsNotifiedAtOnceIfItsToolsChangedWhileItWasAway() {
        tools.put("reader", EnumSet.of(Tool.GET_FILE, Tool.LIST_ISSUES));
        String before = ToolListStreams.tagOf(tools.get("reader"));
        tools.put("reader", EnumSet.of(Tool.GET_FILE));

        Recorded changed = open(identity("reader"), before, "2025-11-25");
        Recorded same = open(identity("reader"), ToolListStreams.tagOf(tools.get("reader")),
                "2025-11-25");
        Recorded nonsense = open(identity("reader"), "x".repeat(ToolListStreams.MAX_EVENT_ID
                + 1), "2025-11-25");

        assertThat(changed.notifications()).isEqualTo(1);
        assertThat(same.notifications()).isZero();
        assertThat(nonsense.notifications()).as("an overlong ID is no ID").isZero();
    }

    @Test
    void aNewStreamBeyondTheAgentsLimitEndsItsOldestAndNoOtherAgentsStream() {
        Recorded other = open(identity("other"), null, null);
        Recorded first = open(identity("reader"), null, null);
        Recorded second = open(identity("reader"), null, null);
        Recorded third = open(identity("reader"), null, null);

        assertThat(first.closed).isTrue();
        assertThat(second.closed).isFalse();
        assertThat(third.closed).isFalse();
        assertThat(other.closed).isFalse();
        assertThat(streams.open()).isEqualTo(3);
    }

    @Test
    void theSameAgentIdInAnotherEnvironmentNeitherCountsNorEndsTheOthersStreams() {
        AgentIdentity prod = new AgentIdentity("deployer", "prod", "prod-token", NOW
                .minusSeconds(60), NOW.plus(Duration.ofDays(1)), Optional.empty());
        AgentIdentity scratch = new AgentIdentity("deployer", "scratch", "scratch-token", NOW
                .minusSeconds(60), NOW.plus(Duration.ofDays(1)), Optional.empty());
        Recorded prodFirst = open(prod, null, null);
        Recorded prodSecond = open(prod, null, null);

        Recorded scratchFirst = open(scratch, null, null);
        Recorded scratchSecond = open(scratch, null, null);

        assertThat(prodFirst.closed).as("prod's oldest, when scratch opened two").isFalse();
        assertThat(prodSecond.closed).isFalse();
        assertThat(scratchFirst.closed).isFalse();
        assertThat(scratchSecond.closed).isFalse();
        assertThat(streams.open()).isEqualTo(4);
    }

    @Test
    void aFullReplicaRefusesANewAgentsStreamButAnAgentAtItsOwnLimitStillReplacesItsOldest() {
        open(identity("a"), null, null);
        open(identity("a"), null, null);
        open(identity("b"), null, null);
        open(identity("b"), null, null);

        assertThat(streams.refusal(identity("c"))).hasValueSatisfying(why -> assertThat(why)
                .contains("tollgate.ingress.streams.max").contains("tools/list"));
        assertThat(streams.refusal(identity("a"))).as("a replaces its own oldest").isEmpty();
        Recorded again = open(identity("a"), null, null);
        assertThat(again.closed).isFalse();
        assertThat(streams.open()).isEqualTo(4);
    }

    @Test
    void aRevokedTokenHearsNothingMoreItsStreamEnds() {
        tools.put("reader", EnumSet.of(Tool.GET_FILE, Tool.LIST_ISSUES));
        Recorded reader = open(identity("reader"), null, null);
        revoked.add("reader-token");

        tools.put("reader", EnumSet.of(Tool.GET_FILE));
        streams.policyChanged();

        assertThat(reader.notifications()).isZero();
        assertThat(reader.closed).isTrue();
        assertThat(streams.open()).isZero();
    }

    @Test
    void aTickKeepsStreamsAliveAndEndsThoseWhoseTokenExpiredOrLifeRanOut() {
        Recorded shortToken = open(identity("a", "a-token", NOW.plusSeconds(60)), null, null);
        Recorded longToken = open(identity("b"), null, null);
        Recorded revokedLater = open(identity("c"), null, null);

        streams.tick();
        assertThat(longToken.frames.getLast()).isEqualTo(": keep-alive\n\n");
        assertThat(shortToken.closed).isFalse();

        clock = Clock.fixed(NOW.plusSeconds(61), ZoneOffset.UTC);
        revoked.add("c-token");
        streams.tick();
        assertThat(shortToken.closed).as("its token expired").isTrue();
        assertThat(revokedLater.closed).as("its token was revoked").isTrue();
        assertThat(longToken.closed).isFalse();

        clock = Clock.fixed(NOW.plus(LIMITS.maxLife()), ZoneOffset.UTC);
        streams.tick();
        assertThat(longToken.closed).as("its life ran out; its client reconnects").isTrue();
    }

    @Test
    void aClientGoneIsFoundByTheWriteThatFailsAndForgotten() {
        Recorded gone = open(identity("reader"), null, null);
        gone.gone = true;

        streams.tick();

        assertThat(gone.closed).isTrue();
        assertThat(streams.open()).isZero();
    }

    @Test
    void atShutdownEveryStreamEndsAndNoneOpens() {
        Recorded open = open(identity("reader"), null, null);

        streams.closeAll();

        assertThat(open.closed).isTrue();
        assertThat(streams.refusal(identity("reader"))).hasValueSatisfying(why -> assertThat(
                why).contains("shutting down"));
        assertThat(streams.open(identity("reader"), null, null, new Recorded())).isNull();
        assertThat(streams.open()).isZero();
    }

    @Test
    void aDrainEndsEveryStreamWhenItBeginsAndStillWaitsForTheCalls() {
        Recorded open = open(identity("reader"), null, null);
        boolean[] draining = {false};
        Drain.Calls calls = McpConfiguration.alsoEndingStreams(new Drain.Calls() {
            @Override
            public void startDraining() {
                draining[0] = true;
            }

            @Override
            public int inFlight() {
                return 3;
            }
        }, streams);

        calls.startDraining();

        assertThat(draining[0]).isTrue();
        assertThat(calls.inFlight()).isEqualTo(3);
        assertThat(open.closed).as("its client reconnects to another replica").isTrue();
        assertThat(streams.refusal(identity("reader"))).isPresent();
    }

    @Test
    void theTagIsTheSameForTheSameToolsWhateverTheirOrder() {
        assertThat(ToolListStreams.tagOf(EnumSet.of(Tool.GET_FILE, Tool.LIST_ISSUES))).isEqualTo(
                ToolListStreams.tagOf(new java.util.LinkedHashSet<>(List.of(Tool.LIST_ISSUES,
                        Tool.GET_FILE))))
                .isNotEqualTo(ToolListStreams.tagOf(EnumSet.of(Tool.GET_FILE)))
                .matches("tools-[0-9a-f]{16}");
    }

    @Test
    void limitsThatCannotWorkAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new ToolListStreams.Limits(0, 1, Duration.ofSeconds(1), Duration
                .ofMinutes(1), Duration.ofSeconds(1))).hasMessageContaining("streams.per-agent");
        assertThatThrownBy(() -> new ToolListStreams.Limits(4, 2, Duration.ofSeconds(1), Duration
                .ofMinutes(1), Duration.ofSeconds(1))).hasMessageContaining("max at least");
        assertThatThrownBy(() -> new ToolListStreams.Limits(1, 1, Duration.ofMinutes(2), Duration
                .ofMinutes(1), Duration.ofSeconds(1))).hasMessageContaining("keep-alive");
    }
}
