package dev.tollgate.ingress.core.grants;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolGrant;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The grants of the policy in force, as the decision workers last published them on
 * {@code gateway.policy}: what the ingress lists an agent's tools and grants from. Never a
 * decision: a call to a listed tool is still decided by a decision worker, with its conditions,
 * deny rules and hard blocks. Until a policy event with grants has been read, and after a newer one
 * without them, nothing is known and every tool is listed.
 *
 * <p>The newest event wins, by when it was published: several decision workers load the same
 * file, and the last load is the policy in force.
 */
public final class PolicyGrants {

    /**
     * @param version the policy's version ({@code sha256:...})
     * @param at when the event that carried it was published
     * @param grants its grants; null when the event did not carry them (a decision worker older
     *     than the grants, or no policy in force): then nothing is known and every tool is listed
     */
    public record InForce(String version, Instant at, List<ToolGrant> grants) {

        public InForce {
            grants = grants == null ? null : List.copyOf(grants);
        }

        boolean known() {
            return grants != null;
        }
    }

    private final AtomicReference<InForce> inForce = new AtomicReference<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    /**
     * Takes {@code next} if it is newer than what is known; returns whether it did. Each
     * {@link #onChange listener} runs, on this thread, when it did.
     */
    public boolean offer(InForce next) {
        InForce now = inForce.getAndAccumulate(next, (known, offered) -> known == null || offered
                .at().isAfter(known.at()) ? offered : known);
        boolean took = now == null || next.at().isAfter(now.at());
        if (took) {
            listeners.forEach(Runnable::run);
        }
        return took;
    }

    /** Runs {@code listener} whenever a newer policy is taken; it must not block. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** The newest policy whose grants are known; empty while none is. */
    public Optional<InForce> inForce() {
        return Optional.ofNullable(inForce.get()).filter(InForce::known);
    }

    /**
     * The tools {@code agent} in {@code environment}, with a token narrowed to
     * {@code narrowedTools} and {@code narrowedRepositories} (empty: not narrowed on that axis),
     * may find allowed; empty while no policy is known.
     */
    public Optional<Set<Tool>> visibleTools(String agent, String environment,
            Set<String> narrowedTools, List<String> narrowedRepositories) {
        return inForce().map(known -> ToolGrant.visibleTools(known.grants(), agent, environment,
                narrowedTools, narrowedRepositories));
    }

    /**
     * How a grant is shown (to an agent in {@code status}, to an admin reading an agent): its
     * name, its repositories and the tools it allows that {@code narrowed} keeps (empty: all).
     */
    public static Map<String, Object> view(ToolGrant grant, Set<String> narrowed) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("grant", grant.name());
        view.put("repositories", grant.monitor() ? List.of("*") : grant.repositories());
        view.put("tools", grant.tools().stream().filter(tool -> ToolGrant.narrowingKeeps(
                narrowed, tool)).map(Tool::toolName).sorted().toList());
        if (grant.monitor()) {
            view.put("monitor_mode", true);
        }
        return view;
    }

    /**
     * What {@code grants} let an agent do on each forge, for {@code status}: one entry per forge
     * and host ({@code github}; {@code forgejo} and {@code gitlab} with their host; {@code jira}),
     * each with the repositories (JIRA: projects) and the tools of that forge that
     * {@code narrowed} keeps (empty: all), in the order first named. A guide, like the grants: each
     * call is still decided.
     */
    public static List<Map<String, Object>> forges(List<ToolGrant> grants, Set<String> narrowed) {
        record Place(Forge forge, String host, Set<String> named, Set<String> tools) {
        }
        Map<String, Place> places = new LinkedHashMap<>();
        for (ToolGrant grant : grants) {
            for (String repository : grant.monitor() ? List.of("*") : grant.repositories()) {
                Forge forge = forgeOf(repository);
                String named = forge == Forge.GITHUB
                        ? repository
                        : repository.substring(forge.key().length() + 1);
                String host = null;
                if (forge == Forge.FORGEJO || forge == Forge.GITLAB) {
                    int slash = named.indexOf('/');
                    host = slash < 0 ? named : named.substring(0, slash);
                    named = slash < 0 ? "*" : named.substring(slash + 1);
                }
                List<String> tools = grant.tools().stream().filter(tool -> tool.reachesGitHub()
                        && tool.forge() == forge && ToolGrant.narrowingKeeps(narrowed, tool))
                        .map(Tool::toolName).toList();
                if (!tools.isEmpty()) {
                    String at = host;
                    Place place = places.computeIfAbsent(forge.key() + (host == null
                            ? ""
                            : ":" + host), key -> new Place(forge, at, new TreeSet<>(),
                                    new TreeSet<>()));
                    place.named().add(named);
                    place.tools().addAll(tools);
                }
            }
        }
        return places.values().stream().map(place -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("forge", place.forge().key());
            if (place.host() != null) {
                view.put("host", place.host());
            }
            view.put(place.forge() == Forge.JIRA ? "projects" : "repositories", List.copyOf(place
                    .named()));
            view.put("tools", List.copyOf(place.tools()));
            return (Map<String, Object>) view;
        }).toList();
    }

    /** The forge a grant's repository names ({@code gitlab:host/group/project}, plain GitHub). */
    private static Forge forgeOf(String repository) {
        int colon = repository.indexOf(':');
        return colon > 0
                ? Forge.byKey(repository.substring(0, colon)).orElse(Forge.GITHUB)
                : Forge.GITHUB;
    }

    /**
     * The grants that cover {@code agent} in {@code environment} and reach a repository of
     * {@code narrowedRepositories} (empty: any); empty while none is known.
     */
    public Optional<List<ToolGrant>> grantsOf(String agent, String environment,
            List<String> narrowedRepositories) {
        return inForce().map(known -> known.grants().stream().filter(grant -> grant.covers(
                agent, environment)
                && (narrowedRepositories.isEmpty() || narrowedRepositories
                        .stream().anyMatch(grant::reaches)))
                .toList());
    }
}
