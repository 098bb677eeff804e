package dev.tollgate.ingress.core.replies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReplyBookTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final ReplyBook book = new ReplyBook(clock, Duration.ofHours(1), 3);

    private static Reply reply(String requestId, String agent) {
        return new Reply(requestId, agent, "get_file", "SUCCEEDED", null, false, null, "ok",
                "{}", "v1", null);
    }

    @Test
    void anExpectedAnswerCompletesItsWaiter() {
        CompletableFuture<Reply> waiter = book.expect("r1", "a");

        book.complete(reply("r1", "a"));

        assertThat(waiter).isCompletedWithValue(reply("r1", "a"));
        assertThat(book.waitingCount()).isZero();
    }

    @Test
    void aCallNotYetAnsweredIsPendingForItsAgentOnly() {
        book.expect("r1", "a");

        assertThat(book.lookup("r1", "a")).isInstanceOf(ReplyBook.Pending.class);
        assertThat(book.lookup("r1", "b")).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void answersAreKeptForTheirAgentOnly() {
        book.complete(reply("r1", "a"));

        assertThat(book.lookup("r1", "a")).isEqualTo(new ReplyBook.Completed(reply("r1", "a")));
        assertThat(book.lookup("r1", "b")).isInstanceOf(ReplyBook.Unknown.class);
        assertThat(book.lookup("r2", "a")).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void answersExpireAfterTheRetention() {
        book.complete(reply("r1", "a"));

        clock.advance(Duration.ofHours(1).plusSeconds(1));

        assertThat(book.lookup("r1", "a")).isInstanceOf(ReplyBook.Unknown.class);
        book.prune();
        assertThat(book.completedCount()).isZero();
    }

    @Test
    void theOldestAnswersGoFirstBeyondTheBound() {
        for (int i = 1; i <= 4; i++) {
            book.complete(reply("r" + i, "a"));
        }

        assertThat(book.completedCount()).isEqualTo(3);
        assertThat(book.lookup("r1", "a")).isInstanceOf(ReplyBook.Unknown.class);
        assertThat(book.lookup("r4", "a")).isInstanceOf(ReplyBook.Completed.class);
    }

    @Test
    void aForgottenCallIsNotPending() {
        book.expect("r1", "a");

        book.forget("r1");

        assertThat(book.lookup("r1", "a")).isInstanceOf(ReplyBook.Unknown.class);
    }

    @Test
    void anAnswerThatArrivedFirstCompletesALaterWaiter() {
        book.complete(reply("r1", "a"));

        assertThat(book.expect("r1", "a")).isCompletedWithValue(reply("r1", "a"));
    }
}
