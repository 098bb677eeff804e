package dev.tollgate.executor.resilience;

import java.time.Duration;

/** Waits; injected so tests never sleep. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration) throws InterruptedException;

    static Sleeper system() {
        return duration -> Thread.sleep(duration);
    }
}
