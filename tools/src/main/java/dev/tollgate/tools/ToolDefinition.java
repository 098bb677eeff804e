package dev.tollgate.tools;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One MCP tool, defined once: name, title, description, arguments (from which both the input
 * schema and the checks derive), behaviour hints, the tier that grants it, the GitHub App
 * permissions its token is requested with, and the parser from its arguments to the
 * {@link Target} every role reads. Built with {@link #local}, {@link #read} or {@link #write}.
 *
 * @param tool the tool this defines
 * @param name the name agents call
 * @param kind where it is answered and whether it changes anything
 * @param title a short human title
 * @param description what the tool does, for the agent
 * @param params the arguments
 * @param tier the tier that grants it; null for local tools, which need no grant
 * @param permissions GitHub App permissions (name to read/write) its token is requested with
 * @param destructive MCP destructiveHint: it may overwrite what is there
 * @param reveals for read tools, the kinds of data its calls can reveal (empty for others)
 * @param target the parser from normalized arguments to the target (absent for local tools)
 * @param callPermissions for a tool whose calls need less than all of {@code permissions} (the
 *        passthrough: a GET of issues needs no contents), what one call's token needs, always
 *        within {@code permissions}; absent when every call needs them all
 * @param forge where the tool acts (GitHub unless it is a Forgejo tool); a grant grants only its
 *        own forge's tools
 */
public record ToolDefinition(Tool tool, String name, Tool.Kind kind, String title,
        String description, List<Param> params, Tier tier, Map<String, String> permissions,
        boolean destructive, Set<Reveals> reveals, Optional<Function<Args, Target>> target,
        Optional<Function<Args, Map<String, String>>> callPermissions, Forge forge) {

    public ToolDefinition {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(forge, "forge");
        params = List.copyOf(params);
        reveals = reveals.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(reveals));
        if ((kind == Tool.Kind.READ) != !reveals.isEmpty()) {
            throw new IllegalStateException(name + ": read tools, and only they, say what they"
                    + " reveal");
        }
        permissions = java.util.Collections.unmodifiableMap(new TreeMap<>(permissions));
        if ((kind == Tool.Kind.LOCAL) != (tier == null) || (kind == Tool.Kind.LOCAL) != target
                .isEmpty()) {
            throw new IllegalStateException(name + ": local tools, and only they, have no tier"
                    + " and no target");
        }
    }

    /** A tool the ingress answers itself: no grant, no token, no target. */
    public static Builder local(String name) {
        return new Builder(name, Tool.Kind.LOCAL, null);
    }

    /** A tool that reads GitHub, granted by {@code tier}. */
    public static Builder read(String name, Tier tier) {
        return new Builder(name, Tool.Kind.READ, tier);
    }

    /** A tool that changes GitHub, granted by {@code tier}; performed at most once per request. */
    public static Builder write(String name, Tier tier) {
        return new Builder(name, Tool.Kind.WRITE, tier);
    }

    /** True if the ingress answers the call itself, without Kafka or GitHub. */
    public boolean local() {
        return kind == Tool.Kind.LOCAL;
    }

    /** MCP readOnlyHint: reads and local tools change nothing. */
    public boolean readOnly() {
        return kind != Tool.Kind.WRITE;
    }

    /** MCP idempotentHint: calling it again with the same arguments has no further effect. */
    public boolean idempotent() {
        return kind != Tool.Kind.WRITE;
    }

    /** True if the tool writes a branch (an argument held to the {@link BranchRule}). */
    public boolean writesBranch() {
        return params.stream().anyMatch(param -> param instanceof Param.Str text && text
                .format() == Param.Format.AGENT_BRANCH);
    }

    /** Reaches outside Tollgate (GitHub): the MCP openWorldHint. */
    public boolean openWorld() {
        return !local();
    }

    private Param.Obj root() {
        return new Param.Obj("arguments", null, true, params);
    }

    /**
     * The permissions a token for one call with {@code arguments} (normalized, as in a
     * {@link ValidatedCall}) is requested with: {@link #permissions()} narrowed to what this call
     * needs.
     *
     * @throws IllegalStateException if the definition asks for more than its permissions (a bug)
     */
    public Map<String, String> permissionsFor(Map<String, Object> arguments) {
        if (callPermissions.isEmpty()) {
            return permissions;
        }
        Map<String, String> needed = new TreeMap<>(callPermissions.get().apply(new Args(
                arguments)));
        needed.forEach((permission, access) -> {
            String declared = permissions.get(permission);
            if (declared == null || (access.equals("write") && !declared.equals("write"))) {
                throw new IllegalStateException(name + ": a call asks for " + permission + ":"
                        + access + ", beyond the tool's " + permissions);
            }
        });
        return needed.isEmpty() ? permissions : java.util.Collections.unmodifiableMap(needed);
    }

    /** The JSON schema of the arguments. */
    public Map<String, Object> inputSchema() {
        return root().schema();
    }

    /**
     * Checks and normalizes {@code arguments} (null is treated as no arguments) and parses the
     * target.
     *
     * @throws InvalidArgumentException naming the first offending field
     */
    public ValidatedCall validate(Map<String, Object> arguments) {
        Map<String, Object> normalized = root().normalizeFields("", arguments == null
                ? Map.of()
                : arguments);
        Optional<Target> parsed = target.map(parser -> parser.apply(new Args(normalized)));
        return new ValidatedCall(this, normalized, parsed);
    }

    /**
     * The tool as agents see it in {@code tools/list}: name, title, description, input schema,
     * annotations and Tollgate's metadata (tier and permissions). The snapshot tests pin it.
     */
    public Map<String, Object> descriptor() {
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("title", title);
        annotations.put("readOnlyHint", readOnly());
        annotations.put("destructiveHint", destructive);
        annotations.put("idempotentHint", idempotent());
        annotations.put("openWorldHint", openWorld());
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("name", name);
        descriptor.put("title", title);
        descriptor.put("description", description);
        descriptor.put("inputSchema", inputSchema());
        descriptor.put("annotations", annotations);
        descriptor.put("_meta", meta());
        return descriptor;
    }

    /** Tollgate's metadata on the tool: its kind, the tier that grants it, its permissions. */
    public Map<String, Object> meta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("dev.tollgate/action", tool.name());
        meta.put("dev.tollgate/kind", kind.name());
        if (forge != Forge.GITHUB) {
            meta.put("dev.tollgate/forge", forge.key());
        }
        if (tier != null) {
            meta.put("dev.tollgate/tier", tier.key());
        }
        meta.put("dev.tollgate/permissions", permissions);
        return meta;
    }

    /** Declares a tool, one property at a time; {@link Tool}'s constructor builds it. */
    public static final class Builder {

        private final String name;
        private final Tool.Kind kind;
        private final Tier tier;
        private String title;
        private String description;
        private final List<Param> params = new ArrayList<>();
        private final Map<String, String> permissions = new TreeMap<>();
        private boolean destructive;
        private final Set<Reveals> reveals = EnumSet.noneOf(Reveals.class);
        private Function<Args, Target> target;
        private Function<Args, Map<String, String>> callPermissions;
        private Forge forge = Forge.GITHUB;

        private Builder(String name, Tool.Kind kind, Tier tier) {
            this.name = name;
            this.kind = kind;
            this.tier = tier;
        }

        public Builder title(String text) {
            this.title = text;
            return this;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public Builder params(Param... more) {
            params.addAll(List.of(more));
            return this;
        }

        /** A GitHub App permission its token needs, e.g. {@code contents: read}. */
        public Builder permission(String permission, String access) {
            if (!access.equals("read") && !access.equals("write")) {
                throw new IllegalArgumentException(name + ": access is read or write");
            }
            permissions.put(permission, access);
            return this;
        }

        /** It may overwrite what is there (MCP destructiveHint). */
        public Builder destructive() {
            this.destructive = true;
            return this;
        }

        /** The kinds of data a read tool's calls can reveal. */
        public Builder reveals(Reveals... kinds) {
            reveals.addAll(List.of(kinds));
            return this;
        }

        /** How its arguments become its target. */
        public Builder target(Function<Args, Target> parser) {
            this.target = parser;
            return this;
        }

        /**
         * What one call needs of the tool's permissions, when that depends on its arguments
         * (within the {@link #permission} declared).
         */
        public Builder permissionsPerCall(Function<Args, Map<String, String>> needed) {
            this.callPermissions = needed;
            return this;
        }

        /** It acts on {@code where} rather than GitHub. */
        public Builder on(Forge where) {
            this.forge = where;
            return this;
        }

        ToolDefinition build(Tool tool) {
            return new ToolDefinition(tool, name, kind, Objects.requireNonNull(title, name
                    + ": title"), Objects.requireNonNull(description, name + ": description"),
                    params, tier, permissions, destructive, reveals, Optional.ofNullable(
                            target),
                    Optional.ofNullable(callPermissions), forge);
        }
    }
}
