package dev.tollgate.installations;

import dev.tollgate.events.InstallationChanged;
import dev.tollgate.events.InstallationStatus;
import dev.tollgate.events.RepositorySelection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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

    /** The trigger of a state the executor's sync built from GitHub's listing. */
    public static final String SYNC = "sync";

    private static final int REMEMBERED_DELIVERIES = 10_000;

    private final Map<Long, InstallationChanged> byId = new ConcurrentHashMap<>();
    /** (environment, account) to every installation seen for it (a reinstall gets a new ID). */
    private final Map<String, Set<Long>> byAccount = new ConcurrentHashMap<>();
    private final Map<String, Boolean> deliveries = Collections.synchronizedMap(recent());
    private final List<Consumer<InstallationChanged>> listeners = new CopyOnWriteArrayList<>();
    /**
     * Per installation, the event ID of a change this process published and applied before its
     * feed read it back. Records of that installation the feed reads until then are older (one
     * installation is one key, so one partition, so one order): they must not overwrite it.
     */
    private final Map<Long, String> ahead = new ConcurrentHashMap<>();
    /** Event IDs the feed has folded lately, so a change it read first is not applied ahead. */
    private final Map<String, Boolean> read = recent();
    /**
     * Installations held uninstalled whose last record on the topic (of those read or written
     * here) is a state that revives them: written by someone who had not yet learnt of the
     * uninstall, ignored here, yet what compaction would keep of the installation.
     */
    private final Set<Long> revivedOnTopic = ConcurrentHashMap.newKeySet();

    /**
     * Folds in a change this process has just published, before the feed reads it back, so the
     * next change it builds is built on it. Until the feed reaches this very record, the older
     * records it reads for the installation are remembered as seen but change nothing. A change
     * the feed has already read (and perhaps newer ones after it) is left alone.
     */
    public synchronized void applyAhead(InstallationChanged change) {
        if (read.containsKey(change.getMeta().getEventId())) {
            return;
        }
        ahead.put(change.getInstallationId(), change.getMeta().getEventId());
        fold(change);
    }

    /**
     * Folds in the newest state of one installation, as read from the topic in order, and tells
     * listeners; a record older than a change applied ahead of the feed is only remembered.
     */
    public synchronized void apply(InstallationChanged change) {
        read.put(change.getMeta().getEventId(), Boolean.TRUE);
        String awaited = ahead.get(change.getInstallationId());
        if (awaited != null) {
            if (awaited.equals(change.getMeta().getEventId())) {
                ahead.remove(change.getInstallationId());
                InstallationChanged held = byId.get(change.getInstallationId());
                if (change.getStatus() != InstallationStatus.DELETED && held != null && held
                        .getStatus() == InstallationStatus.DELETED) {
                    // an uninstall was read between this process's write and this record
                    revivedOnTopic.add(change.getInstallationId());
                }
                return;
            }
            if (change.getStatus() != InstallationStatus.DELETED) {
                if (change.getDeliveryId() != null) {
                    deliveries.put(change.getDeliveryId(), Boolean.TRUE);
                }
                return;
            }
            // an uninstall another process recorded before this one's own change: it stands
        }
        fold(change);
    }

    /**
     * Folds in a change, except one that would revive an uninstalled installation: nothing does
     * (GitHub gives a reinstall a new ID), so a state another writer built before it learnt of
     * the uninstall (an installation sync's listing, taken before the deletion was recorded and
     * written after it) changes nothing. One writer may replace an uninstall: the sync of another
     * environment's App, which GitHub answered with that App's own JWT (see {@link #reclaims}).
     */
    private void fold(InstallationChanged change) {
        InstallationChanged normalized = change;
        InstallationChanged previous = byId.get(change.getInstallationId());
        if (previous != null && previous.getStatus() == InstallationStatus.DELETED && change
                .getStatus() != InstallationStatus.DELETED && !reclaims(change, previous)) {
            if (change.getDeliveryId() != null) {
                deliveries.put(change.getDeliveryId(), Boolean.TRUE);
            }
            revivedOnTopic.add(change.getInstallationId());
            return;
        }
        // held uninstalled with this record last, or not held uninstalled at all (a sync took
        // it back): either way no later record of the topic revives it
        revivedOnTopic.remove(change.getInstallationId());
        if (previous != null && !key(previous.getEnvironment(), previous.getAccount()).equals(
                key(change.getEnvironment(), change.getAccount()))) {
            Set<Long> old = byAccount.get(key(previous.getEnvironment(), previous.getAccount()));
            if (old != null) {
                old.remove(change.getInstallationId());
            }
        }
        byAccount.computeIfAbsent(key(change.getEnvironment(), change.getAccount()),
                k -> ConcurrentHashMap.newKeySet()).add(change.getInstallationId());
        byId.put(change.getInstallationId(), normalized);
        if (change.getDeliveryId() != null) {
            deliveries.put(change.getDeliveryId(), Boolean.TRUE);
        }
        listeners.forEach(listener -> listener.accept(normalized));
    }

    /**
     * Whether {@code change} takes the installation back from {@code held}, a state recorded
     * under another environment: only a sync does (trigger {@code sync}), and the executor's sync
     * writes one only for an installation GitHub lists for its own environment's App, under
     * that App's own JWT, while the held state names an environment served by another App of the
     * same GitHub (installation IDs never move between Apps). So the state was never that
     * environment's: a delivery signed with its webhook secret claimed an installation ID of
     * another environment's App before that environment recorded it (an uninstall is otherwise
     * final, so such a claim would lock the installation out for good). Webhook deliveries never
     * do: the ingress refuses one for an installation registered under another environment.
     */
    static boolean reclaims(InstallationChanged change, InstallationChanged held) {
        return SYNC.equals(change.getTrigger()) && change.getEnvironment() != null && !change
                .getEnvironment().equals(held.getEnvironment());
    }

    /** Called after every change is applied (e.g. to drop an installation's cached tokens). */
    public void addListener(Consumer<InstallationChanged> listener) {
        listeners.add(listener);
    }

    public Optional<InstallationChanged> current(long installationId) {
        return Optional.ofNullable(byId.get(installationId));
    }

    /**
     * Whether the installation is held uninstalled while its last record on the topic, as far as
     * this registry has read (or, applied ahead, written) it, revives it: an uninstall recorded
     * just before a state built without knowing of it. Registries never revive it, but
     * compaction keeps only a key's last record, so the uninstall must be written again after.
     */
    public boolean lastRecordRevives(long installationId) {
        return revivedOnTopic.contains(installationId);
    }

    /** True once a change caused by this webhook delivery has been seen (replay protection). */
    public boolean seenDelivery(String deliveryId) {
        return deliveryId != null && deliveries.containsKey(deliveryId);
    }

    /** The latest state of every installation. */
    public List<InstallationChanged> all() {
        return List.copyOf(byId.values());
    }

    public int size() {
        return byId.size();
    }

    /**
     * True when any installation (whatever its state) is known for {@code owner} in
     * {@code environment}: the registry has an opinion about that account.
     */
    public boolean knows(String environment, String owner) {
        Set<Long> ids = byAccount.get(key(environment, owner));
        return ids != null && !ids.isEmpty();
    }

    /** Which active installation of {@code environment} covers {@code owner/repo}, or why none. */
    public Lookup lookup(String environment, String owner, String repo) {
        String account = owner.toLowerCase(Locale.ROOT);
        String fullName = account + "/" + repo.toLowerCase(Locale.ROOT);
        List<InstallationChanged> installations = byAccount.getOrDefault(key(environment,
                account), Set.of()).stream().map(byId::get).filter(Objects::nonNull).sorted(
                        Comparator.comparingInt(InstallationRegistry::rank).thenComparing(
                                InstallationChanged::getInstallationId, Comparator
                                        .reverseOrder()))
                .toList();
        if (installations.isEmpty()) {
            return new Refused("the GitHub App is not installed on " + fullName
                    + " (no installation for '" + account + "' in environment '" + environment
                    + "')");
        }
        // An active installation covering the repository wins (a reinstall after an uninstall
        // has a new ID; the old one stays DELETED on the compacted topic forever).
        for (InstallationChanged installation : installations) {
            if (installation.getStatus() == InstallationStatus.ACTIVE && covers(installation,
                    fullName)) {
                return new Installed(installation.getInstallationId(), installation.getAppId(),
                        installation.getEnvironment(), Map.copyOf(installation
                                .getPermissions()));
            }
        }
        InstallationChanged installation = installations.get(0);
        if (installation.getStatus() == InstallationStatus.ACTIVE) {
            return new Refused("the GitHub App is not installed on " + fullName
                    + " (the installation on '" + account + "' covers selected repositories only)");
        }
        if (installation.getStatus() == InstallationStatus.SUSPENDED) {
            return new Refused("the GitHub App installation on '" + account
                    + "' is suspended: no access to " + fullName + " until it is unsuspended");
        }
        if (installation.getStatus() == InstallationStatus.DELETED) {
            return new Refused("the GitHub App was uninstalled from '" + account
                    + "': access to " + fullName + " is revoked");
        }
        return new Refused("the GitHub App installation on '" + account
                + "' is in an unknown state: refusing " + fullName);
    }

    /** Which state explains a refusal best: active, then suspended, deleted, unknown. */
    private static int rank(InstallationChanged installation) {
        return switch (installation.getStatus()) {
            case ACTIVE -> 0;
            case SUSPENDED -> 1;
            case DELETED -> 2;
            default -> 3;
        };
    }

    private static boolean covers(InstallationChanged installation, String fullName) {
        return installation.getRepositorySelection() == RepositorySelection.ALL || installation
                .getRepositories().stream().anyMatch(r -> r.toLowerCase(Locale.ROOT).equals(
                        fullName));
    }

    private static String key(String environment, String account) {
        return environment + "\u0000" + account.toLowerCase(Locale.ROOT);
    }

    /** The last {@code REMEMBERED_DELIVERIES} keys put, oldest forgotten first. */
    private static Map<String, Boolean> recent() {
        return new LinkedHashMap<>(256, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED_DELIVERIES;
            }
        };
    }
}
