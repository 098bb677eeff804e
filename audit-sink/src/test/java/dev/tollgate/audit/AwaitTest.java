package dev.tollgate.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class AwaitTest {

    /** A clock that passes only when the wait sleeps. */
    private static final class TestClock implements Await.Clock {
        long nanos;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public void sleep(long millis) {
            nanos += Duration.ofMillis(millis).toNanos();
        }
    }

    private final TestClock clock = new TestClock();

    private <T> T await(String what, Callable<T> observe, Predicate<? super T> done,
            Predicate<? super T> hopeless) throws InterruptedException {
        return Await.until(what, observe, done, hopeless, Await.QUIET, Await.LIMIT, clock);
    }

    @Test
    void givesUpWhenNothingChangesForTheQuietPeriodAndSaysWhatItSawLast() {
        AtomicInteger polls = new AtomicInteger();

        assertThatThrownBy(() -> await("19 records", () -> "stored " + Math.min(18, polls
                .incrementAndGet()) + " of 19", seen -> seen.equals("stored 19 of 19"),
                seen -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("gave up waiting for 19 records after 121 s")
                .hasMessageContaining("nothing changed for 120 s")
                .hasMessageContaining("last saw stored 18 of 19");
    }

    @Test
    void keepsWaitingWhileItChangesLongAfterTheQuietPeriod() throws Exception {
        AtomicInteger polls = new AtomicInteger();

        // one change a minute: slower than any sink, but moving
        int seen = await("slow progress", () -> polls.incrementAndGet() / 600, n -> n >= 5,
                n -> false);

        assertThat(seen).isEqualTo(5);
        assertThat(Duration.ofNanos(clock.nanos)).isGreaterThan(Await.QUIET);
    }

    @Test
    void givesUpAtTheLimitEvenWhileItChanges() {
        AtomicInteger polls = new AtomicInteger();

        assertThatThrownBy(() -> await("the end", polls::incrementAndGet, n -> false, n -> false))
                .hasMessageContaining("gave up waiting for the end after 600 s: last saw");
    }

    @Test
    void failsAtOnceWhenWaitingCannotHelp() {
        assertThatThrownBy(() -> await("19 records", () -> "stored 20, one twice", seen -> false,
                seen -> seen.contains("twice")))
                .hasMessageContaining(
                        "19 records: cannot happen any more; saw stored 20, one twice");
        assertThat(clock.nanos).isZero();
    }

    @Test
    void reportsTheLastErrorOfAnObservationThatFails() {
        assertThatThrownBy(() -> await("a store", () -> {
            throw new IllegalStateException("no chains/ directory yet");
        }, seen -> true, seen -> false))
                .hasMessageContaining("last saw nothing")
                .hasMessageContaining(
                        "last error: java.lang.IllegalStateException: no chains/ directory yet");
    }
}
