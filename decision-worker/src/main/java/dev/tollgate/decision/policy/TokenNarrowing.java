package dev.tollgate.decision.policy;

import java.util.List;
import java.util.Set;

/**
 * A narrowing of an agent's grants carried by its gateway token: only these tools and/or only
 * these repositories ({@code owner/repo} or {@code owner/*}). It can only take away: the policy
 * still has to grant. An empty list means no narrowing on that axis.
 */
public record TokenNarrowing(Set<String> tools, List<RepoPattern> repositories) {

    public static final TokenNarrowing NONE = new TokenNarrowing(Set.of(), List.of());

    public TokenNarrowing {
        tools = Set.copyOf(tools);
        repositories = List.copyOf(repositories);
    }

    public static TokenNarrowing of(List<String> tools, List<String> repositories) {
        return new TokenNarrowing(Set.copyOf(tools), repositories.stream().map(RepoPattern::of)
                .toList());
    }

    public boolean isNone() {
        return tools.isEmpty() && repositories.isEmpty();
    }
}
