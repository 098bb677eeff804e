package dev.tollgate.executor;

import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import mockwebserver3.MockResponse;

/**
 * What the forge stand-ins share: answers scripted ahead of their model (each taken once, by the
 * first request whose method and path it matches), and the exception a handler answers with.
 */
final class ScriptedAnswers {

    /** A scripted answer taken for a request: to build, and the headers it sets itself. */
    record Taken(MockResponse.Builder builder, Set<String> headerNames) {
    }

    private record Scripted(String method, String pathPrefix, int status,
            Map<String, String> headers, String body) {

        boolean matches(String requestMethod, String path) {
            return (method == null || method.equals(requestMethod)) && (pathPrefix == null
                    || path.startsWith(pathPrefix));
        }
    }

    /** Thrown inside a handler to answer with {@code response} (a forge's error). */
    static final class Answer extends RuntimeException {
        final transient MockResponse response;

        Answer(MockResponse response) {
            super(null, null, false, false);
            this.response = response;
        }
    }

    private final Deque<Scripted> scripted = new ConcurrentLinkedDeque<>();

    /**
     * Answers the next {@code times} requests with {@code method} (any when null) whose path
     * starts with {@code pathPrefix} (any when null) with this status, headers and body.
     */
    void add(String method, String pathPrefix, int times, int status,
            Map<String, String> headers, String body) {
        for (int i = 0; i < times; i++) {
            scripted.add(new Scripted(method, pathPrefix, status, headers == null
                    ? Map.of()
                    : Map.copyOf(headers), body));
        }
    }

    /** The first scripted answer for this request, taken so that no other request gets it. */
    Optional<Taken> take(String method, String path) {
        for (Scripted answer : scripted) {
            if (answer.matches(method, path) && scripted.remove(answer)) {
                MockResponse.Builder builder = new MockResponse.Builder().code(answer.status())
                        .body(answer.body() == null ? "" : answer.body());
                answer.headers().forEach(builder::addHeader);
                return Optional.of(new Taken(builder, answer.headers().keySet()));
            }
        }
        return Optional.empty();
    }
}
