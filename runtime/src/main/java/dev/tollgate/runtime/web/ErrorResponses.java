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
        if (code == null) {
            return "Bearer realm=\"" + realm + "\"";
        }
        return "Bearer realm=\"" + realm + "\", error=\"" + code + "\", error_description=\""
                + description.replace("\"", "'").replace("\\", "/") + "\"";
    }
}
