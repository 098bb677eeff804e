package dev.tollgate.ingress.core.tools;

import dev.tollgate.schemas.GitHubAction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One MCP tool, defined once: its name and permissions come from its {@link GitHubAction}; its
 * description, arguments (from which both the input schema and the checks derive), behaviour
 * hints and the resource it targets are declared here.
 *
 * @param action the action the tool performs (name, kind and GitHub App permissions)
 * @param title a short human title
 * @param description what the tool does, for the agent
 * @param params the arguments
 * @param readOnly MCP readOnlyHint
 * @param destructive MCP destructiveHint
 * @param idempotent MCP idempotentHint
 * @param resource which resource a validated call targets (empty for local tools)
 */
public record ToolDefinition(GitHubAction action, String title, String description,
        List<Param> params, boolean readOnly, boolean destructive, boolean idempotent,
        Function<Map<String, Object>, Optional<ResourceRef>> resource) {

    public ToolDefinition {
        Objects.requireNonNull(action, "action");
        params = List.copyOf(params);
    }

    public String name() {
        return action.toolName();
    }

    /** GitHub App permissions a token for this tool needs (empty for local tools). */
    public Map<String, String> permissions() {
        return new TreeMap<>(action.permissions());
    }

    /** True if the ingress answers the call itself, without Kafka or GitHub. */
    public boolean local() {
        return action.kind() == GitHubAction.Kind.LOCAL;
    }

    /** Reaches outside Tollgate (GitHub): the MCP openWorldHint. */
    public boolean openWorld() {
        return !local();
    }

    private Param.Obj root() {
        return new Param.Obj("arguments", null, true, params);
    }

    /** The JSON schema of the arguments. */
    public Map<String, Object> inputSchema() {
        return root().schema();
    }

    /**
     * Checks and normalizes {@code arguments} (null is treated as no arguments).
     *
     * @throws InvalidArgumentException naming the first offending field
     */
    public ValidatedCall validate(Map<String, Object> arguments) {
        Map<String, Object> normalized = root().normalizeFields("",
                arguments == null ? Map.of() : arguments);
        return new ValidatedCall(this, normalized, resource.apply(normalized));
    }

    /**
     * The tool as agents see it in {@code tools/list}: name, title, description, input schema,
     * annotations and Tollgate's metadata (action and permissions). The snapshot tests pin it.
     */
    public Map<String, Object> descriptor() {
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("title", title);
        annotations.put("readOnlyHint", readOnly);
        annotations.put("destructiveHint", destructive);
        annotations.put("idempotentHint", idempotent);
        annotations.put("openWorldHint", openWorld());
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("name", name());
        descriptor.put("title", title);
        descriptor.put("description", description);
        descriptor.put("inputSchema", inputSchema());
        descriptor.put("annotations", annotations);
        descriptor.put("_meta", meta());
        return descriptor;
    }

    /** Tollgate's metadata on the tool: the action and the permissions it needs. */
    public Map<String, Object> meta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("dev.tollgate/action", action.name());
        meta.put("dev.tollgate/kind", action.kind().name());
        meta.put("dev.tollgate/permissions", permissions());
        return meta;
    }
}
