package dev.tollgate.executor.core;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.installations.AppEnvironments;
import dev.tollgate.installations.InstallationRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installation registry's guard over the token caches: no token of a deleted or suspended
 * installation is used or minted, none for an installation of another environment's App, none
 * for a repository outside the installation's selection; every cached token of an installation is
 * dropped the moment the registry reports it deleted or suspended. An installation the registry
 * has never seen is left to GitHub (which refuses to mint for an App not installed there).
 * Mints are also rate limited, per installation and per agent.
 */
public final class InstallationGuard implements MintGuard {

    private static final Logger log = LoggerFactory.getLogger(InstallationGuard.class);

    private final InstallationRegistry registry;
    private final AppEnvironments environments;
    private final Optional<MintLimits> limits;
    private final List<InstallationTokens> caches = new CopyOnWriteArrayList<>();

    public InstallationGuard(InstallationRegistry registry, AppEnvironments environments,
            Optional<MintLimits> limits) {
        this.registry = registry;
        this.environments = environments;
        this.limits = limits;
        registry.addListener(this::changed);
    }

    @Override
    public void attach(InstallationTokens tokens) {
        caches.add(tokens);
    }

    private void changed(InstallationChanged change) {
        if (change.getStatus() == InstallationStatus.DELETED
                || change.getStatus() == InstallationStatus.SUSPENDED) {
            int dropped = caches.stream().mapToInt(cache -> cache.invalidate(change
                    .getInstallationId())).sum();
            log.info("installation {} of '{}' is {}: dropped {} cached token(s)", change
                    .getInstallationId(), change.getAccount(), change.getStatus(), dropped);
        }
    }

    @Override
    public Optional<GitHubError> beforeUse(TokenScope scope, MintContext context) {
        Optional<InstallationChanged> known = registry.current(scope.installationId());
        if (known.isEmpty()) {
            return Optional.empty();
        }
        InstallationChanged installation = known.get();
        String environment = environments.appEnvironment(context.environment());
        if (context.environment() != null && !installation.getEnvironment().equals(
                environment)) {
            return forbidden("installation " + scope.installationId() + " belongs to the GitHub"
                    + " App of environment '" + installation.getEnvironment() + "', not to the"
                    + " App serving environment '" + context.environment() + "'");
        }
        if (installation.getStatus() == InstallationStatus.DELETED) {
            return forbidden("the GitHub App was uninstalled from '" + installation.getAccount()
                    + "': installation " + scope.installationId() + " is revoked");
        }
        if (installation.getStatus() == InstallationStatus.SUSPENDED) {
            return forbidden("the GitHub App installation on '" + installation.getAccount()
                    + "' is suspended: no token until it is unsuspended");
        }
        for (String repository : scope.repositories()) {
            // token scopes name repositories as GitHub's token request does: without the owner
            String[] ownerRepo = repository.contains("/")
                    ? repository.split("/", 2)
                    : new String[]{installation.getAccount(), repository};
            if (ownerRepo[0].equalsIgnoreCase(installation.getAccount()) && registry.lookup(
                    installation.getEnvironment(), ownerRepo[0],
                    ownerRepo[1]) instanceof InstallationRegistry.Refused refused) {
                return forbidden(refused.reason());
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<GitHubError> beforeMint(TokenScope scope, MintContext context) {
        return limits.flatMap(l -> l.acquire(scope.installationId(), context.agentId()));
    }

    private static Optional<GitHubError> forbidden(String reason) {
        return Optional.of(GitHubError.of(ErrorClass.FORBIDDEN, 0, reason, null));
    }
}
