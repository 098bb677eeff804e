package dev.tollgate.ingress.kafka;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Publishes what the {@link RefusalCounter} counted to {@code gateway.refusals}, one
 * {@code AccessRefused} per client, reason and interval, keyed by the client's address; and once
 * more as the ingress stops. Tallies Kafka does not take are logged with their counts (never lost
 * silently) and not retried: the next interval carries new ones.
 */
public final class RefusalPublisher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RefusalPublisher.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final RefusalCounter counter;
    private final EventPublisher publisher;
    private final Duration interval;
    private final Clock clock;
    private ScheduledExecutorService executor;

    public RefusalPublisher(RefusalCounter counter, EventPublisher publisher, Duration interval,
            Clock clock) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("tollgate.ingress.refusals.interval must be"
                    + " positive");
        }
        this.counter = counter;
        this.publisher = publisher;
        this.interval = interval;
        this.clock = clock;
    }

    /** Publishes the tallies since the last call; how many were published. */
    public int publishNow() {
        List<RefusalCounter.Tally> tallies = counter.drain();
        int published = 0;
        for (RefusalCounter.Tally tally : tallies) {
            AccessRefused event = AccessRefused.newBuilder().setMeta(EventMetas.create(
                    Roles.INGRESS, null, clock)).setEndpoint(tally.key().endpoint()).setReason(
                            tally.key().reason())
                    .setDetail(tally.detail()).setClientAddress(tally.key().client()).setAgentId(
                            tally.key().agent())
                    .setCount(tally.count()).setFirstAt(tally.first()).setLastAt(tally.last())
                    .build();
            try {
                publisher.publish(Topics.REFUSALS, tally.key().client(), event, headers -> {
                }, PUBLISH_TIMEOUT);
                published++;
            } catch (EventPublisher.PublishFailedException e) {
                log.warn("{} {} refusal(s) of {} at {} ({}) not recorded on {}: {}", tally.count(),
                        tally.key().reason(), tally.key().client(), tally.key().endpoint(), tally
                                .first(),
                        Topics.REFUSALS.name(), e.getMessage());
            }
        }
        return published;
    }

    private void tick() {
        try {
            publishNow();
        } catch (RuntimeException e) {
            log.warn("publishing refusals failed: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name(
                "refusal-publisher").factory());
        executor.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
        tick();
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }

    /** Stops before the Kafka producer closes (default phase is the last to start). */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }
}
