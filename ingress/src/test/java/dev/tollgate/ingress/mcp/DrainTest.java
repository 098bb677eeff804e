package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The drain's order and timing, on a clock of its own (each pause is 50 ms of it). */
class DrainTest {

    private final AtomicLong now = new AtomicLong();
    private final List<String> events = new ArrayList<>();
    private long closedAt = -1;

    private long millis() {
        return Duration.ofNanos(now.get()).toMillis();
    }

    /** Calls in flight until {@code callsEndAt} ms, connections open until {@code openUntil}. */
    private Drain drain(long callsEndAt, long openUntil, Duration grace) {
        Drain.Calls calls = new Drain.Calls() {
            @Override
            public void startDraining() {
                events.add("draining at " + millis());
            }

            @Override
            public int inFlight() {
                return millis() < callsEndAt ? 1 : 0;
            }
        };
        Drain.Listener listener = new Drain.Listener() {
            @Override
            public void stopAccepting() {
                events.add("listener closed at " + millis());
            }

            @Override
            public boolean awaitConnectionsClosed(Duration wait) {
                events.add((wait.isZero() ? "looked for" : "waited for") + " connections at "
                        + millis());
                long until = Math.min(openUntil, millis() + wait.toMillis());
                now.set(Math.max(now.get(), Duration.ofMillis(until).toNanos()));
                return millis() >= openUntil;
            }
        };
        return new Drain(calls, listener, Duration.ofSeconds(30), grace, () -> closedAt = millis(),
                now::get, () -> now.addAndGet(Duration.ofMillis(50).toNanos()));
    }

    @Test
    void theListenerClosesFirstThenCallsFinishThenOpenConnectionsGetTheGrace() {
        drain(500, Long.MAX_VALUE, Duration.ofSeconds(2)).drain();

        // the listener before the answers that close connections: a proxy told to open new ones
        // while the listener is closing could have one reset after its request went down it
        assertThat(events).containsExactly("listener closed at 0", "draining at 0",
                "looked for connections at 500", "waited for connections at 500");
        assertThat(closedAt).as("the transport closes when the grace has run out").isEqualTo(
                2000);
    }

    @Test
    void aCallFinishingAfterTheGraceStillGetsAMomentToWriteItsAnswer() {
        // a call that took 3 s (its reply timeout) with a grace of 2 s: before, the transport
        // closed the moment the call ended, cutting its answer mid-write
        drain(3000, Long.MAX_VALUE, Duration.ofSeconds(2)).drain();

        assertThat(closedAt).isEqualTo(3000 + Drain.ANSWER_WRITE.toMillis());
    }

    @Test
    void withNoConnectionOpenTheGraceIsNotWaitedFor() {
        drain(0, 0, Duration.ofSeconds(15)).drain();

        assertThat(closedAt).isZero();
        assertThat(events).contains("looked for connections at 0").noneMatch(event -> event
                .startsWith("waited for"));
    }

    @Test
    void connectionsTheirClientsCloseEndTheWaitEarly() {
        drain(0, 700, Duration.ofSeconds(15)).drain();

        assertThat(closedAt).isEqualTo(700);
    }

    @Test
    void withoutAGraceNothingWaitsForOpenConnections() {
        drain(400, Long.MAX_VALUE, Duration.ZERO).drain();

        assertThat(closedAt).isEqualTo(400);
        assertThat(events).noneMatch(event -> event.contains("connections"));
    }

    @Test
    void itDrainsOnceWhenItsOwnContextClosesAndNeitherOnAnotherContextsCloseNorOnAPause() {
        try (org.springframework.context.support.GenericApplicationContext own = new org.springframework.context.support.GenericApplicationContext();
                org.springframework.context.support.GenericApplicationContext child = new org.springframework.context.support.GenericApplicationContext()) {
            Drain drain = drain(0, 0, Duration.ZERO);
            drain.setApplicationContext(own);

            drain.onApplicationEvent(new org.springframework.context.event.ContextClosedEvent(
                    child));
            assertThat(events).as("another context's close").isEmpty();
            assertThat(drain).as("no lifecycle: a stop and start of the context (a pause) does"
                    + " not reach it").isNotInstanceOf(org.springframework.context.Lifecycle.class);

            drain.onApplicationEvent(new org.springframework.context.event.ContextClosedEvent(own));
            drain.onApplicationEvent(new org.springframework.context.event.ContextClosedEvent(own));
            assertThat(events).containsExactly("listener closed at 0", "draining at 0");
        }
    }
}
