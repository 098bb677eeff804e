package dev.tollgate.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Which GitHub App installation covers which repository, per environment: the latest state of
 * every installation, folded from the compacted installations topic. Decision workers deny calls
 * outside any active installation with a reason the agent can read; executors never mint for a
 * deleted or suspended installation and drop its cached tokens the moment it changes.
 *
 * <p>Thread-safe. Pure: fed by an adapter ({@code InstallationRegistryFeed}) or directly in tests.
 */
public final class InstallationRegistry {

    /** The answer for one repository. */
    public sealed interface Lookup permits Installed, Refused {
    }

    /** An active installation covers the repository. */
    public record Installed(long installationId, String appId, String environment,
            Map<String, String> permissions) implements Lookup {
    }

    /** No active installation covers it; {@code reason} is readable by the agent. */
    public record Refused(String reason) implements Lookup {
    }

    private static final int REMEMBERED_DELIVERIES = 10_000;

    private final Map<Long, InstallationChanged> byId = new ConcurrentHashMap<>();
    private final Map<String, Long> byAccount = new ConcurrentHashMap<>();
    private final Map<String, Boolean> deliveries = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_DELIVERIES;
                }
            });
    private final List<Consumer<InstallationChanged>> listeners = new CopyOnWriteArrayList<>();

    /** Folds in the newest state of one installation and tells listeners. */
    public void apply(InstallationChanged change) {
        InstallationChanged normalized = change;
        byId.put(change.getInstallationId(), normalized);
        byAccount.put(key(change.getEnvironment(), change.getAccount()), change
                .getInstallationId());
        if (change.getDeliveryId() != null) {
            deliveries.put(change.getDeliveryId(), Boolean.TRUE);
        }
        listeners.forEach(listener -> listener.accept(normalized));
    }

    /** Called after every change is applied (e.g. to drop an installation's cached tokens). */
    public void addListener(Consumer<InstallationChanged> listener) {
        listeners.add(listener);
    }

    public Optional<InstallationChanged> current(long installationId) {
        return Optional.ofNullable(byId.get(installationId));
    }

    /** True once a change caused by this webhook delivery has been seen (replay protection). */
    public boolean seenDelivery(String deliveryId) {
        return deliveryId != null && deliveries.containsKey(deliveryId);
    }

    public int size() {
        return byId.size();
    }

    /** Which active installation of {@code environment} covers {@code owner/repo}, or why none. */
    public Lookup lookup(String environment, String owner, String repo) {
        String account = owner.toLowerCase(Locale.ROOT);
        String fullName = account + "/" + repo.toLowerCase(Locale.ROOT);
        Long id = byAccount.get(key(environment, account));
        InstallationChanged installation = id == null ? null : byId.get(id);
        if (installation == null) {
            return new Refused("the GitHub App is not installed on " + fullName
                    + " (no installation for '" + account + "' in environment '" + environment
                    + "')");
        }
        if (installation.getStatus() == InstallationStatus.DELETED) {
            return new Refused("the GitHub App was uninstalled from '" + account
                    + "': access to " + fullName + " is revoked");
        }
        if (installation.getStatus() == InstallationStatus.SUSPENDED) {
            return new Refused("the GitHub App installation on '" + account
                    + "' is suspended: no access to " + fullName + " until it is unsuspended");
        }
        if (installation.getStatus() != InstallationStatus.ACTIVE) {
            return new Refused("the GitHub App installation on '" + account
                    + "' is in an unknown state: refusing " + fullName);
        }
        if (installation.getRepositorySelection() != RepositorySelection.ALL
                && !installation.getRepositories().contains(fullName)) {
            return new Refused("the GitHub App is not installed on " + fullName
                    + " (the installation on '" + account + "' covers selected repositories only)");
        }
        return new Installed(installation.getInstallationId(), installation.getAppId(),
                installation.getEnvironment(), Map.copyOf(installation.getPermissions()));
    }

    private static String key(String environment, String account) {
        return environment + "\u0000" + account.toLowerCase(Locale.ROOT);
    }
}
