package dev.tollgate.decision;

import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Roles;

/** How the standalone launcher finds and starts the decision worker. */
public final class DecisionWorkerRole implements TollgateRole {

    @Override
    public String name() {
        return Roles.DECISION_WORKER;
    }

    @Override
    public Class<?> applicationClass() {
        return DecisionWorkerApplication.class;
    }

    @Override
    public int order() {
        return 20;
    }
}
