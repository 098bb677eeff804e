package dev.tollgate.executor.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One agent's burst of writes must not hold every write slot of an installation. */
class WritePacerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    /** Waits for {@code count} writes to be waiting, saying what it saw if they never are. */
    private static void awaitWaiting(WritePacer pacer, long installation, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pacer.waiting(installation) < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(pacer.waiting(installation)).as("writes waiting for installation %d",
                installation).isEqualTo(count);
    }

    @Test
    void anAgentsSingleWriteWaitsOneTurnNotBehindAnotherAgentsWholeBurst() throws Exception {
        CountDownLatch schedulerAsleep = new CountDownLatch(1);
        CountDownLatch wake = new CountDownLatch(1);
        WritePacer pacer = new WritePacer(Duration.ofSeconds(1), clock, wait -> {
            waits.add(wait);
            if (waits.size() == 1) {
                schedulerAsleep.countDown();
                wake.await(); // the second slot's wait, held until everyone has queued
            }
        });
        List<String> granted = new CopyOnWriteArrayList<>();
        pacer.onGrant((installation, agent) -> granted.add(agent));
        List<Thread> writers = new ArrayList<>();
        pacer.acquire(42, "burst"); // the installation was idle: its first write goes at once
        for (int i = 0; i < 9; i++) {
            writers.add(Thread.ofVirtual().start(() -> write(pacer, "burst")));
        }
        schedulerAsleep.await(30, TimeUnit.SECONDS);
        awaitWaiting(pacer, 42, 9);

        writers.add(Thread.ofVirtual().start(() -> write(pacer, "single")));
        awaitWaiting(pacer, 42, 10);
        wake.countDown();
        for (Thread writer : writers) {
            writer.join(Duration.ofSeconds(30));
        }

        assertThat(granted).as("grant order").hasSize(11);
        assertThat(granted.indexOf("single")).as("grant order %s", granted).isEqualTo(2);
        // still one slot a second for the installation: the n-th write waited n seconds here,
        // where the clock stands still
        assertThat(waits).hasSize(10);
        assertThat(waits.stream().mapToLong(Duration::toSeconds).sum()).isEqualTo(55);
    }

    private static void write(WritePacer pacer, String agent) {
        try {
            assertThat(pacer.acquire(42, agent)).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void anAgentWithTooManyWritesWaitingIsRefusedAtOnceWhileOthersStillQueue() throws Exception {
        CountDownLatch wake = new CountDownLatch(1);
        WritePacer pacer = new WritePacer(Duration.ofSeconds(1), clock, wait -> wake.await(), 2);
        pacer.acquire(42, "burst");
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            writers.add(Thread.ofVirtual().start(() -> write(pacer, "burst")));
        }
        awaitWaiting(pacer, 42, 2);

        Optional<GitHubError> third = pacer.acquire(42, "burst");
        writers.add(Thread.ofVirtual().start(() -> write(pacer, "other")));
        awaitWaiting(pacer, 42, 3);

        assertThat(third).hasValueSatisfying(refusal -> {
            assertThat(refusal.errorClass()).isEqualTo(ErrorClass.SECONDARY_RATE_LIMITED);
            assertThat(refusal.retryable()).isTrue();
            assertThat(refusal.retryAt()).isPresent();
            assertThat(refusal.message()).contains("burst", "installation 42",
                    "tollgate.executor.write-queue-per-agent");
        });
        wake.countDown();
        for (Thread writer : writers) {
            writer.join(Duration.ofSeconds(30));
        }
        assertThat(pacer.waiting(42)).isZero();
    }
}
