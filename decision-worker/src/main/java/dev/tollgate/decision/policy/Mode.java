package dev.tollgate.decision.policy;

/** How a rule set's verdicts take effect. */
public enum Mode {
    /** Its denials deny. */
    ENFORCE,
    /**
     * Its denials (explicit deny rules, and the default deny of requests it covers) are recorded in
     * the decision but the request is allowed, marked monitor-only. Hard blocks always deny.
     */
    MONITOR;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
