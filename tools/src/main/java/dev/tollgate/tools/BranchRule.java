package dev.tollgate.tools;

/**
 * The one rule for branches agents write, the same in every role because every role parses calls
 * with the same tool definitions:
 * <ol>
 * <li>an agent writes (creates, pushes to) only branches named {@value #AGENT_PREFIX}..., whatever
 * the policy grants ({@code write} included): a tool that writes a branch refuses any other name
 * when its arguments are parsed, in the ingress, the decision worker and the executor alike;</li>
 * <li>never the repository's default branch or a protected branch: the decision worker refuses
 * {@code main}, {@code master} and the policy's {@code protected-branches} patterns, and the
 * executor checks GitHub's own default branch and branch protection before it writes.</li>
 * </ol>
 * Reading any branch is a matter for the policy's {@code branches} conditions.
 */
public final class BranchRule {

    /** The prefix of every branch an agent may write. */
    public static final String AGENT_PREFIX = "agent-";

    private BranchRule() {
    }

    /** True if {@code branch} is a name agents may write: {@value #AGENT_PREFIX} and more. */
    public static boolean isAgentBranch(String branch) {
        return branch != null && branch.startsWith(AGENT_PREFIX) && branch
                .length() > AGENT_PREFIX.length();
    }

    /** Why {@code branch} may not be written by an agent, for messages. */
    public static String refusal(String branch) {
        return "'" + branch + "' is not an agent branch: agents write only branches named "
                + AGENT_PREFIX + "..., whatever the policy grants; push to " + AGENT_PREFIX
                + "<name> and open a pull request";
    }
}
