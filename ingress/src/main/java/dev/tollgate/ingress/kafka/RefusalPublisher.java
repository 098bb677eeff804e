package dev.tollgate.ingress.kafka;

import dev.tollgate.events.AccessRefused;
import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what the {@link RefusalCounter} counted to {@code gateway.refusals}, one
 * {@code AccessRefused} per client, reason and interval, keyed by the client's address (a
 * {@code PeriodicTask} calls it every interval, and once more as the ingress stops). Tallies Kafka
 * does not take are logged with their counts (never lost silently) and not retried: the next
 * interval carries new ones.
 */
public final class RefusalPublisher {

    private static final Logger log = LoggerFactory.getLogger(RefusalPublisher.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final RefusalCounter counter;
    private final EventPublisher publisher;
    private final Clock clock;

    public RefusalPublisher(RefusalCounter counter, EventPublisher publisher, Clock clock) {
        this.counter = counter;
        this.publisher = publisher;
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
                    .setEnvironment(tally.key().environment())
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
}
