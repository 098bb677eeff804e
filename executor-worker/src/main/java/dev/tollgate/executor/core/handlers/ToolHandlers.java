package dev.tollgate.executor.core.handlers;

import dev.tollgate.tools.Tool;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every handler, registered by tool, from the one file per area that performs it. A tool that
 * reaches GitHub has exactly one handler here ({@code ToolHandlersTest} walks the catalogue); a
 * tool the ingress answers has none.
 */
public final class ToolHandlers {

    private static final Map<Tool, ToolHandler> ALL = register(List.of(ContentsTools.handlers(),
            PassthroughTool.handlers(), IssueTools.handlers(), PullTools.handlers(),
            ReviewTools.handlers(), CheckTools.handlers(), ActionsTools.handlers(),
            GitDataTools.handlers(), SearchTools.handlers(), ForgejoTools.handlers(),
            GitLabTools.handlers(), JiraTools.handlers()));

    private ToolHandlers() {
    }

    static Map<Tool, ToolHandler> register(List<Map<Tool, ToolHandler>> areas) {
        Map<Tool, ToolHandler> all = new EnumMap<>(Tool.class);
        for (Map<Tool, ToolHandler> area : areas) {
            area.forEach((tool, handler) -> {
                if (all.put(tool, handler) != null) {
                    throw new IllegalStateException(tool.toolName() + " has two handlers");
                }
            });
        }
        return Collections.unmodifiableMap(all);
    }

    /** The handler of {@code tool}; empty for tools the ingress answers. */
    public static Optional<ToolHandler> of(Tool tool) {
        return Optional.ofNullable(ALL.get(tool));
    }

    /** Every registered handler, by tool. */
    public static Map<Tool, ToolHandler> all() {
        return ALL;
    }
}
