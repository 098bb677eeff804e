package dev.tollgate.schemas;

import java.util.Optional;
import org.apache.kafka.common.header.Headers;

/**
 * Where the final answer to a request goes: the one rule every role that answers applies (the
 * decision worker for denials, the executor for results). The topic is always the role's replies
 * topic ({@code gateway.replies}), whatever a request's headers say, so a forged header can never steer an answer onto
 * another topic; the partition is the one the waiting ingress replica reads, if the request names
 * a valid one, else the key decides.
 *
 * @param topic the replies topic
 * @param partition the reply partition, or null to let the key choose
 */
public record ReplyRoute(String topic, Integer partition) {

    /**
     * The route for a request with {@code headers}, on {@code repliesTopic} (normally
     * {@code gateway.replies}).
     */
    public static ReplyRoute of(Headers headers, String repliesTopic) {
        Optional<Integer> partition = TollgateHeaders.getInt(headers,
                TollgateHeaders.REPLY_PARTITION).filter(value -> value >= 0);
        return new ReplyRoute(repliesTopic, partition.orElse(null));
    }

    /** This route on a topic with {@code partitions} partitions: a partition past them is dropped. */
    public ReplyRoute within(int partitions) {
        return partition != null && partition >= partitions
                ? new ReplyRoute(topic, null)
                : this;
    }
}
