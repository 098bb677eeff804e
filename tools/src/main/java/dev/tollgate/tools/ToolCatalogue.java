package dev.tollgate.tools;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The tools offered, by name, in {@link Tool}'s order: what {@code tools/list} shows. */
public final class ToolCatalogue {

    private static final ToolCatalogue STANDARD = new ToolCatalogue(Arrays.stream(Tool.values())
            .map(Tool::definition).toList());

    private final Map<String, ToolDefinition> byName;

    private ToolCatalogue(List<ToolDefinition> tools) {
        Map<String, ToolDefinition> map = new LinkedHashMap<>();
        for (ToolDefinition tool : tools) {
            if (map.put(tool.name(), tool) != null) {
                throw new IllegalStateException("two tools are named " + tool.name());
            }
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /** Every tool. */
    public static ToolCatalogue standard() {
        return STANDARD;
    }

    public List<ToolDefinition> tools() {
        return List.copyOf(byName.values());
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public Optional<ToolDefinition> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * Validates a call of the tool named {@code name}: the one way every role turns a tool name and
     * arguments into a normalized call and its target.
     *
     * @throws InvalidArgumentException for an unknown tool (field {@code name}) or bad arguments
     */
    public ValidatedCall validate(String name, Map<String, Object> arguments) {
        ToolDefinition tool = byName(name).orElseThrow(() -> new InvalidArgumentException("name",
                "is not a tool: the tools are " + names()));
        return tool.validate(arguments);
    }
}
