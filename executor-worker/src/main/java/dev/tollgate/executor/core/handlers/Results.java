package dev.tollgate.executor.core.handlers;

import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubSession;
import dev.tollgate.executor.core.Markers;
import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * What a push answers: the branch, the commit, its page ({@code urlField}: GitHub's and
     * Forgejo's {@code html_url}, GitLab's {@code web_url}), whether the branch was created and
     * every path it changed.
     */
    static ObjectNode pushResult(ToolCall call, String branch, String sha, String urlField,
            String url, boolean created) {
        ObjectNode result = object().put("branch", branch).put("commit", sha).put(urlField, url)
                .put("branch_created", created);
        ArrayNode paths = result.putArray("files");
        call.target().paths().named().forEach(paths::add);
        return result;
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

    private static final Pattern LAST_PAGE = Pattern.compile(
            "<[^>]*[?&]page=(\\d{1,9})[^>]*>\\s*;\\s*rel=\"last\"");

    /**
     * The newest entries of a listing GitHub gives oldest first with no way to reverse or filter
     * by time (a pull request's reviews): its first page and, when its {@code Link} header names
     * a last page, that page and the one before it (an entry deleted meanwhile may move the
     * newest back a page), read at {@link #MARKER_SEARCH_PAGE} a page.
     */
    static List<JsonNode> newestOf(ToolCall call, String path) {
        String first = path + (path.contains("?") ? "&" : "?") + "per_page="
                + MARKER_SEARCH_PAGE;
        GitHubResponse response = call.session().send("GET", first, Optional.empty());
        List<JsonNode> entries = new ArrayList<>(page(call, response));
        int last = lastPage(response.headers().first("link").orElse(""));
        for (int page = Math.max(2, last - 1); page <= last; page++) {
            call.session().get(first + "&page=" + page).forEach(entries::add);
        }
        return entries;
    }

    /** The page number of {@code rel="last"} in a {@code Link} header, 1 when there is none. */
    static int lastPage(String link) {
        Matcher last = LAST_PAGE.matcher(link);
        return last.find() ? Integer.parseInt(last.group(1)) : 1;
    }

    private static List<JsonNode> page(ToolCall call, GitHubResponse response) {
        if (!response.isSuccess()) {
            throw new GitHubCallException(call.session().classify(
                    response));
        }
        List<JsonNode> entries = new ArrayList<>();
        GitHubSession.JSON.readTree(response.body()).forEach(
                entries::add);
        return entries;
    }

    /**
     * The first of the {@code recent} entries whose {@code body} carries this call's marker: what
     * an earlier delivery of the same request wrote, so a redelivery answers it instead of
     * writing again. Nothing is read from GitHub when no earlier delivery can have written
     * ({@link ToolCall#mayHaveWrittenBefore}).
     */
    static Optional<JsonNode> marked(ToolCall call, Supplier<Iterable<JsonNode>> recent) {
        if (!call.mayHaveWrittenBefore()) {
            return Optional.empty();
        }
        for (JsonNode entry : recent.get()) {
            if (Markers.carries(entry.path("body").asString(null), call.requestId())) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }
}
