package dev.tollgate.decision.policy;

/**
 * A check the executor makes with the token before acting, because only GitHub knows the answer.
 * An allowed decision carries them; the executor refuses the call when one fails.
 */
public enum Precondition {
    /** The repository must be a fork (the grant said require-fork). */
    REQUIRE_FORK("require-fork"),
    /** The branch written must not be the repository's default branch. */
    BRANCH_NOT_DEFAULT("branch-not-default"),
    /** The branch written must not be protected on GitHub. */
    BRANCH_NOT_PROTECTED("branch-not-protected");

    private final String code;

    Precondition(String code) {
        this.code = code;
    }

    /** The stable name carried in events. */
    public String code() {
        return code;
    }
}
