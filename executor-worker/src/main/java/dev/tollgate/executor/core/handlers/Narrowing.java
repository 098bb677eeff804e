package dev.tollgate.executor.core.handlers;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubCallException;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubSession;
import dev.tollgate.executor.core.ToolCall;
import java.io.OutputStream;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a result too large for one answer is answered with: {@code result_too_large}, the size
 * found, the limit, and how this tool asks for less (a line range, a page, a narrower path).
 */
public final class Narrowing {

    /** Where the limit comes from, for the agent's operator. */
    static final String LIMIT_SOURCE = "tollgate.kafka.max-message-bytes less 16 KiB and the"
            + " answer's other fields";

    private Narrowing() {
    }

    /** The bytes of {@code result} as JSON text in an answer (UTF-8, escaping included). */
    public static long jsonBytes(JsonNode result) {
        Counter counter = new Counter();
        GitHubSession.JSON.writeValue(counter, result);
        return counter.count;
    }

    /** Bytes {@code text} takes as a JSON string's content (UTF-8, escaped as Jackson does). */
    static long jsonBytes(CharSequence text, int from, int to) {
        long bytes = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                bytes += 2;
            } else if (c < 0x20) {
                bytes += c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f' ? 2 : 6;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text
                    .charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** {@code result_too_large}: what was found, its size, the limit and how to ask for less. */
    public static GitHubCallException tooLarge(String what, long size, long limit, String how) {
        return new GitHubCallException(GitHubError.of(ErrorClass.RESULT_TOO_LARGE, 0, what
                + " is " + size + " bytes as JSON; an answer may carry at most " + limit
                + " bytes of result (" + LIMIT_SOURCE + "): " + how, null));
    }

    /** How {@code call} asks for less than {@code result}, which is {@code size} bytes. */
    public static String hint(ToolCall call, JsonNode result, long size) {
        long limit = call.resultBudget();
        return switch (call.tool()) {
            case GET_FILE -> result.has("entries")
                    ? "the folder lists " + result.path("entries").size() + " entries; ask for"
                            + " a file or a folder below it"
                    : "ask for part of the file with start_line and end_line";
            case LIST_PULL_REQUESTS, LIST_BRANCHES -> result.isArray()
                    ? "it lists " + result.size() + " items; ask for fewer with per_page"
                            + " (per_page=" + perPage(result.size(), size, limit)
                            + " fits) and for the next ones with page"
                    : hint(call.tool().toolName());
            case GITHUB_API_GET, GITLAB_API_GET -> passthroughHint(result, size, limit);
            case READ_REPO -> "its top-level listing has " + result.path("entries").size()
                    + " entries; read the metadata alone with github_api_get /repos/"
                    + call.owner() + "/" + call.repo() + " and folders one at a time with"
                    + " get_file";
            default -> hint(call.tool().toolName());
        };
    }

    /** How a tool asks for less, without its result at hand. */
    public static String hint(String tool) {
        return switch (tool) {
            case "get_file" -> "ask for part of the file with start_line and end_line";
            case "list_pull_requests", "list_branches" -> "ask for fewer items with per_page and"
                    + " for the next ones with page";
            case "github_api_get" -> "ask for fewer items with query per_page and page, or for"
                    + " a narrower path";
            default -> "ask for less";
        };
    }

    private static String passthroughHint(JsonNode result, long size, long limit) {
        if (result.isArray()) {
            return "it lists " + result.size()
                    + " items; ask for fewer with query {\"per_page\": \""
                    + perPage(result.size(), size, limit) + "\"} and for the next ones with"
                    + " \"page\"";
        }
        for (Map.Entry<String, JsonNode> field : result.properties()) {
            if (field.getValue().isArray() && field.getValue().size() > 1) {
                return "its '" + field.getKey() + "' lists " + field.getValue().size()
                        + " items; where the endpoint pages, ask for fewer with query per_page and"
                        + " page, else for a narrower path";
            }
        }
        return "ask for a narrower path (one item rather than a list; a file's lines with get_file"
                + " and start_line, end_line)";
    }

    /** Items per page that fit, from {@code items} that took {@code size} bytes. */
    static long perPage(int items, long size, long limit) {
        long fitting = size == 0 ? items : (long) Math.floor(items * 0.9 * limit / size);
        return Math.max(1, Math.min(100, fitting));
    }

    /** Counts what is written, keeping nothing. */
    private static final class Counter extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
