package dev.tollgate.executor.core;

import java.util.Optional;
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

    /** Agent IDs as the ingress accepts them (its TokenRules). */
    private static final Pattern AGENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:/-]{0,127}");
    private static final String AGENT_PREFIX = "<!-- tollgate-agent: ";

    /** {@code <!-- tollgate-agent: AGENT -->}: whose request wrote it. */
    public static String agent(String agentId) {
        if (agentId == null || !AGENT.matcher(agentId).matches()) {
            throw new IllegalArgumentException("agent ID unusable as a marker: " + agentId);
        }
        return AGENT_PREFIX + agentId + " -->";
    }

    /**
     * The body with the request's marker and then the agent's, each on its own line: the agent's
     * is the body's last line, which only the gateway writes (an agent's own text always comes
     * before both).
     */
    public static String withOwner(String body, String requestId, String agentId) {
        return withMarker(body, requestId) + "\n" + agent(agentId);
    }

    /**
     * The agent whose request wrote {@code body} with {@link #withOwner}: read from its last line
     * only, so that marker-like text an agent wrote inside the body names no one. Empty when the
     * body does not end so (written before bodies carried their agent, or by someone else).
     */
    public static Optional<String> owner(String body) {
        if (body == null) {
            return Optional.empty();
        }
        String text = body.stripTrailing();
        int lastLine = text.lastIndexOf('\n') + 1;
        String last = text.substring(lastLine);
        if (!last.startsWith(AGENT_PREFIX) || !last.endsWith(" -->")) {
            return Optional.empty();
        }
        String agent = last.substring(AGENT_PREFIX.length(), last.length() - " -->".length());
        return AGENT.matcher(agent).matches() ? Optional.of(agent) : Optional.empty();
    }

    /**
     * The gateway's markers at the end of {@code body} ({@link #withOwner}'s last two lines), to
     * keep under a new text; empty when it does not end so.
     */
    public static Optional<String> trailingMarkers(String body) {
        if (owner(body).isEmpty()) {
            return Optional.empty();
        }
        String text = body.stripTrailing();
        int lastLine = text.lastIndexOf('\n');
        if (lastLine <= 0) {
            return Optional.empty();
        }
        int before = text.lastIndexOf('\n', lastLine - 1);
        String requestLine = text.substring(before + 1, lastLine);
        if (!requestLine.startsWith("<!-- tollgate-request-id: ")) {
            return Optional.empty();
        }
        return Optional.of(text.substring(before + 1));
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
