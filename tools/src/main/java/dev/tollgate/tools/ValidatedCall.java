package dev.tollgate.tools;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A tool call whose arguments passed the tool's checks, normalized, with its target parsed.
 *
 * @param tool the tool's definition
 * @param arguments the normalized arguments (sorted keys, defaults filled in)
 * @param target what the call acts on; empty for local tools
 */
public record ValidatedCall(ToolDefinition tool, Map<String, Object> arguments,
        Optional<Target> target) {

    public ValidatedCall {
        arguments = Collections.unmodifiableMap(new TreeMap<>(arguments));
    }

    /** The GitHub App permissions this call's token needs: its tool's, narrowed to the call. */
    public Map<String, String> permissions() {
        return tool.permissionsFor(arguments);
    }

    /** The normalized arguments as JSON with sorted keys: equal calls give equal bytes. */
    public String argumentsJson() {
        return Json.write(arguments);
    }

    /** The arguments, read by name. */
    public Args args() {
        return new Args(arguments);
    }

    /** The target of a call that reaches GitHub. */
    public Target requireTarget() {
        return target.orElseThrow(() -> new IllegalStateException(tool.name()
                + " is answered by the ingress and has no target"));
    }
}
