package dev.tollgate.audit;

import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Roles;

/** How the standalone launcher finds and starts the audit sink: first, so it sees every event. */
public final class AuditSinkRole implements TollgateRole {

    @Override
    public String name() {
        return Roles.AUDIT_SINK;
    }

    @Override
    public Class<?> applicationClass() {
        return AuditSinkApplication.class;
    }

    @Override
    public int order() {
        return 10;
    }
}
