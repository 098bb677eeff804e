package dev.tollgate.ingress.web;

import dev.tollgate.runtime.web.ErrorResponses;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * JSON error bodies for the ingress's HTTP API: every role's {@link ErrorResponses}, and the
 * ingress's own rate-limit answer.
 */
public final class ApiError {

    private ApiError() {
    }

    public static ResponseEntity<Map<String, Object>> of(HttpStatus status, String code,
            String message) {
        return ErrorResponses.of(status, code, message);
    }

    public static ResponseEntity<Map<String, Object>> unauthorized(String realm, String code,
            String message) {
        return ErrorResponses.unauthorized(realm, code, code, message);
    }

    public static ResponseEntity<Map<String, Object>> tooManyRequests(Duration wait) {
        long seconds = RateLimits.retryAfterSeconds(wait);
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER,
                Long.toString(seconds)).body(
                        ErrorResponses.body("rate_limited",
                                "too many requests; retry after " + seconds + " s"));
    }

    /** An RFC 6750 challenge; with no credentials presented, no error attribute. */
    public static String wwwAuthenticate(String realm, String code, String description) {
        return ErrorResponses.wwwAuthenticate(realm, code, description);
    }
}
