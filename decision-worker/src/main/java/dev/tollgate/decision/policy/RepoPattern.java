package dev.tollgate.decision.policy;

import dev.tollgate.tools.Forge;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Target;
import java.util.Locale;

/**
 * A repository selector: {@code owner/repo}, {@code owner/prefix-*}, {@code owner/*} or {@code *},
 * on one forge: GitHub, one Forgejo/Gitea host, one GitLab host (full project paths), or the JIRA
 * site (project keys: {@code PROJ}, {@code OPS*}, {@code *}). Compared case-insensitively (GitHub's and
 * Forgejo's names are). When several grants match a repository, the most specific pattern wins:
 * exact name, then a pattern within one owner, then the owner's wildcard, then the global
 * wildcard. A deny rule written without a forge speaks about every forge ({@code forge} null):
 * a denial errs towards covering more.
 *
 * @param pattern the {@code owner/repo} glob, lower-cased
 * @param glob the glob matched against {@code owner/repo}
 * @param specificity how specific it is (see the constants)
 * @param forge the forge it speaks about; null: every forge (deny rules only)
 * @param host for a Forgejo pattern, the host, lower-cased; {@code github} for GitHub; null with
 *     a null forge
 */
public record RepoPattern(String pattern, Glob glob, int specificity, Forge forge, String host) {

    /** Specificity of an exact {@code owner/repo}. */
    public static final int EXACT = 3;
    /** Specificity of {@code owner/prefix-*}: a literal owner and a partial repository glob. */
    public static final int OWNER_AND_REPO_GLOB = 2;
    /** Specificity of {@code owner/*}. */
    public static final int OWNER_WILDCARD = 1;
    /** Specificity of {@code *} or a pattern with a wildcard owner. */
    public static final int ANY = 0;

    /** A GitHub repository pattern. */
    public static RepoPattern of(String text) {
        return of(Forge.GITHUB, Target.GITHUB, text);
    }

    /**
     * The pattern on every forge, for a deny rule written without one (or without repositories:
     * {@code *}). Each {@code *} also reaches across {@code /}: a GitLab project's namespace may
     * hold subgroups, and a denial of {@code secret/*} (or of every repository) must reach
     * {@code secret/team/app} as it reaches every repository of {@code secret} on GitHub. On
     * GitHub's and Forgejo's {@code owner/repo}, with one slash, {@code **} matches as {@code *}
     * does.
     */
    public static RepoPattern onEveryForge(String text) {
        RepoPattern github = of(text);
        Glob everywhere = Glob.of(github.pattern.equals("*")
                ? "**"
                : SINGLE_STAR.matcher(github.pattern).replaceAll("**"));
        return new RepoPattern(github.pattern, everywhere, github.specificity, null, null);
    }

    /** A {@code *} that is not part of a {@code **}. */
    private static final java.util.regex.Pattern SINGLE_STAR = java.util.regex.Pattern.compile(
            "(?<!\\*)\\*(?!\\*)");

    /** A pattern on {@code forge} at {@code host} ({@link Target#GITHUB} for GitHub). */
    public static RepoPattern of(Forge forge, String host, String text) {
        String pattern = text.trim().toLowerCase(Locale.ROOT);
        if (forge == Forge.GITLAB) {
            return gitlab(host, pattern, text);
        }
        if (forge == Forge.JIRA) {
            return jira(host, pattern, text);
        }
        if (pattern.equals("*") || pattern.equals("*/*") || pattern.equals("**")) {
            return new RepoPattern("*", Glob.of("*/*"), ANY, forge, host);
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
        return new RepoPattern(pattern, glob, specificity, forge, host);
    }

    /**
     * A GitLab project pattern over full paths: {@code group/sub/project},
     * {@code group/*} (the group's own projects), {@code group/**} (its subgroups' too),
     * {@code *} (every project).
     */
    private static RepoPattern gitlab(String host, String pattern, String text) {
        if (pattern.equals("*") || pattern.equals("**")) {
            return new RepoPattern("*", Glob.of("**"), ANY, Forge.GITLAB, host);
        }
        int slash = pattern.lastIndexOf('/');
        if (slash <= 0 || slash == pattern.length() - 1 || pattern.startsWith("/") || pattern
                .contains("//")) {
            throw new IllegalArgumentException("project \"" + text + "\" is not of the form"
                    + " group/project, group/sub/project, group/*, group/** or *");
        }
        String namespace = pattern.substring(0, slash);
        String name = pattern.substring(slash + 1);
        int specificity;
        if (hasWildcard(namespace)) {
            specificity = ANY;
        } else if (name.equals("*") || name.equals("**")) {
            specificity = OWNER_WILDCARD;
        } else if (hasWildcard(name)) {
            specificity = OWNER_AND_REPO_GLOB;
        } else {
            specificity = EXACT;
        }
        return new RepoPattern(pattern, Glob.of(pattern), specificity, Forge.GITLAB, host);
    }

    /** A JIRA project key pattern: {@code PROJ}, {@code OPS*}, {@code *}. */
    private static RepoPattern jira(String host, String pattern, String text) {
        if (pattern.isEmpty() || pattern.contains("/")) {
            throw new IllegalArgumentException("JIRA project \"" + text
                    + "\" is not a key or a key pattern");
        }
        int specificity = pattern.equals("*")
                ? ANY
                : hasWildcard(pattern) ? OWNER_AND_REPO_GLOB : EXACT;
        return new RepoPattern(pattern, Glob.of(pattern), specificity, Forge.JIRA, host);
    }

    private static boolean hasWildcard(String part) {
        return part.indexOf('*') >= 0 || part.indexOf('?') >= 0;
    }

    /** Whether it matches the GitHub repository {@code owner/repo}. */
    public boolean matches(String owner, String repo) {
        return matches(Forge.GITHUB, Target.GITHUB, owner, repo);
    }

    /** Whether it matches {@code owner/repo} on {@code forge} at {@code host}. */
    public boolean matches(Forge where, String at, String owner, String repo) {
        if (owner == null || repo == null) {
            return false;
        }
        if (forge != null && (forge != where || !host.equalsIgnoreCase(at))) {
            return false;
        }
        if (where == Forge.JIRA) {
            // a JIRA project is its key; a deny rule on every forge reaches it only as "*"
            return forge == null
                    ? pattern.equals("*")
                    : glob.matches(owner.toLowerCase(Locale.ROOT));
        }
        return glob.matches(owner.toLowerCase(Locale.ROOT) + "/" + repo.toLowerCase(Locale.ROOT));
    }

    /**
     * The pattern as traces, canonical forms and grant summaries show it: {@code owner/repo} on
     * GitHub (or on every forge), {@code forgejo:codeberg.org/owner/repo} on a Forgejo host,
     * {@code jira:PROJ} on the JIRA site.
     */
    public String describe() {
        if (forge == null || forge == Forge.GITHUB) {
            return pattern;
        }
        return forge == Forge.JIRA
                ? forge.key() + ":" + pattern.toUpperCase(Locale.ROOT)
                : forge.key() + ":" + host + "/" + pattern;
    }

    @Override
    public String toString() {
        return describe();
    }
}
