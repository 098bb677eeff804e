package dev.tollgate.decision.policy;

/**
 * One rule as evaluated for a decision: which rule, what it does, whether it matched and why.
 *
 * @param rule the rule's name and line, e.g. {@code gh.repos."myorg/app" (line 3)}
 * @param effect what the rule does when it matches
 * @param matched whether it matched this request
 * @param detail how it matched or why not
 */
public record RuleTrace(String rule, Effect effect, boolean matched, String detail) {

    /** What a rule does. */
    public enum Effect {
        /** A hard block: no policy can lift it. */
        BLOCK,
        /** An explicit deny rule, or the default deny. */
        DENY,
        /** A grant. */
        ALLOW,
        /** Not applicable (a grant shadowed by a more specific one, a rule for other agents). */
        SKIP;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return (matched ? "MATCH " : "  -   ") + effect.key() + " " + rule
                + (detail == null ? "" : ": " + detail);
    }
}
