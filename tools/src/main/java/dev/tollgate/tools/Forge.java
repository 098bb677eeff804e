package dev.tollgate.tools;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where a tool acts: GitHub, a Forgejo/Gitea server, a GitLab instance or the JIRA site. Each tool belongs to one forge
 * ({@link Tool#forge()}); a grant speaks about one forge, so a tier granted on GitHub never
 * grants a Forgejo tool, and a Forgejo grant names the host it speaks about.
 */
public enum Forge {

    /** GitHub (github.com, or the GitHub Enterprise Server the executor is configured for). */
    GITHUB("github", "GitHub"),
    /** A Forgejo or Gitea server (codeberg.org, or one's own), named by its host. */
    FORGEJO("forgejo", "Forgejo/Gitea"),
    /** A GitLab instance (gitlab.com, or one's own), named by its host. */
    GITLAB("gitlab", "GitLab"),
    /**
     * The JIRA site (Cloud or Data Center) the executor is configured for: one per deployment,
     * so its host is always {@link Target#JIRA}, as GitHub's is {@link Target#GITHUB}.
     */
    JIRA("jira", "JIRA");

    private final String key;
    private final String title;

    Forge(String key, String title) {
        this.key = key;
        this.title = title;
    }

    /** The name policy files use ({@code forge = "forgejo"}). */
    public String key() {
        return key;
    }

    /** The name people read. */
    public String title() {
        return title;
    }

    /**
     * The tiers a grant on this forge may name, as service-gator documents them per service:
     * GitLab has {@code approve} and no {@code pending-review}; GitHub and Forgejo the reverse.
     */
    public Set<Tier> tiers() {
        return switch (this) {
            case GITLAB -> EnumSet.of(Tier.READ, Tier.PUSH_NEW_BRANCH, Tier.CREATE_DRAFT,
                    Tier.APPROVE, Tier.WRITE);
            case JIRA -> EnumSet.of(Tier.READ, Tier.CREATE, Tier.WRITE);
            case GITHUB, FORGEJO -> EnumSet.of(Tier.READ, Tier.PUSH_NEW_BRANCH,
                    Tier.CREATE_DRAFT, Tier.PENDING_REVIEW, Tier.WRITE);
        };
    }

    /** The host a grant on this forge means when it names none (GitLab: gitlab.com), if any. */
    public Optional<String> defaultHost() {
        return this == GITLAB ? Optional.of("gitlab.com") : Optional.empty();
    }

    /**
     * The host every call and grant on this forge has, when the executor's configuration rather
     * than the policy says which server it is: GitHub's and JIRA's. Empty where the policy names
     * hosts.
     */
    public Optional<String> fixedHost() {
        return switch (this) {
            case GITHUB -> Optional.of(Target.GITHUB);
            case JIRA -> Optional.of(Target.JIRA);
            case FORGEJO, GITLAB -> Optional.empty();
        };
    }

    public static Optional<Forge> byKey(String key) {
        String wanted = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(forge -> forge.key.equals(wanted)).findFirst();
    }
}
