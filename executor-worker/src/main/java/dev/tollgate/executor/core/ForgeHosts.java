package dev.tollgate.executor.core;

import dev.tollgate.tools.Forge;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The forge hosts other than GitHub this executor acts on, each with its transport (retries,
 * circuit breaker, write pacing of its own) and its credential, read from a file at start and held
 * only here. A call on a host not configured is refused, naming the settings that would configure
 * it; no host's credential is ever used for another host.
 */
public final class ForgeHosts {

    /** One host: where its API is and what its calls carry. */
    public record Host(Forge forge, String host, GitHubTransport transport,
            GitHubRequest.Credential credential) {

        @Override
        public String toString() {
            return "Host[" + forge.key() + ":" + host + "]";
        }
    }

    /** No host: every call on a forge other than GitHub is refused. */
    public static final ForgeHosts NONE = new ForgeHosts(Map.of());

    private final Map<String, Host> hosts;

    private ForgeHosts(Map<String, Host> hosts) {
        this.hosts = Map.copyOf(hosts);
    }

    /** The hosts given, keyed by forge and host (lower-cased); two for the same one are refused. */
    public static ForgeHosts of(Iterable<Host> given) {
        Map<String, Host> hosts = new TreeMap<>();
        for (Host host : given) {
            if (hosts.put(key(host.forge(), host.host()), host) != null) {
                throw new ConfigurationException(host.forge().title() + " host " + host.host()
                        + " is configured twice");
            }
        }
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
     * A session for one call on {@code host} of {@code forge}, carrying that host's credential.
     *
     * @throws GitHubCallException {@code forbidden} when the host is not configured here
     */
    public GitHubSession session(Forge forge, String host, MintContext context, Clock clock,
            ResponseBudget.Account account) {
        Host configured = hosts.get(key(forge, host));
        if (configured == null) {
            throw Refusal.forbidden("this executor has no credential for " + forge.title()
                    + " host " + host + ": configure it with tollgate." + forge.key()
                    + ".hosts[N].host=" + host + " and tollgate." + forge.key()
                    + ".hosts[N].token-file (the policy allowed the call; nothing was done)");
        }
        ForgeErrors errors = switch (forge) {
            case FORGEJO -> ForgeErrors.forgejo(configured.host());
            case GITLAB -> ForgeErrors.gitlab(configured.host());
            case GITHUB -> ForgeErrors.GITHUB;
        };
        return GitHubSession.withHostCredential(configured.credential(), errors, configured
                .transport(), context, clock, account);
    }
}
