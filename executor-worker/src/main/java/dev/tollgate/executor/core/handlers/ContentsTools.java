package dev.tollgate.executor.core.handlers;

import static dev.tollgate.executor.core.Paths.encode;
import static dev.tollgate.executor.core.handlers.Results.object;
import static dev.tollgate.executor.core.handlers.Results.pick;

import dev.tollgate.executor.core.Paths;
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

    /** One file, its path and ref from the target; a directory comes back as its listing. */
    static JsonNode getFile(ToolCall call) {
        String path = call.target().paths().named().get(0);
        String ref = call.text("ref");
        JsonNode answer = call.session().get(call.repoPath() + "/contents/" + Paths.filePath(path)
                + (ref == null ? "" : "?ref=" + encode(ref)));
        if (answer.isArray()) {
            ObjectNode result = object().put("path", path).put("type", "dir");
            ArrayNode entries = result.putArray("entries");
            answer.forEach(entry -> entries.add(pick(entry, "name", "path", "type", "size")));
            return result;
        }
        ObjectNode result = pick(answer, "path", "type", "sha", "size", "html_url");
        String encoding = answer.path("encoding").asString("");
        if (encoding.equals("base64")) {
            byte[] bytes = Base64.getMimeDecoder().decode(answer.path("content").asString(""));
            try {
                result.put("encoding", "utf-8").put("content", StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes))
                        .toString());
            } catch (CharacterCodingException e) {
                result.put("encoding", "base64").put("content", Base64.getEncoder()
                        .encodeToString(bytes));
            }
        } else {
            result.put("encoding", encoding).put("note",
                    "content not inline (file larger than GitHub returns through this API)");
        }
        return result;
    }
}
