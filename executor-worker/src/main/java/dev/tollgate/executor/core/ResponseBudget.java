package dev.tollgate.executor.core;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of GitHub answers one executor replica holds at once, across all its concurrent calls,
 * and the most it reads of any one answer. The transport reserves a body's bytes here as it reads
 * them, a chunk at a time, before they are buffered; a call keeps what it read until it has built
 * its answer (its {@link Account} is closed), since the body, its parsed form and the answer built
 * from it live that long. Reading waits, in arrival order, while the budget is spent; a call that
 * cannot get room within {@code maxWait} (every holder waiting on the others) fails retryable,
 * having reserved its first chunk before its request was sent. So however many calls run and
 * however large GitHub's answers, what the replica holds of them stays within the capacity.
 */
public final class ResponseBudget {

    /** The most read of one answer unless {@code tollgate.github.max-response-bytes} says. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 8L * 1024 * 1024;
    /**
     * The bytes held at once unless {@code tollgate.executor.response-bytes-in-flight} says: an
     * eighth of the heap, between 16 and 64 MiB (their parsed forms take a few times as much).
     */
    public static final long DEFAULT_CAPACITY_CEILING = 64L * 1024 * 1024;
    static final long DEFAULT_CAPACITY_FLOOR = 16L * 1024 * 1024;
    /** How long a read waits for room before it gives up. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(10);
    /** Bytes reserved at a time while a body is read (the first before the request is sent). */
    public static final int CHUNK_BYTES = 64 * 1024;

    private final long capacity;
    private final long maxResponseBytes;
    private final Duration maxWait;
    private final Semaphore room;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    /**
     * @param capacity the bytes held at once, at least {@code maxResponseBytes}
     * @param maxResponseBytes the most read of one answer, at least one chunk
     * @param maxWait how long a read waits for room
     */
    public ResponseBudget(long capacity, long maxResponseBytes, Duration maxWait) {
        if (maxResponseBytes < CHUNK_BYTES) {
            throw new ConfigurationException("tollgate.github.max-response-bytes must be at least "
                    + CHUNK_BYTES + " bytes, not " + maxResponseBytes
                    + ": set TOLLGATE_GITHUB_MAX_RESPONSE_BYTES higher");
        }
        if (capacity < maxResponseBytes || capacity > Integer.MAX_VALUE) {
            throw new ConfigurationException("tollgate.executor.response-bytes-in-flight ("
                    + capacity + " bytes) must be at least tollgate.github.max-response-bytes ("
                    + maxResponseBytes + ") and below 2 GiB: set"
                    + " TOLLGATE_EXECUTOR_RESPONSE_BYTES_IN_FLIGHT or"
                    + " TOLLGATE_GITHUB_MAX_RESPONSE_BYTES so that it is");
        }
        this.capacity = capacity;
        this.maxResponseBytes = maxResponseBytes;
        this.maxWait = maxWait;
        this.room = new Semaphore((int) capacity, true);
    }

    /** The defaults for a heap of {@code maxHeapBytes}. */
    public static ResponseBudget forHeap(long maxHeapBytes) {
        return new ResponseBudget(defaultCapacity(maxHeapBytes), DEFAULT_MAX_RESPONSE_BYTES,
                DEFAULT_MAX_WAIT);
    }

    /** An eighth of the heap, between 16 and 64 MiB. */
    public static long defaultCapacity(long maxHeapBytes) {
        return Math.max(DEFAULT_CAPACITY_FLOOR, Math.min(DEFAULT_CAPACITY_CEILING, maxHeapBytes
                / 8));
    }

    /** The most read of one answer; a larger one is {@code result_too_large}. */
    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes held now. */
    public long held() {
        return held.get();
    }

    /** The most bytes ever held at once. */
    public long peak() {
        return peak.get();
    }

    /** A call's account: what its answers' bodies hold, given back when it closes. */
    public Account account() {
        return new Account();
    }

    /** What one call holds; closing it gives everything back. Safe to use from any thread. */
    public final class Account implements AutoCloseable {

        private long reserved;
        private boolean closed;

        private Account() {
        }

        /**
         * Reserves {@code bytes} more, waiting (in arrival order) up to the budget's wait.
         *
         * @throws GitHubCallException retryable, when no room was found in time
         * @throws InterruptedIOException when interrupted while waiting
         */
        public void reserve(long bytes) throws InterruptedIOException {
            if (bytes <= 0) {
                return;
            }
            if (bytes > capacity) {
                throw new IllegalArgumentException(bytes + " bytes exceed the whole budget");
            }
            boolean granted;
            try {
                granted = room.tryAcquire((int) bytes, maxWait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to read GitHub's"
                        + " answer");
            }
            if (!granted) {
                throw new GitHubCallException(GitHubError.of(ErrorClass.TRANSIENT, 0, "the"
                        + " executor already holds " + held.get() + " bytes of GitHub's answers"
                        + " for other calls, its limit (" + capacity + " bytes,"
                        + " tollgate.executor.response-bytes-in-flight); retry shortly", null));
            }
            boolean late;
            synchronized (this) {
                late = closed;
                if (!late) {
                    reserved += bytes;
                }
            }
            if (late) {
                room.release((int) bytes);
                return;
            }
            peak.accumulateAndGet(held.addAndGet(bytes), Math::max);
        }

        /** Gives back {@code bytes} of what this account holds (a body smaller than reserved). */
        public void release(long bytes) {
            long given;
            synchronized (this) {
                given = Math.min(Math.max(0, bytes), reserved);
                reserved -= given;
            }
            giveBack(given);
        }

        /** Bytes this account holds. */
        public synchronized long reserved() {
            return reserved;
        }

        @Override
        public void close() {
            long given;
            synchronized (this) {
                closed = true;
                given = reserved;
                reserved = 0;
            }
            giveBack(given);
        }

        private void giveBack(long bytes) {
            if (bytes > 0) {
                held.addAndGet(-bytes);
                room.release((int) bytes);
            }
        }
    }
}
