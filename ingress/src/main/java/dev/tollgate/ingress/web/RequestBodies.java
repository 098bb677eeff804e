package dev.tollgate.ingress.web;

import dev.tollgate.ingress.core.http.BoundedBody;
import dev.tollgate.ingress.core.tokens.InvalidTokenRequestException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a JSON request body of the token API itself, after the caller is authenticated and
 * never more than a bound of it: the declared length is checked before anything is read, and
 * reading stops as soon as the bound is passed (a chunked body declares none). Duplicate keys are
 * refused, so no two readers can see two different requests in one body. The whole body must
 * arrive within {@code tollgate.ingress.body-timeout}, as an MCP body must: a caller sending a
 * byte now and then would otherwise hold a request thread for as long as it liked.
 */
final class RequestBodies {

    /** A body over the bound: answered 413, nothing read past it. */
    static final class TooLargeException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** A body that did not arrive within its deadline: answered 408, the connection closed. */
    static final class TooSlowException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        TooSlowException(String message) {
            super(message);
        }
    }

    /** A body that is not JSON ({@code Content-Type}): answered 415. */
    static final class NotJsonException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NotJsonException(String message) {
            super(message);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().enable(
            StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private RequestBodies() {
    }

    /** Refuses a body whose declared length is over {@code max} without reading it. */
    static void checkDeclaredLength(HttpServletRequest request, int max, String setting) {
        if (request.getContentLengthLong() > max) {
            throw new TooLargeException("the request body is larger than " + max + " bytes ("
                    + setting + ")");
        }
    }

    /** The body as a JSON object, or null when there is none. */
    static Map<String, Object> jsonObject(HttpServletRequest request, int max, String setting,
            Duration timeout) throws IOException {
        checkDeclaredLength(request, max, setting);
        byte[] body;
        try {
            body = BoundedBody.readAtMost(request.getInputStream(), max, request
                    .getContentLengthLong(), System.nanoTime() + timeout.toNanos(),
                    System::nanoTime);
        } catch (BoundedBody.TooSlowException e) {
            throw new TooSlowException("the request body did not arrive within " + timeout
                    .toMillis() + " ms (tollgate.ingress.body-timeout); " + e.bytesRead()
                    + " bytes of it had");
        }
        if (body == null) {
            throw new TooLargeException("the request body is larger than " + max + " bytes ("
                    + setting + ")");
        }
        if (body.length == 0) {
            return null;
        }
        String contentType = request.getContentType();
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(
                "application/json")) {
            throw new NotJsonException("send the body as Content-Type: application/json");
        }
        try {
            Map<String, Object> value = JSON.readValue(body, OBJECT);
            if (value == null) {
                throw new InvalidTokenRequestException("body must be a JSON object");
            }
            return value;
        } catch (JacksonException e) {
            throw new InvalidTokenRequestException(e.getOriginalMessage() != null && e
                    .getOriginalMessage().toLowerCase(Locale.ROOT).contains("duplicate")
                            ? "body must be a JSON object without duplicate fields"
                            : "body must be a JSON object");
        }
    }
}
