package dev.tollgate.executor.core.handlers;

import dev.tollgate.executor.core.ToolCall;
import tools.jackson.databind.JsonNode;

/** Performs one tool's calls against GitHub and trims the answer to what agents need. */
@FunctionalInterface
public interface ToolHandler {

    JsonNode perform(ToolCall call);
}
