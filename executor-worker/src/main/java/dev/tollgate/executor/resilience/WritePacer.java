package dev.tollgate.executor.resilience;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Spaces writes per installation (GitHub asks integrators to serialize writes with about a second
 * between them; content creation is limited to 80 a minute), and shares each installation's slots
 * fairly among its agents: the slots go round-robin across the agents that have writes waiting, so
 * one agent's burst of fifty writes delays another agent's single write by at most one slot per
 * other waiting agent, not by fifty. An agent may have at most {@code maxQueuedPerAgent} writes
 * waiting for one installation; more are refused at once ({@code secondary_rate_limited}, with
 * when to try again), so one agent's burst cannot hold every call slot of the replica either.
 *
 * <p>The writers themselves run the schedule: whichever is waiting and finds no one else doing it
 * sleeps until the next slot, then grants that slot to the next agent in turn, and wakes the
 * others. Slots are never earlier than {@code interval} apart; an idle installation's first write
 * goes at once. Waits go through the injected {@link Sleeper} (tests record them).
 */
public final class WritePacer {

    private final Duration interval;
    private final Clock clock;
    private final Sleeper sleeper;
    private final int maxQueuedPerAgent;
    private final Map<Long, Lane> lanes = new ConcurrentHashMap<>();
    /** Told of each slot as it is given (installation, agent), in order; for tests. */
    private volatile java.util.function.BiConsumer<Long, String> grants = (id, agent) -> {
    };

    /** Pacing without a limit on waiting writes. */
    public WritePacer(Duration interval, Clock clock, Sleeper sleeper) {
        this(interval, clock, sleeper, 0);
    }

    /**
     * @param maxQueuedPerAgent writes one agent may have waiting for one installation (0 or less:
     *        no limit)
     */
    public WritePacer(Duration interval, Clock clock, Sleeper sleeper, int maxQueuedPerAgent) {
        this.interval = interval;
        this.clock = clock;
        this.sleeper = sleeper;
        this.maxQueuedPerAgent = maxQueuedPerAgent;
    }

    /**
     * Waits for this installation's next write slot in the agent's turn; or, when the agent
     * already has {@code maxQueuedPerAgent} writes waiting there, returns the refusal at once.
     *
     * @param agentId the agent whose write this is; null for writes of no agent (they share one
     *        turn)
     */
    public Optional<GitHubError> acquire(long installationId, String agentId)
            throws InterruptedException {
        if (interval.isZero()) {
            return Optional.empty();
        }
        Lane lane = lanes.computeIfAbsent(installationId, id -> new Lane());
        return lane.acquire(installationId, agentId == null ? "" : agentId);
    }

    /** Has {@code listener} told of every slot given, in the order given. */
    WritePacer onGrant(java.util.function.BiConsumer<Long, String> listener) {
        this.grants = listener;
        return this;
    }

    /** Writes waiting for one installation's slots (not those granted). */
    int waiting(long installationId) {
        Lane lane = lanes.get(installationId);
        if (lane == null) {
            return 0;
        }
        lane.lock.lock();
        try {
            return lane.waiting.values().stream().mapToInt(Deque::size).sum();
        } finally {
            lane.lock.unlock();
        }
    }

    /** One installation's schedule: its next slot, and the waiting writes by agent. */
    private final class Lane {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        /** Waiting writes per agent, oldest first. */
        private final Map<String, Deque<Ticket>> waiting = new HashMap<>();
        /** Agents with waiting writes, in the order they get their next slot. */
        private final Deque<String> turns = new ArrayDeque<>();
        private Instant nextSlot;
        private boolean scheduling;

        Optional<GitHubError> acquire(long installationId, String agent)
                throws InterruptedException {
            lock.lock();
            try {
                Deque<Ticket> mine = waiting.get(agent);
                if (maxQueuedPerAgent > 0 && mine != null && mine.size() >= maxQueuedPerAgent) {
                    Instant retryAt = nextSlotAt().plus(interval.multipliedBy(turns.size()
                            * (long) mine.size()));
                    return Optional.of(GitHubError.of(ErrorClass.SECONDARY_RATE_LIMITED, 0,
                            "agent '" + agent + "' already has " + mine.size() + " writes waiting"
                                    + (installationId == 0
                                            ? " for this host"
                                            : " for installation " + installationId)
                                    + " (writes are paced to one per " + interval.toMillis()
                                    + " ms per installation or forge host, taken in turn by"
                                    + " agent; at most "
                                    + maxQueuedPerAgent + " waiting per agent:"
                                    + " tollgate.executor.write-queue-per-agent)",
                            retryAt));
                }
                Ticket ticket = new Ticket();
                if (mine == null) {
                    mine = new ArrayDeque<>();
                    waiting.put(agent, mine);
                    turns.addLast(agent);
                }
                mine.addLast(ticket);
                try {
                    while (!ticket.granted) {
                        if (scheduling) {
                            changed.await();
                        } else {
                            schedule(installationId);
                        }
                    }
                } catch (InterruptedException e) {
                    if (ticket.granted) {
                        Thread.currentThread().interrupt();
                        return Optional.empty(); // its slot was given: use it
                    }
                    withdraw(agent, ticket);
                    throw e;
                }
                return Optional.empty();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Called holding the lock: waits (lock released) until the next slot, then gives it to
         * the next agent in turn and wakes every waiting writer.
         */
        private void schedule(long installationId) throws InterruptedException {
            scheduling = true;
            try {
                Instant now = clock.instant();
                Instant slot = nextSlotAt();
                Duration wait = Duration.between(now, slot);
                if (!wait.isNegative() && !wait.isZero()) {
                    lock.unlock();
                    try {
                        sleeper.sleep(wait);
                    } finally {
                        lock.lock();
                    }
                }
                String agent = turns.pollFirst();
                if (agent == null) {
                    return; // every waiting writer withdrew while we slept: the slot stays free
                }
                Deque<Ticket> queue = waiting.get(agent);
                queue.pollFirst().granted = true;
                grants.accept(installationId, agent);
                if (queue.isEmpty()) {
                    waiting.remove(agent);
                } else {
                    turns.addLast(agent);
                }
                nextSlot = slot.plus(interval);
            } finally {
                scheduling = false;
                changed.signalAll();
            }
        }

        private Instant nextSlotAt() {
            Instant now = clock.instant();
            return nextSlot == null || nextSlot.isBefore(now) ? now : nextSlot;
        }

        private void withdraw(String agent, Ticket ticket) {
            Deque<Ticket> queue = waiting.get(agent);
            if (queue != null && queue.remove(ticket) && queue.isEmpty()) {
                waiting.remove(agent);
                turns.remove(agent);
            }
        }
    }

    /** One waiting write. */
    private static final class Ticket {
        private boolean granted;
    }
}
