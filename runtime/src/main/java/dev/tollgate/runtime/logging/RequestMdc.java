package dev.tollgate.runtime.logging;

import dev.tollgate.schemas.TollgateHeaders;
import org.apache.kafka.common.header.Headers;
import org.slf4j.MDC;

/**
 * Puts the request ID and W3C {@code traceparent} of the record being handled into the logging
 * MDC (keys {@code request_id} and {@code traceparent}), so every log line written while handling
 * it, JSON or not, names the request. Use around one record's handling:
 * {@code try (var mdc = RequestMdc.open(record.headers())) { handle(record); }}.
 */
public final class RequestMdc implements AutoCloseable {

    public static final String REQUEST_ID = "request_id";
    public static final String TRACEPARENT = "traceparent";
    /** The longest value taken (a request ID is 36 characters, a traceparent 55). */
    public static final int MAX_LENGTH = 128;

    private final String previousRequestId;
    private final String previousTraceparent;

    private RequestMdc(String previousRequestId, String previousTraceparent) {
        this.previousRequestId = previousRequestId;
        this.previousTraceparent = previousTraceparent;
    }

    /** Only well-formed values are taken: a header never puts arbitrary text into the logs. */
    public static RequestMdc open(Headers headers) {
        RequestMdc scope = new RequestMdc(MDC.get(REQUEST_ID), MDC.get(TRACEPARENT));
        TollgateHeaders.get(headers, TollgateHeaders.REQUEST_ID).filter(RequestMdc::safe)
                .ifPresent(v -> MDC.put(REQUEST_ID, v));
        TollgateHeaders.get(headers, TollgateHeaders.TRACEPARENT).filter(RequestMdc::safe)
                .ifPresent(v -> MDC.put(TRACEPARENT, v));
        return scope;
    }

    /**
     * 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ : -} and nothing else (what
     * the regular expression {@code [A-Za-z0-9._:-]{1,128}} accepts, without one on every record:
     * every role runs this for every record it handles).
     */
    public static boolean safe(String value) {
        int length = value.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        restore(REQUEST_ID, previousRequestId);
        restore(TRACEPARENT, previousTraceparent);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
