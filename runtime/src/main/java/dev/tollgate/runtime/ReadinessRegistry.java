package dev.tollgate.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every readiness check of this process. In the standalone launcher one registry is shared by all
 * roles (it lives in the parent context), so the one HTTP listener reports them all.
 */
public final class ReadinessRegistry {

    private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();

    public void register(ReadinessCheck check) {
        if (!checks.contains(check)) {
            checks.add(check);
        }
    }

    public List<ReadinessCheck.Result> results() {
        return checks.stream().map(ReadinessRegistry::safely).toList();
    }

    public boolean ready() {
        return results().stream().allMatch(ReadinessCheck.Result::ready);
    }

    private static ReadinessCheck.Result safely(ReadinessCheck check) {
        try {
            return check.check();
        } catch (RuntimeException e) {
            return ReadinessCheck.Result.notReady(check.getClass().getSimpleName(), e.toString());
        }
    }
}
