package dev.tollgate.executor.core.handlers;

import dev.tollgate.executor.core.GitHubSession;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.ToolCall;
import java.util.StringJoiner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Helpers the handlers share: trimming answers and encoding path parts. */
final class Results {

    /** How many recent items are searched for a redelivered write's marker. */
    static final int MARKER_SEARCH_PAGE = 100;

    private Results() {
    }

    static ObjectNode object() {
        return GitHubSession.JSON.createObjectNode();
    }

    static ArrayNode array() {
        return GitHubSession.JSON.createArrayNode();
    }

    /** The named fields of {@code from} that are present and not null. */
    static ObjectNode pick(JsonNode from, String... fields) {
        ObjectNode result = object();
        for (String field : fields) {
            JsonNode value = from.get(field);
            if (value != null && !value.isNull()) {
                result.set(field, value);
            }
        }
        return result;
    }

    /** Ref names keep their '/' (agent-x/y) but each part is encoded. */
    static String encodeRef(String ref) {
        StringJoiner joined = new StringJoiner("/");
        for (String part : ref.split("/")) {
            joined.add(Paths.encode(part));
        }
        return joined.toString();
    }

    /** How far before its decision a call's own writes are looked for (clocks differ). */
    static final java.time.Duration CLOCK_MARGIN = java.time.Duration.ofMinutes(10);

    /**
     * GitHub's {@code since} for a marker search: the call's decision less {@link #CLOCK_MARGIN},
     * to the second (YYYY-MM-DDTHH:MM:SSZ).
     */
    static String since(ToolCall call) {
        return call.decidedAt().minus(CLOCK_MARGIN)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
