package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Paths;
import dev.tollgate.executor.core.Refusal;
import dev.tollgate.executor.core.ToolCall;
import dev.tollgate.tools.Tool;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Repository contents: read_repo and get_file. */
final class ContentsTools {

    /** At most what {@code "start_line":N,"end_line":N,"total_lines":N} adds to an answer. */
    private static final int RANGE_FIELDS_BYTES = 96;

    private ContentsTools() {
    }

    static Map<Tool, ToolHandler> handlers() {
        return Map.of(Tool.READ_REPO, ContentsTools::readRepo, Tool.GET_FILE,
                ContentsTools::getFile);
    }

    static JsonNode readRepo(ToolCall call) {
        JsonNode repo = call.session().get(call.repoPath());
        ObjectNode result = pick(repo, "full_name", "description", "default_branch",
                "visibility", "private", "fork", "archived", "html_url", "topics");
        ArrayNode entries = result.putArray("entries");
        call.session().find(call.repoPath() + "/contents/").ifPresent(listing -> listing.forEach(
                entry -> entries.add(pick(entry, "name", "path", "type", "size"))));
        return result;
    }

    /**
     * One file, its path and ref from the target; a directory comes back as its listing. A text
     * file comes back whole, or the lines {@code start_line} to {@code end_line} of it with how
     * many it has; one too large for an answer is {@code result_too_large}, naming a range that
     * fits.
     */
    static JsonNode getFile(ToolCall call) {
        String path = call.target().paths().named().get(0);
        String ref = call.text("ref");
        JsonNode answer = call.session().get(call.repoPath() + "/contents/" + Paths.filePath(path)
                + (ref == null ? "" : "?ref=" + encode(ref)));
        requireDecidedPath(call, path, answer);
        return fileResult(call, path, answer);
    }

    /**
     * GitHub follows a symbolic link to a file in the repository and answers with that file,
     * under the file's own path: the policy decided on the link's path, not the target's, so an
     * answer for another path is refused, its content unread. The agent can ask for the target by
     * its own path, which the policy then decides on.
     */
    static void requireDecidedPath(ToolCall call, String path, JsonNode answer) {
        if (answer.isObject() && answer.has("path") && !answer.path("path").asString().equals(
                path)) {
            throw Refusal.forbidden(call.tool().toolName() + ": " + path + " is a symbolic link"
                    + " to " + answer.path("path").asString() + ", and the policy decided on "
                    + path + " only; read the file by its own path");
        }
    }

    /**
     * The answer for one file (or a directory's listing, an array) the forge gave in GitHub's
     * shape ({@code path}, {@code type}, {@code sha}, {@code size}, {@code encoding},
     * {@code content}): decoded, cut to the lines asked for, or {@code result_too_large}.
     */
    static JsonNode fileResult(ToolCall call, String path, JsonNode answer) {
        Long startLine = call.args().number("start_line");
        Long endLine = call.args().number("end_line");
        boolean ranged = startLine != null || endLine != null;
        if (answer.isArray()) {
            if (ranged) {
                throw Refusal.invalid("start_line and end_line apply to files; " + path
                        + " is a folder");
            }
            ObjectNode result = object().put("path", path).put("type", "dir");
            ArrayNode entries = result.putArray("entries");
            answer.forEach(entry -> entries.add(pick(entry, "name", "path", "type", "size")));
            return result;
        }
        ObjectNode result = pick(answer, "path", "type", "sha", "size", "html_url");
        String encoding = answer.path("encoding").asString("");
        if (!encoding.equals("base64")) {
            return result.put("encoding", encoding).put("note",
                    "content not inline (file larger than the forge returns through this API)");
        }
        byte[] bytes = Base64.getMimeDecoder().decode(answer.path("content").asString(""));
        String text = utf8(bytes);
        if (text == null) {
            if (ranged) {
                throw Refusal.invalid("start_line and end_line apply to text files; " + path
                        + " is binary (" + bytes.length + " bytes)");
            }
            result.put("encoding", "base64").put("content", Base64.getEncoder().encodeToString(
                    bytes));
            long size = Narrowing.jsonBytes(result);
            if (size > call.resultBudget()) {
                throw Narrowing.tooLarge("get_file's answer for " + path + " (a binary file of "
                        + bytes.length + " bytes, base64-encoded)", size, call.resultBudget(),
                        "line ranges apply only to text files, so get_file cannot return this one");
            }
            return result;
        }
        TextLines lines = new TextLines(text);
        long first = startLine == null ? 1 : startLine;
        long last = endLine == null ? lines.count() : Math.min(endLine, lines.count());
        if (ranged && first > lines.count()) {
            throw Refusal.invalid("start_line " + first + " is past the end of " + path
                    + ", which has " + lines.count() + " lines");
        }
        result.put("encoding", "utf-8").put("content", ranged
                ? lines.slice(first, last)
                : text);
        if (ranged) {
            result.put("start_line", first).put("end_line", last).put("total_lines", lines
                    .count());
        }
        long size = Narrowing.jsonBytes(result);
        if (size > call.resultBudget()) {
            // What is left for the text once the rest is written, with the range's own fields
            // (start_line, end_line, total_lines) the suggested call will add.
            long room = call.resultBudget() - (size - lines.jsonBytes(first, last)) - (ranged
                    ? 0
                    : RANGE_FIELDS_BYTES);
            long fits = lines.lastFitting(first, room);
            throw Narrowing.tooLarge("get_file's answer for " + path + (ranged
                    ? " lines " + first + "-" + last
                    : "") + " (" + lines.count() + " lines, " + bytes.length + " bytes of text)",
                    size, call.resultBudget(), fits < first
                            ? "its line " + first + " alone is larger than that, so get_file"
                                    + " cannot return it"
                            : "ask for part of it with start_line and end_line: lines " + first
                                    + "-" + fits + " fit");
        }
        return result;
    }

    /** The text of {@code bytes} if they are UTF-8, else null. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
