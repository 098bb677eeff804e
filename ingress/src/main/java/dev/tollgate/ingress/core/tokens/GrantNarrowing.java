package dev.tollgate.ingress.core.tokens;

import dev.tollgate.tools.InvalidArgumentException;
import dev.tollgate.tools.Json;
import dev.tollgate.tools.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An optional narrowing of an agent's grants carried by its gateway token: only these tools
 * and/or only these repositories ({@code owner/repo} or {@code owner/*}). Policy still decides;
 * a narrowing can only take away. An empty list means "no narrowing on that axis".
 */
public record GrantNarrowing(List<String> tools, List<String> repositories) {

    public GrantNarrowing {
        tools = List.copyOf(new TreeSet<>(tools));
        repositories = List.copyOf(new TreeSet<>(repositories));
    }

    public boolean isEmpty() {
        return tools.isEmpty() && repositories.isEmpty();
    }

    /**
     * Parses and normalizes a narrowing from its JSON form ({@code {"tools": [...],
     * "repositories": [...]}}), checking tool names against {@code knownTools}.
     */
    public static GrantNarrowing parse(Object value, Collection<String> knownTools) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new InvalidTokenRequestException(
                    "grants must be an object like {\"tools\": [\"get_file\"], "
                            + "\"repositories\": [\"octo/hello\"]}");
        }
        for (Object key : map.keySet()) {
            if (!"tools".equals(key) && !"repositories".equals(key)) {
                throw new InvalidTokenRequestException("grants." + key
                        + " is not supported; use grants.tools and grants.repositories");
            }
        }
        List<String> tools = strings(map.get("tools"), "grants.tools");
        for (String tool : tools) {
            if (!knownTools.contains(tool)) {
                throw new InvalidTokenRequestException("grants.tools: unknown tool '" + tool
                        + "'; tools are " + knownTools);
            }
        }
        List<String> repositories = new ArrayList<>();
        for (String repository : strings(map.get("repositories"), "grants.repositories")) {
            repositories.add(normalizeRepository(repository));
        }
        return new GrantNarrowing(tools, repositories);
    }

    /**
     * Parses a narrowing an admin asked for: as {@link #parse}, but an axis named with no entries
     * (or {@code null}), or a {@code grants} naming no axis at all, is refused. It would narrow
     * nothing (an empty axis is "no narrowing on that axis"), while the request, and the audit,
     * read as if it took everything away.
     */
    public static GrantNarrowing requested(Object value, Collection<String> knownTools) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                throw new InvalidTokenRequestException("grants is empty, which would narrow"
                        + " nothing: name grants.tools and/or grants.repositories, or omit grants"
                        + " to mint a token that is not narrowed");
            }
            for (String axis : List.of("tools", "repositories")) {
                Object entries = map.get(axis);
                if (map.containsKey(axis) && (entries == null || entries instanceof List<?> list
                        && list.isEmpty())) {
                    throw new InvalidTokenRequestException("grants." + axis + " is empty, which"
                            + " would narrow nothing (the token would reach every " + (axis
                                    .equals("tools") ? "tool" : "repository")
                            + " its agent's grants allow): name at least one, or omit grants."
                            + axis + " to not narrow by " + (axis.equals("tools")
                                    ? "tool"
                                    : "repository"));
                }
            }
        }
        return parse(value, knownTools);
    }

    private static String normalizeRepository(String repository) {
        int slash = repository.indexOf('/');
        if (slash < 0) {
            throw new InvalidTokenRequestException("grants.repositories: '" + repository
                    + "' must be owner/repo or owner/*");
        }
        try {
            String owner = Names.owner("owner", repository.substring(0, slash));
            String repo = repository.substring(slash + 1);
            return owner + "/" + (repo.equals("*") ? "*" : Names.repo("repo", repo));
        } catch (InvalidArgumentException e) {
            throw new InvalidTokenRequestException("grants.repositories: '" + repository
                    + "': " + e.getMessage());
        }
    }

    private static List<String> strings(Object value, String name) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)
                || list.stream().anyMatch(v -> !(v instanceof String))) {
            throw new InvalidTokenRequestException(name + " must be an array of strings");
        }
        if (list.size() > 100) {
            throw new InvalidTokenRequestException(name + " must have at most 100 entries");
        }
        return list.stream().map(String.class::cast).toList();
    }

    /** The claim value (and the JSON carried on requests): sorted, empty axes left out. */
    public Map<String, Object> toClaim() {
        Map<String, Object> claim = new LinkedHashMap<>();
        if (!repositories.isEmpty()) {
            claim.put("repositories", repositories);
        }
        if (!tools.isEmpty()) {
            claim.put("tools", tools);
        }
        return claim;
    }

    public String toJson() {
        return Json.write(toClaim());
    }
}
