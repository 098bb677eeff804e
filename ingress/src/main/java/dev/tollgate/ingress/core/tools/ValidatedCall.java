package dev.tollgate.ingress.core.tools;

import java.util.Map;
import java.util.Optional;

/** A tool call whose arguments passed the tool's checks, normalized and ready to leave the ingress. */
public record ValidatedCall(ToolDefinition tool, Map<String, Object> arguments,
        Optional<ResourceRef> resource) {

    public ValidatedCall {
        arguments = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(arguments));
    }

    /** The normalized arguments as JSON with sorted keys. */
    public String argumentsJson() {
        return Json.write(arguments);
    }
}
