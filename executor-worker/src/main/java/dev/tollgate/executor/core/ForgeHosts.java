package dev.tollgate.executor.core;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The forge hosts other than GitHub this executor acts on, each with its transport (retries,
 * circuit breaker, write pacing of its own) and its credentials, read from files at start and held
 * only here. A host may have several credentials, each for the repositories it names (GitLab
 * project access tokens, one per project); a call takes the first whose repositories match its
 * own, and a host's credential without repositories only when none does. A call on a host or
 * repository no credential covers is refused, naming the settings that would configure it; no
 * credential is ever used for another host or another repository than its own.
 */
public final class ForgeHosts {

    /**
     * One credential on a host: where its API is, what its calls carry, and for which
     * repositories.
     *
     * @param repositories the {@code owner/repo} (GitLab: full project path) globs it is for,
     *        compared lower-cased; empty: every repository of the host no other credential names
     */
    public record Host(Forge forge, String host, GitHubTransport transport,
            HostCredential credential, List<Glob> repositories) {

        public Host {
            repositories = List.copyOf(repositories);
        }

        /** A credential used as it is, for {@code repositories}. */
        public Host(Forge forge, String host, GitHubTransport transport,
                GitHubRequest.Credential credential, List<Glob> repositories) {
            this(forge, host, transport, HostCredential.fixed(credential), repositories);
        }

        /** A host's one credential, used as it is, for every repository. */
        public Host(Forge forge, String host, GitHubTransport transport,
                GitHubRequest.Credential credential) {
            this(forge, host, transport, credential, List.of());
        }

        boolean covers(String repository) {
            String lower = repository.toLowerCase(Locale.ROOT);
            return repositories.stream().anyMatch(glob -> glob.matchesIgnoringCase(lower));
        }

        @Override
        public String toString() {
            return "Host[" + forge.key() + ":" + host + (repositories.isEmpty()
                    ? ""
                    : " " + repositories.stream().map(Glob::pattern).toList()) + "]";
        }
    }

    /** No host: every call on a forge other than GitHub is refused. */
    public static final ForgeHosts NONE = new ForgeHosts(Map.of());

    private final Map<String, List<Host>> hosts;
    /** How each host's failures are told, made once per host. */
    private final Map<String, ForgeErrors> errors = new java.util.HashMap<>();

    private ForgeHosts(Map<String, List<Host>> hosts) {
        this.hosts = Map.copyOf(hosts);
        this.hosts.forEach((key, list) -> {
            Host first = list.getFirst();
            errors.put(key, switch (first.forge()) {
                case FORGEJO -> ForgeErrors.forgejo(first.host());
                case GITLAB -> ForgeErrors.gitlab(first.host());
                case JIRA -> ForgeErrors.jira("JIRA");
                case GITHUB -> ForgeErrors.GITHUB;
            });
        });
    }

    /**
     * The credentials given, by forge and host (lower-cased), in the order given. Two for every
     * repository of one host are refused, and so is the same repository pattern twice on one
     * host: which credential a call carries must never depend on chance.
     */
    public static ForgeHosts of(Iterable<Host> given) {
        Map<String, List<Host>> hosts = new TreeMap<>();
        for (Host host : given) {
            List<Host> same = hosts.computeIfAbsent(key(host.forge(), host.host()),
                    key -> new ArrayList<>());
            for (Host other : same) {
                if (host.repositories().isEmpty() && other.repositories().isEmpty()) {
                    throw new ConfigurationException(host.forge().title() + " host " + host
                            .host() + " has two credentials for every repository: give each"
                            + " but one the repositories it is for");
                }
                for (Glob glob : host.repositories()) {
                    if (other.repositories().stream().anyMatch(o -> o.pattern()
                            .equalsIgnoreCase(glob.pattern()))) {
                        throw new ConfigurationException(host.forge().title() + " host "
                                + host.host() + " has two credentials for " + glob.pattern());
                    }
                }
            }
            same.add(host);
        }
        hosts.replaceAll((key, list) -> List.copyOf(list));
        return new ForgeHosts(hosts);
    }

    private static String key(Forge forge, String host) {
        return forge.key() + ":" + host.toLowerCase(Locale.ROOT);
    }

    /** {@code forgejo:codeberg.org}, ... : what this executor can act on (for status and logs). */
    public Set<String> names() {
        return hosts.keySet();
    }

    /**
     * A session for one call on {@code repository} at {@code host} of {@code forge}, carrying
     * the credential for that repository: the first that names it, else the host's credential
     * for every repository.
     *
     * @throws GitHubCallException {@code forbidden} when no credential here covers it
     */
    public GitHubSession session(Forge forge, String host, String repository,
            MintContext context, Clock clock, ResponseBudget.Account account) {
        List<Host> configured = hosts.getOrDefault(key(forge, host), List.of());
        Host chosen = configured.stream().filter(candidate -> candidate.covers(repository))
                .findFirst().orElseGet(() -> configured.stream().filter(candidate -> candidate
                        .repositories().isEmpty()).findFirst().orElse(null));
        if (chosen == null && forge == Forge.JIRA) {
            throw Refusal.forbidden("this executor has no JIRA site: configure it with"
                    + " tollgate.jira.api-url and tollgate.jira.token-file (and tollgate.jira.email"
                    + " on JIRA Cloud), or tollgate.jira.oauth.client-id and"
                    + " .client-secret-file; the policy allowed the call, nothing was done");
        }
        if (chosen == null) {
            throw Refusal.forbidden("this executor has no credential for " + repository + " on "
                    + forge.title() + " host " + host + ": configure it with tollgate."
                    + forge.key() + ".hosts[N].host=" + host + " and tollgate." + forge.key()
                    + ".hosts[N].token-file (and .repositories to keep that token to some"
                    + " repositories); the policy allowed the call, nothing was done");
        }
        return GitHubSession.withHostCredential(chosen.credential(), errors.get(key(forge, host)),
                chosen.transport(), context, clock, account);
    }
}
