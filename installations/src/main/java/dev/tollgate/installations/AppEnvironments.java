package dev.tollgate.installations;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which GitHub App serves a request's environment. An environment configured with an App of its
 * own ({@code tollgate.github.environments.<env>.*}) is served only by that App and its
 * installations; every other environment is served by the default App (the top-level
 * {@code tollgate.github.*} settings), whose installations are registered under
 * {@link #DEFAULT}. So one environment's App never mints for another's installations.
 */
public final class AppEnvironments {

    /** The environment name the default (top-level) App's installations are registered under. */
    public static final String DEFAULT = "default";

    private final Set<String> dedicated;

    public AppEnvironments(Collection<String> dedicated) {
        this.dedicated = Set.copyOf(new TreeSet<>(dedicated));
    }

    public static AppEnvironments defaultOnly() {
        return new AppEnvironments(Set.of());
    }

    /** The registry environment (and App) that serves {@code requestEnvironment}. */
    public String appEnvironment(String requestEnvironment) {
        return requestEnvironment != null && dedicated.contains(requestEnvironment)
                ? requestEnvironment
                : DEFAULT;
    }

    /** Environments with an App of their own. */
    public Set<String> dedicated() {
        return dedicated;
    }

    @Override
    public String toString() {
        return "AppEnvironments" + new TreeSet<>(dedicated);
    }
}
