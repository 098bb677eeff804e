package dev.tollgate.runtime.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Every role's JSON error answers: {@code {"error": code, "message": text}}, never a trace, and
 * the RFC 6750 challenge of a refused bearer credential.
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /** {@code {"error": code, "message": message}}, in that order. */
    public static Map<String, Object> body(String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return body;
    }

    public static ResponseEntity<Map<String, Object>> of(HttpStatus status, String code,
            String message) {
        return ResponseEntity.status(status).body(body(code, message));
    }

    /** 401 with the body as given and the challenge for {@code code} (none when null). */
    public static ResponseEntity<Map<String, Object>> unauthorized(String realm, String code,
            String bodyCode, String message) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE,
                wwwAuthenticate(realm, code, message)).body(body(bodyCode, message));
    }

    /** An RFC 6750 challenge; with no credentials presented, no error attribute. */
    public static String wwwAuthenticate(String realm, String code, String description) {
        return wwwAuthenticate(realm, code, description, null);
    }

    /**
     * An RFC 6750 challenge, with RFC 9728's {@code resource_metadata} when given; the description
     * is kept to printable ASCII without quotes or backslashes, so nothing in it can split the
     * header or end the quoted string.
     */
    public static String wwwAuthenticate(String realm, String code, String description,
            String resourceMetadata) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm).append('"');
        if (code != null) {
            challenge.append(", error=\"").append(code).append("\", error_description=\"")
                    .append(description.replaceAll("[^\\x20-\\x7e]", "?").replace('"', '\'')
                            .replace('\\', '/'))
                    .append('"');
        }
        if (resourceMetadata != null) {
            challenge.append(", resource_metadata=\"").append(resourceMetadata).append('"');
        }
        return challenge.toString();
    }
}
