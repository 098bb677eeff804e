package dev.tollgate.ingress.webhooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs deliveries refused for one reason (a bad signature, a body too slow) at most once per
 * interval, with how many there were: a flood of forged deliveries or of slow senders is one line
 * a minute, not one per delivery. The first of a
 * quiet period is logged at once (a misconfigured secret shows up immediately); the count of the
 * rest is logged with the next one after the interval. Each refusal is also counted for the audit
 * ({@code RefusalCounter}).
 */
final class RefusedDeliveryLog {

    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

    private final Clock clock;
    private final Duration interval;
    private final String why;
    private Instant lastLogged;
    private long unlogged;

    /** @param why why they were refused, as the count line says it ("for their signature") */
    RefusedDeliveryLog(Clock clock, Duration interval, String why) {
        this.clock = clock;
        this.interval = interval;
        this.why = why;
    }

    /**
     * Counts one refusal and logs it when the interval since the last line has passed.
     *
     * @return whether a line was written
     */
    synchronized boolean refused(String delivery, String reason) {
        Instant now = clock.instant();
        unlogged++;
        if (lastLogged != null && now.isBefore(lastLogged.plus(interval))) {
            return false;
        }
        if (unlogged == 1) {
            log.warn("refused a webhook delivery {}: {}", delivery, reason);
        } else {
            log.warn("refused {} webhook deliveries {} since {} (the latest {}: {}); one line per"
                    + " {}", unlogged, why, lastLogged, delivery, reason, interval);
        }
        lastLogged = now;
        unlogged = 0;
        return true;
    }
}
