package dev.tollgate.schemas;

/** The names of Tollgate's roles, as they appear in {@code EventMeta.producer}. */
public final class Roles {

    public static final String INGRESS = "ingress";
    public static final String DECISION_WORKER = "decision-worker";
    public static final String EXECUTOR_WORKER = "executor-worker";
    public static final String AUDIT_SINK = "audit-sink";
    public static final String LAUNCHER = "launcher";

    private Roles() {
    }
}
