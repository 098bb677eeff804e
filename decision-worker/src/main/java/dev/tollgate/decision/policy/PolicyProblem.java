package dev.tollgate.decision.policy;

/**
 * One thing wrong with a policy: where (line, when known, and the key) and what, phrased so that
 * the fix is obvious.
 *
 * @param line 1-based line in the policy file, 0 when unknown
 * @param where the key or rule, e.g. {@code gh.repos."myorg/app".delete}
 * @param message the problem and the fix
 */
public record PolicyProblem(int line, String where, String message) {

    @Override
    public String toString() {
        String place = line > 0 ? "line " + line + ": " : "";
        return place + (where == null || where.isEmpty() ? "" : where + ": ") + message;
    }
}
