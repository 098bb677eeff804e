package dev.tollgate.executor.core;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The one HTTP exchange with an OAuth 2.0 token endpoint: a form POSTed, the answer returned
 * whatever its status. Never follows a redirect (the form carries the client secret).
 */
public interface TokenExchange {

    /** The token endpoint's answer. Its body holds an access token: never log it. */
    record Answer(int status, ResponseHeaders headers, String body) {

        @Override
        public String toString() {
            return "Answer[" + status + ", redacted]";
        }
    }

    /**
     * POSTs {@code form} ({@code application/x-www-form-urlencoded}) to {@code endpoint}.
     *
     * @throws IOException when no answer came (unreachable, reset, timed out)
     */
    Answer post(URI endpoint, Map<String, List<String>> headers, String form) throws IOException;
}
