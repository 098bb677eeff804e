package dev.tollgate.compose;

import org.springframework.boot.convert.DurationStyle;

/**
 * How long an ingress's drain may take, from its settings as a deployment gives them: its calls in
 * flight end within {@code reply-timeout}, and open connections are served until the
 * {@code drain-grace} has passed (the drain takes the longer; a grace period that allows both
 * added keeps the other as its margin for the web server's and the Kafka clients' stop).
 *
 * @param longestCall seconds: {@code TOLLGATE_INGRESS_REPLY_TIMEOUT}, else its default
 * @param drainGrace seconds: {@code TOLLGATE_INGRESS_DRAIN_GRACE}
 */
record IngressDrain(long longestCall, long drainGrace) {

    /** {@code tollgate.ingress.reply-timeout}'s default (ingress README, Configuration). */
    static final long REPLY_TIMEOUT_DEFAULT_S = 30;

    /** @param replyTimeout the setting, or null when the deployment leaves the default */
    static IngressDrain of(String replyTimeout, String drainGrace) {
        return new IngressDrain(replyTimeout == null
                ? REPLY_TIMEOUT_DEFAULT_S
                : seconds(
                        replyTimeout),
                seconds(drainGrace));
    }

    /** A duration as Spring Boot and Docker Compose write it ("15s", "500ms") in whole seconds. */
    static long seconds(String duration) {
        return DurationStyle.detectAndParse(duration).toSeconds();
    }
}
