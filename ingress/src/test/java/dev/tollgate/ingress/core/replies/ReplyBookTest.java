package dev.tollgate.ingress.core.replies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplyBookTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final ReplyBook book = new ReplyBook(clock, Duration.ofHours(1), 3);

    /** Agent {@code agent} in environment ci. */
    private static AgentPrincipal p(String agent) {
        return new AgentPrincipal("ci", agent);
    }

    private static Reply reply(String requestId, String agent) {
        return new Reply(requestId, agent, "ci", "get_file", "SUCCEEDED", null, false, null, "ok",
                "{}", "v1", null);
    }

    @Test
    void anExpectedAnswerCompletesItsWaiter() {
        CompletableFuture<Reply> waiter = book.expect("r1", p("a"));

        book.complete(reply("r1", "a"));

        assertThat(waiter).isCompletedWithValue(reply("r1", "a"));
        assertThat(book.waitingCount()).isZero();
    }

    @Test
    void aCallNotYetAnsweredIsPendingForItsAgentOnly() {
        book.expect("r1", p("a"));

        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Pending.class);
        assertThat(book.lookup("r1", p("b"))).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void answersAreKeptForTheirAgentOnly() {
        book.complete(reply("r1", "a"));

        assertThat(book.lookup("r1", p("a"))).isEqualTo(new ReplyBook.Completed(reply("r1", "a")));
        assertThat(book.lookup("r1", p("b"))).isInstanceOf(ReplyBook.Unknown.class);
        assertThat(book.lookup("r2", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void answersExpireAfterTheRetention() {
        book.complete(reply("r1", "a"));

        clock.advance(Duration.ofHours(1).plusSeconds(1));

        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
        book.prune();
        assertThat(book.completedCount()).isZero();
    }

    @Test
    void theOldestAnswersGoFirstBeyondTheBound() {
        for (int i = 1; i <= 4; i++) {
            book.complete(reply("r" + i, "a"));
        }

        assertThat(book.completedCount()).isEqualTo(3);
        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
        assertThat(book.lookup("r4", p("a"))).isInstanceOf(ReplyBook.Completed.class);
    }

    @Test
    void aForgottenCallIsNotPending() {
        book.expect("r1", p("a"));

        book.forget("r1");

        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void anAnswerThatArrivedFirstCompletesALaterWaiter() {
        book.complete(reply("r1", "a"));

        assertThat(book.expect("r1", p("a"))).isCompletedWithValue(reply("r1", "a"));
    }

    private static Reply fileReply(String requestId, int size) {
        return new Reply(requestId, "a", "ci", "get_file", "SUCCEEDED", null, false, null, "ok",
                "{\"content\":\"" + "x".repeat(size) + "\"}", "v1", null);
    }

    @Test
    void keptAnswersStayWithinTheirByteBoundOldestDroppedFirst() {
        long one = ReplyBook.sizeOf(fileReply("r0", 50_000));
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), 1_000, 4 * one);

        for (int i = 0; i < 20; i++) {
            bounded.complete(fileReply("r" + i, 50_000));
        }

        assertThat(bounded.completedCount()).isEqualTo(4);
        assertThat(bounded.completedBytes()).isEqualTo(4 * one);
        assertThat(bounded.lookup("r15", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
        assertThat(bounded.lookup("r16", p("a"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.lookup("r19", p("a"))).isInstanceOf(ReplyBook.Completed.class);
    }

    @Test
    void aRepeatedAnswerReplacesTheKeptOneAndIsCountedOnce() {
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), 1_000, Long.MAX_VALUE);

        bounded.complete(fileReply("r1", 10));
        bounded.complete(fileReply("r1", 10));

        assertThat(bounded.completedCount()).isEqualTo(1);
        assertThat(bounded.completedBytes()).isEqualTo(ReplyBook.sizeOf(fileReply("r1", 10)));
    }

    @Test
    void answersPrunedForAgeGiveBackTheirBytes() {
        ReplyBook bounded = new ReplyBook(clock, Duration.ofMinutes(5), 1_000, Long.MAX_VALUE);
        bounded.complete(fileReply("r1", 1_000));

        clock.advance(Duration.ofMinutes(6));
        bounded.prune();

        assertThat(bounded.completedCount()).isZero();
        assertThat(bounded.completedBytes()).isZero();
    }

    @Test
    void aRequestMadeThroughAnotherReplicaIsPendingForItsAgentUntilItsAnswerArrives() {
        book.requested("r1", p("a"));

        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Pending.class);
        assertThat(book.lookup("r1", p("b"))).isInstanceOf(ReplyBook.Unknown.class);
        book.complete(reply("r1", "a"));
        assertThat(book.lookup("r1", p("a"))).isEqualTo(new ReplyBook.Completed(reply("r1", "a")));
        book.requested("r1", p("a")); // the request read after its answer changes nothing
        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Completed.class);
    }

    @Test
    void aCallNoLongerWaitedOnStaysPendingUntilItsAnswer() {
        CompletableFuture<Reply> waiter = book.expect("r1", p("a"));

        book.stopWaiting("r1");

        assertThat(book.waitingCount()).isZero();
        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Pending.class);
        book.complete(reply("r1", "a"));
        assertThat(waiter).isNotDone();
        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Completed.class);
    }

    @Test
    void anAgentOverItsOwnBoundLosesOnlyItsOwnOldestEntries() {
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), new ReplyBook.Limits(100,
                3, Long.MAX_VALUE));
        bounded.complete(reply("b1", "b"));
        bounded.requested("b2", p("b"));

        for (int i = 1; i <= 10; i++) {
            bounded.requested("a" + i, p("a"));
            bounded.complete(reply("a" + i, "a"));
        }

        assertThat(bounded.entriesOf(p("a"))).isEqualTo(3);
        assertThat(bounded.lookup("a7", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
        assertThat(bounded.lookup("a8", p("a"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.lookup("b1", p("b"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.lookup("b2", p("b"))).isInstanceOf(ReplyBook.Pending.class);
    }

    @Test
    void beyondTheOverallBoundTheAgentHoldingTheMostLosesItsOldestNotTheOthers() {
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), new ReplyBook.Limits(6,
                100, Long.MAX_VALUE));
        bounded.complete(reply("b1", "b"));
        bounded.complete(reply("b2", "b"));
        bounded.requested("c1", p("c"));

        for (int i = 1; i <= 50; i++) {
            bounded.complete(reply("a" + i, "a"));
        }

        assertThat(bounded.size()).isEqualTo(6);
        assertThat(bounded.entriesOf(p("a"))).isEqualTo(3);
        assertThat(bounded.lookup("a50", p("a"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.lookup("b1", p("b"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.lookup("b2", p("b"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.lookup("c1", p("c"))).isInstanceOf(ReplyBook.Pending.class);
    }

    @Test
    void beyondTheByteBoundTheAgentHoldingTheMostBytesLosesItsOldest() {
        long big = ReplyBook.sizeOf(fileReply("r0", 50_000));
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), new ReplyBook.Limits(1_000,
                1_000, 4 * big));
        Reply small = new Reply("b1", "b", "ci", "get_file", "SUCCEEDED", null, false, null, "ok",
                "{}",
                "v1", null);
        bounded.complete(small);

        for (int i = 0; i < 20; i++) {
            bounded.complete(fileReply("r" + i, 50_000)); // agent "a"
        }

        assertThat(bounded.completedBytes()).isLessThanOrEqualTo(4 * big);
        assertThat(bounded.lookup("b1", p("b"))).isEqualTo(new ReplyBook.Completed(small));
        assertThat(bounded.lookup("r19", p("a"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(bounded.entriesOf(p("a"))).isEqualTo(3);
    }

    @Test
    void theNewestAnswerIsKeptEvenAboveTheByteBound() {
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), new ReplyBook.Limits(1_000,
                1_000, 1_000));

        bounded.complete(fileReply("r1", 50_000));

        assertThat(bounded.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Completed.class);
    }

    @Test
    void requestsNeverAnsweredAreDroppedAfterTheRetention() {
        book.requested("r1", p("a"));

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        book.prune();

        assertThat(book.size()).isZero();
        assertThat(book.lookup("r1", p("a"))).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void theSameAgentIdInAnotherEnvironmentLearnsNothingOfAnAnswerAndHasItsOwnBound() {
        AgentPrincipal prod = new AgentPrincipal("prod", "deployer");
        AgentPrincipal scratch = new AgentPrincipal("scratch", "deployer");
        ReplyBook bounded = new ReplyBook(clock, Duration.ofHours(1), new ReplyBook.Limits(100,
                2, Long.MAX_VALUE));
        bounded.requested("p1", prod);
        Reply answer = new Reply("p1", "deployer", "prod", "get_file", "SUCCEEDED", null, false,
                null, "ok", "{\"content\":\"prod secret plan\"}", "v1", null);
        bounded.complete(answer);
        bounded.requested("p2", prod);

        for (int i = 1; i <= 5; i++) {
            bounded.requested("s" + i, scratch);
        }

        assertThat(bounded.lookup("p1", scratch)).as("prod's answer, asked from scratch")
                .isEqualTo(new ReplyBook.Unknown("p1"));
        assertThat(bounded.lookup("p2", scratch)).isEqualTo(new ReplyBook.Unknown("p2"));
        assertThat(bounded.lookup("p1", prod)).isEqualTo(new ReplyBook.Completed(answer));
        assertThat(bounded.lookup("p2", prod)).as("scratch's flood drops only its own")
                .isInstanceOf(ReplyBook.Pending.class);
        assertThat(bounded.entriesOf(prod)).isEqualTo(2);
        assertThat(bounded.entriesOf(scratch)).isEqualTo(2);
    }

    @Test
    void anAnswerNamingAnotherAgentLeavesTheRequestWithWhoeverMadeIt() {
        book.expect("r1", p("a"));
        book.requested("r2", p("a"));

        book.complete(reply("r1", "b"));
        book.complete(new Reply("r2", "unknown", "unknown", "get_file", "FAILED", "undeliverable",
                false, null, "could not be read", null, null, null));

        assertThat(book.lookup("r1", p("a"))).isEqualTo(new ReplyBook.Completed(reply("r1",
                "b")));
        assertThat(book.lookup("r1", p("b"))).as("the agent the answer names")
                .isInstanceOf(ReplyBook.Unknown.class);
        assertThat(book.lookup("r2", p("a"))).isInstanceOf(ReplyBook.Completed.class);
        assertThat(book.lookup("r2", new AgentPrincipal("unknown", "unknown")))
                .isInstanceOf(ReplyBook.Unknown.class);
        assertThat(book.entriesOf(p("a"))).isEqualTo(2);
        assertThat(book.entriesOf(p("b"))).isZero();
    }
}
