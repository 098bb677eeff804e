package dev.tollgate.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The documentation tables that come from the catalogue, in Markdown: the tools, the tiers and
 * the error codes. The READMEs hold them between {@code <!-- NAME:begin -->} and
 * {@code <!-- NAME:end -->} markers; a test fails when a README's copy differs from what this
 * renders ({@code UPDATE_DOCS=true} rewrites them).
 */
public final class ToolDocs {

    private ToolDocs() {
    }

    /** Every tool: its kind, the tier that grants it, its permissions and its arguments. */
    public static String toolsTable() {
        StringBuilder out = new StringBuilder(
                "| tool | kind | granted by | GitHub App permissions (Forgejo, GitLab token scopes; JIRA's classic scopes) |"
                        + " arguments |\n"
                        + "|---|---|---|---|---|\n");
        for (Tool tool : Tool.values()) {
            ToolDefinition definition = tool.definition();
            out.append("| `").append(tool.toolName()).append("` | ").append(kind(definition))
                    .append(" | ").append(definition.tier() == null
                            ? "— (answered by the gateway)"
                            : grantedBy(tool))
                    .append(" | ").append(permissions(definition)).append(" | ")
                    .append(arguments(definition.params())).append(" |\n");
        }
        return out.toString();
    }

    /** Every tier and the tools it grants. */
    public static String tiersTable() {
        StringBuilder out = new StringBuilder("| tier | grants | constraint |\n|---|---|---|\n");
        for (Tier tier : Tier.values()) {
            out.append("| `").append(tier.key()).append("` | ").append(tier == Tier.WRITE
                    ? "every tool of the grant's forge (GitHub's, Forgejo's, GitLab's or JIRA's)"
                    : tier.tools().stream().map(tool -> "`" + tool.toolName() + "`").collect(
                            Collectors.joining(", ")))
                    .append(" | ").append(constraint(tier)).append(" |\n");
        }
        return out.toString();
    }

    /** Every error code an agent can read, who gives it and whether a retry may succeed. */
    public static String errorCodesTable() {
        StringBuilder out = new StringBuilder(
                "| code | given by | retryable | meaning |\n|---|---|---|---|\n");
        for (ErrorCode code : ErrorCode.values()) {
            out.append("| `").append(code.code()).append("` | ").append(code.role().name()
                    .toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append(" | ").append(
                            code.retryable() ? "yes" : "no")
                    .append(" | ").append(code.meaning()).append(" |\n");
        }
        return out.toString();
    }

    private static String kind(ToolDefinition definition) {
        return switch (definition.kind()) {
            case LOCAL -> "local";
            case READ -> "read";
            case WRITE -> definition.destructive() ? "write (may overwrite)" : "write";
        };
    }

    private static String grantedBy(Tool tool) {
        return tool.tier() == Tier.WRITE
                ? "`write`"
                : "`" + tool.tier().key() + "` or `write`";
    }

    private static String constraint(Tier tier) {
        return switch (tier) {
            case PUSH_NEW_BRANCH -> "branches named `agent-…` only (the branch rule, for every"
                    + " tier)";
            case CREATE_DRAFT -> "drafts only (`draft` absent or `true`)";
            case WRITE -> "none of the tiers' constraints (the branch rule still holds)";
            default -> "";
        };
    }

    private static String permissions(ToolDefinition definition) {
        Map<String, String> permissions = definition.permissions();
        if (permissions.isEmpty()) {
            return "—";
        }
        return permissions.entrySet().stream().map(e -> switch (definition.forge()) {
            case GITHUB -> "`" + e.getKey() + ": " + e.getValue() + "`";
            case FORGEJO -> "`" + e.getValue() + ":" + e.getKey() + "`";
            case GITLAB -> e.getValue().equals("read") ? "`read_api`" : "`api`";
            case JIRA -> "`" + e.getValue() + ":" + e.getKey() + "`";
        }).collect(Collectors.joining(", "));
    }

    private static String arguments(List<Param> params) {
        if (params.isEmpty()) {
            return "—";
        }
        List<String> names = new ArrayList<>();
        for (Param param : params) {
            String name = param.name() + (param.required() ? "" : "?");
            if (param instanceof Param.Arr array && array.items() instanceof Param.Obj item) {
                name = param.name() + "[]{" + item.fields().stream().map(field -> field.name()
                        + (field.required() ? "" : "?")).collect(Collectors.joining(", ")) + "}"
                        + (param.required() ? "" : "?");
            }
            names.add(name);
        }
        return String.join(", ", names);
    }
}
