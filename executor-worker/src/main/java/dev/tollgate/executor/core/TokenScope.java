package dev.tollgate.executor.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a token may touch: one installation, exactly these repositories (names without owner) and
 * exactly these permissions. The token cache key: a key without the repositories would let a token
 * minted for one repository serve another.
 */
public record TokenScope(long installationId, SortedSet<String> repositories,
        SortedMap<String, String> permissions) {

    public TokenScope {
        repositories = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(Objects
                .requireNonNull(repositories, "repositories")));
        permissions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(Objects
                .requireNonNull(permissions, "permissions")));
        if (repositories.isEmpty()) {
            throw new IllegalArgumentException(
                    "a token scope needs its repositories (a token for every repository of the"
                            + " installation is never requested)");
        }
        if (permissions.isEmpty()) {
            throw new IllegalArgumentException(
                    "a token scope needs at least one permission (least privilege)");
        }
    }

    /**
     * Builds a scope; repository names may be {@code owner/name} or {@code name}; GitHub's token
     * endpoint takes names within the installation, so the owner is dropped.
     */
    public static TokenScope of(long installationId, Collection<String> repositories,
            Map<String, String> permissions) {
        TreeSet<String> names = new TreeSet<>();
        for (String repository : repositories) {
            int slash = repository.indexOf('/');
            names.add((slash >= 0 ? repository.substring(slash + 1) : repository).toLowerCase(
                    java.util.Locale.ROOT));
        }
        return new TokenScope(installationId, names, new TreeMap<>(permissions));
    }

    /** SHA-256 of installation + sorted repositories + sorted permissions (not a secret). */
    public String key() {
        StringBuilder canonical = new StringBuilder().append(installationId).append('|');
        canonical.append(String.join(",", repositories)).append('|');
        permissions.forEach((name, level) -> canonical.append(name).append('=').append(level)
                .append(','));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                    canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
