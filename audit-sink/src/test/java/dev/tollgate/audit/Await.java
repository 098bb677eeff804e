package dev.tollgate.audit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waits for something that moves at its own pace (a sink catching up with a topic) on a machine
 * that may be very busy: it waits as long as what it watches keeps changing, gives up only after
 * {@link #QUIET} without any change (or after {@link #LIMIT} in all), and then says what it saw
 * last and since when nothing changed. No deadline is a statement about speed: a slow machine
 * makes a test slower, never red; a sink that stops short (a lost or doubled record) fails with
 * the evidence.
 */
public final class Await {

    /** How long nothing may change before the wait gives up. */
    public static final Duration QUIET = Duration.ofMinutes(2);
    /** How long the wait lasts at most, even while things change. */
    public static final Duration LIMIT = Duration.ofMinutes(10);

    private static final long POLL_MILLIS = 100;

    private Await() {
    }

    /** Observes until {@code done} holds; returns that observation. */
    public static <T> T until(String what, Callable<T> observe, Predicate<? super T> done)
            throws InterruptedException {
        return until(what, observe, done, t -> false);
    }

    /**
     * Observes until {@code done} holds, and fails at once when {@code hopeless} holds (say, a
     * record stored twice: waiting cannot undo it). An observation that throws counts as no
     * change; the last such error is reported too.
     *
     * @throws AssertionError naming {@code what}, the last observation, how long the wait took and
     *             how long nothing changed
     */
    public static <T> T until(String what, Callable<T> observe, Predicate<? super T> done,
            Predicate<? super T> hopeless) throws InterruptedException {
        return until(what, observe, done, hopeless, QUIET, LIMIT, Clock.SYSTEM);
    }

    /** Tells the time and passes it: the system's, or a test's. */
    interface Clock {
        long nanoTime();

        void sleep(long millis) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(long millis) throws InterruptedException {
                Thread.sleep(millis);
            }
        };
    }

    /** As {@link #until(String, Callable, Predicate, Predicate)}, with other bounds and clock. */
    static <T> T until(String what, Callable<T> observe, Predicate<? super T> done,
            Predicate<? super T> hopeless, Duration quietFor, Duration limit, Clock clock)
            throws InterruptedException {
        long started = clock.nanoTime();
        long changed = started;
        T last = null;
        boolean seen = false;
        Exception error = null;
        while (true) {
            try {
                T now = observe.call();
                if (!seen || !Objects.equals(now, last)) {
                    changed = clock.nanoTime();
                }
                last = now;
                seen = true;
                if (done.test(now)) {
                    return now;
                }
                if (hopeless.test(now)) {
                    throw new AssertionError(what + ": cannot happen any more; saw " + now);
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (AssertionError e) {
                throw e;
            } catch (Exception e) {
                error = e;
            }
            long now = clock.nanoTime();
            boolean quiet = now - changed > quietFor.toNanos();
            if (quiet || now - started > limit.toNanos()) {
                throw new AssertionError("gave up waiting for " + what + " after " + seconds(now
                        - started) + " s"
                        + (quiet
                                ? " (nothing changed for " + seconds(now - changed) + " s)"
                                : "")
                        + ": last saw " + (seen ? last : "nothing") + (error == null
                                ? ""
                                : "; last error: " + error));
            }
            clock.sleep(POLL_MILLIS);
        }
    }

    private static long seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds();
    }
}
