package dev.tollgate.decision.policy;

import dev.tollgate.tools.Glob;
import java.util.Locale;

/**
 * A repository selector: {@code owner/repo}, {@code owner/prefix-*}, {@code owner/*} or {@code *}.
 * Compared case-insensitively (GitHub names are). When several grants match a repository, the most
 * specific pattern wins: exact name, then a pattern within one owner, then the owner's wildcard,
 * then the global wildcard.
 */
public record RepoPattern(String pattern, Glob glob, int specificity) {

    /** Specificity of an exact {@code owner/repo}. */
    public static final int EXACT = 3;
    /** Specificity of {@code owner/prefix-*}: a literal owner and a partial repository glob. */
    public static final int OWNER_AND_REPO_GLOB = 2;
    /** Specificity of {@code owner/*}. */
    public static final int OWNER_WILDCARD = 1;
    /** Specificity of {@code *} or a pattern with a wildcard owner. */
    public static final int ANY = 0;

    public static RepoPattern of(String text) {
        String pattern = text.trim().toLowerCase(Locale.ROOT);
        if (pattern.equals("*") || pattern.equals("*/*") || pattern.equals("**")) {
            return new RepoPattern("*", Glob.of("*/*"), ANY);
        }
        int slash = pattern.indexOf('/');
        if (slash <= 0 || slash != pattern.lastIndexOf('/') || slash == pattern.length() - 1) {
            throw new IllegalArgumentException("repository \"" + text
                    + "\" is not of the form owner/repo, owner/* or *");
        }
        String owner = pattern.substring(0, slash);
        String repo = pattern.substring(slash + 1);
        Glob glob = Glob.of(pattern);
        int specificity;
        if (hasWildcard(owner)) {
            specificity = ANY;
        } else if (repo.equals("*")) {
            specificity = OWNER_WILDCARD;
        } else if (hasWildcard(repo)) {
            specificity = OWNER_AND_REPO_GLOB;
        } else {
            specificity = EXACT;
        }
        return new RepoPattern(pattern, glob, specificity);
    }

    private static boolean hasWildcard(String part) {
        return part.indexOf('*') >= 0 || part.indexOf('?') >= 0;
    }

    public boolean matches(String owner, String repo) {
        if (owner == null || repo == null) {
            return false;
        }
        return glob.matches(owner.toLowerCase(Locale.ROOT) + "/" + repo.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return pattern;
    }
}
