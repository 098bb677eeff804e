package dev.tollgate.executor.core;

import java.util.regex.Pattern;

/**
 * The hidden marker that ties something created on GitHub to the request that created it, so a
 * redelivered request finds its earlier write instead of writing again. In Markdown bodies it is
 * an HTML comment (invisible when rendered); in commits a trailer.
 */
public final class Markers {

    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private Markers() {
    }

    static String checked(String requestId) {
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
            throw new IllegalArgumentException("request ID unusable as a marker: " + requestId);
        }
        return requestId;
    }

    /** {@code <!-- tollgate-request-id: ID -->} */
    public static String html(String requestId) {
        return "<!-- tollgate-request-id: " + checked(requestId) + " -->";
    }

    /** The body with the marker appended on its own line. */
    public static String withMarker(String body, String requestId) {
        String text = body == null ? "" : body;
        return (text.isEmpty() ? "" : text + "\n\n") + html(requestId);
    }

    /** {@code Tollgate-Request-Id: ID}, a git trailer. */
    public static String trailer(String requestId) {
        return "Tollgate-Request-Id: " + checked(requestId);
    }

    public static boolean carries(String text, String requestId) {
        if (text == null) {
            return false;
        }
        // The trailer must be a whole line: "...: req-9" must not match "...: req-99".
        return text.contains(html(requestId)) || Pattern.compile("(?m)^" + Pattern.quote(trailer(
                requestId)) + "\\s*$").matcher(text).find();
    }
}
