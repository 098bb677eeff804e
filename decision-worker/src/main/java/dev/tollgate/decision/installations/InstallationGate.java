package dev.tollgate.decision.installations;

import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The installation registry's say on an allowed decision, after the policy: which installation
 * covers the decided repositories (then the decision carries its ID and is routed by it), or why
 * none does (then the call is denied with the registry's reason). No Kafka here.
 *
 * <p>Modes, for accounts the registry has never seen (a fresh deployment with no webhook history
 * and no sync yet): {@link Mode#ENFORCE} denies them; {@link Mode#DISCOVER} lets them pass
 * without an installation ID and the executor finds the installation on GitHub, which refuses
 * an account the App is not installed on. Whatever the mode, an account the registry knows is
 * judged by it: a deleted or suspended installation, or a repository outside the installation's
 * selection, is always refused.
 */
public final class InstallationGate {

    /** How accounts unknown to the registry are treated. */
    public enum Mode {
        /** The registry is the truth: unknown accounts are refused. */
        ENFORCE,
        /** Unknown accounts pass to the executor, which discovers the installation on GitHub. */
        DISCOVER,
        /** No registry at all (tests, or a deployment that opts out): every decision passes. */
        OFF
    }

    /** The verdict on one allowed decision. */
    public sealed interface Verdict permits Pass, Refuse {
    }

    /** Goes on to the executor, possibly with its installation ID and routing key set. */
    public record Pass(PolicyDecided decided) implements Verdict {
    }

    /** Denied with a reason the agent can read. */
    public record Refuse(String reason) implements Verdict {
    }

    private final InstallationRegistry registry;
    private final Mode mode;
    private final AppEnvironments environments;

    public InstallationGate(InstallationRegistry registry, Mode mode,
            AppEnvironments environments) {
        this.registry = registry;
        this.mode = mode;
        this.environments = environments;
    }

    /** A gate that lets everything pass (no registry). */
    public static InstallationGate off() {
        return new InstallationGate(new InstallationRegistry(), Mode.OFF, AppEnvironments
                .defaultOnly());
    }

    public Mode mode() {
        return mode;
    }

    private static boolean onGitHub(PolicyDecided decided) {
        return decided.getRequest() == null || Tool.byToolName(decided.getRequest().getTool())
                .map(Tool::forge).orElse(Forge.GITHUB) == Forge.GITHUB;
    }

    public Verdict check(PolicyDecided decided) {
        if (mode == Mode.OFF || !decided.getAllowed() || !onGitHub(decided)) {
            return new Pass(decided); // another forge's call needs no GitHub installation
        }
        String environment = environments.appEnvironment(decided.getRequest().getEnvironment());
        List<String[]> repositories = repositories(decided);
        if (repositories.isEmpty()) {
            return new Pass(decided); // nothing names a repository; the executor refuses it
        }
        Long installationId = null;
        for (String[] ownerRepo : repositories) {
            if (mode == Mode.DISCOVER && !registry.knows(environment, ownerRepo[0])) {
                continue;
            }
            switch (registry.lookup(environment, ownerRepo[0], ownerRepo[1])) {
                case InstallationRegistry.Refused refused -> {
                    return new Refuse(refused.reason());
                }
                case InstallationRegistry.Installed installed -> {
                    if (installationId != null && installationId != installed
                            .installationId()) {
                        return new Refuse("the repositories " + names(repositories)
                                + " belong to different GitHub App installations; call once"
                                + " per account");
                    }
                    installationId = installed.installationId();
                }
            }
        }
        if (installationId == null) {
            return new Pass(decided);
        }
        return new Pass(PolicyDecided.newBuilder(decided).setInstallationId(installationId)
                .setRoutingKey(Long.toString(installationId)).build());
    }

    private static List<String[]> repositories(PolicyDecided decided) {
        List<String[]> result = new ArrayList<>();
        for (String repository : decided.getRepositories()) {
            String[] parts = repository.toLowerCase(Locale.ROOT).split("/", 2);
            if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
                result.add(parts);
            }
        }
        Resource resource = decided.getRequest().getResource();
        if (result.isEmpty() && resource != null && resource.getOwner() != null && resource
                .getRepo() != null) {
            result.add(new String[]{resource.getOwner().toLowerCase(Locale.ROOT), resource
                    .getRepo().toLowerCase(Locale.ROOT)});
        }
        return result;
    }

    private static String names(List<String[]> repositories) {
        return repositories.stream().map(r -> r[0] + "/" + r[1]).toList().toString();
    }
}
