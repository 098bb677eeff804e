package dev.tollgate.tools;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The permission tiers service-gator users know. Each tool names the one tier that grants it
 * ({@link Tool#tier()}); {@code write} grants every tool that reaches GitHub. No other tier implies
 * another. The policy adds the tiers' constraints (create-draft opens drafts only); hard blocks
 * and the branch rule apply whatever the tier.
 */
public enum Tier {

    /** Reading code, pull requests, issues and their metadata. */
    READ("read"),
    /** Creating and pushing to {@code agent-} branches (the branch rule holds for every tier). */
    PUSH_NEW_BRANCH("push-new-branch"),
    /** Opening draft pull requests. */
    CREATE_DRAFT("create-draft"),
    /** Starting a review that a human submits. */
    PENDING_REVIEW("pending-review"),
    /** Approving a merge request (GitLab only, as service-gator offers it). */
    APPROVE("approve"),
    /** Creating issues (JIRA only, as service-gator offers it). */
    CREATE("create"),
    /** Every tool that reaches GitHub, without the tiers' constraints. */
    WRITE("write");

    private final String key;

    Tier(String key) {
        this.key = key;
    }

    /** The name used in policy files and on the command line. */
    public String key() {
        return key;
    }

    /** True if a grant of this tier grants {@code tool}. */
    public boolean covers(Tool tool) {
        return this == WRITE ? tool.reachesGitHub() : tool.tier() == this;
    }

    /** The tools this tier grants. */
    public Set<Tool> tools() {
        Set<Tool> tools = EnumSet.noneOf(Tool.class);
        for (Tool tool : Tool.values()) {
            if (covers(tool)) {
                tools.add(tool);
            }
        }
        return tools;
    }

    public static Optional<Tier> byKey(String key) {
        return Arrays.stream(values()).filter(tier -> tier.key.equals(key)).findFirst();
    }
}
