package dev.tollgate.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Kafka headers every hop carries: the request ID, the reply route back to the waiting ingress
 * replica, and W3C trace context. Values are UTF-8 strings, except the reply partition, a 4-byte
 * big-endian int (the form Spring Kafka's request/reply uses).
 */
public final class TollgateHeaders {

    public static final String REQUEST_ID = "tollgate-request-id";
    /** The topic the final answer goes to (gateway.results unless configured otherwise). */
    public static final String REPLY_TOPIC = "tollgate-reply-topic";
    /** The partition of the reply topic the waiting ingress replica reads. */
    public static final String REPLY_PARTITION = "tollgate-reply-partition";
    /** W3C trace context. */
    public static final String TRACEPARENT = "traceparent";
    /** The Avro schema name of the value, for generic consumers. */
    public static final String EVENT_TYPE = "tollgate-event-type";

    private TollgateHeaders() {
    }

    /** Sets a string header, replacing any earlier value. */
    public static void put(Headers headers, String key, String value) {
        headers.remove(key);
        if (value != null) {
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void putInt(Headers headers, String key, int value) {
        headers.remove(key);
        headers.add(key, ByteBuffer.allocate(4).putInt(value).array());
    }

    public static Optional<String> get(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        return header == null || header.value() == null
                ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }

    public static Optional<Integer> getInt(Headers headers, String key) {
        Header header = headers.lastHeader(key);
        if (header == null || header.value() == null || header.value().length != 4) {
            return Optional.empty();
        }
        return Optional.of(ByteBuffer.wrap(header.value()).getInt());
    }

    /** Copies request ID, reply route and trace context from one record's headers to another's. */
    public static void propagate(Headers from, Headers to) {
        for (String key : new String[]{REQUEST_ID, REPLY_TOPIC, TRACEPARENT}) {
            get(from, key).ifPresent(value -> put(to, key, value));
        }
        getInt(from, REPLY_PARTITION).ifPresent(value -> putInt(to, REPLY_PARTITION, value));
    }
}
