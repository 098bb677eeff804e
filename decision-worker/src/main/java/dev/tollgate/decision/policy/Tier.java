package dev.tollgate.decision.policy;

import dev.tollgate.schemas.GitHubAction;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The permission tiers service-gator users know. Each names the actions it permits and, for some,
 * a constraint on their arguments. No tier implies another except {@code write}, which implies all
 * of them (and lifts their constraints). Hard blocks apply whatever the tier.
 */
public enum Tier {

    /** read_repo, get_file, list_pull_requests, github_api_get. */
    READ("read", EnumSet.of(GitHubAction.READ_REPO, GitHubAction.GET_FILE,
            GitHubAction.LIST_PULL_REQUESTS, GitHubAction.GITHUB_API_GET)),
    /** create_branch and push_files, only on branches whose name starts with {@code agent-}. */
    PUSH_NEW_BRANCH("push-new-branch", EnumSet.of(GitHubAction.CREATE_BRANCH,
            GitHubAction.PUSH_FILES)),
    /** create_pr as a draft only. */
    CREATE_DRAFT("create-draft", EnumSet.of(GitHubAction.CREATE_PR)),
    /** create_pending_review (a review that is not submitted). */
    PENDING_REVIEW("pending-review", EnumSet.of(GitHubAction.CREATE_PENDING_REVIEW)),
    /** Every catalogued action that reaches GitHub, without the tier constraints above. */
    WRITE("write", EnumSet.complementOf(EnumSet.of(GitHubAction.STATUS,
            GitHubAction.GET_REQUEST_STATUS)));

    /** The branch prefix push-new-branch is limited to. */
    public static final String AGENT_BRANCH_PREFIX = "agent-";

    private final String key;
    private final Set<GitHubAction> actions;

    Tier(String key, Set<GitHubAction> actions) {
        this.key = key;
        this.actions = Set.copyOf(actions);
    }

    /** The name used in policy files and on the command line. */
    public String key() {
        return key;
    }

    public Set<GitHubAction> actions() {
        return actions;
    }

    public boolean covers(GitHubAction action) {
        return actions.contains(action);
    }

    public static Optional<Tier> byKey(String key) {
        return Arrays.stream(values()).filter(tier -> tier.key.equals(key)).findFirst();
    }
}
