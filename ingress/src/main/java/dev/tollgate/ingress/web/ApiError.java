package dev.tollgate.ingress.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** JSON error bodies for the HTTP API: {@code {"error": code, "message": text}}, never a trace. */
public final class ApiError {

    private ApiError() {
    }

    public static ResponseEntity<Map<String, Object>> of(HttpStatus status, String code,
            String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return ResponseEntity.status(status).body(body);
    }

    public static ResponseEntity<Map<String, Object>> unauthorized(String realm, String code,
            String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE,
                wwwAuthenticate(realm, code, message)).body(body);
    }

    public static ResponseEntity<Map<String, Object>> tooManyRequests(Duration wait) {
        long seconds = RateLimits.retryAfterSeconds(wait);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "rate_limited");
        body.put("message", "too many requests; retry after " + seconds + " s");
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header(HttpHeaders.RETRY_AFTER,
                Long.toString(seconds)).body(body);
    }

    /** An RFC 6750 challenge; with no credentials presented, no error attribute. */
    public static String wwwAuthenticate(String realm, String code, String description) {
        if (code == null) {
            return "Bearer realm=\"" + realm + "\"";
        }
        return "Bearer realm=\"" + realm + "\", error=\"" + code + "\", error_description=\""
                + description.replace("\"", "'").replace("\\", "/") + "\"";
    }
}
