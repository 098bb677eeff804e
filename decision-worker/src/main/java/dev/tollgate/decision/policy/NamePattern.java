package dev.tollgate.decision.policy;

import dev.tollgate.tools.Glob;
import java.util.List;

/** A list of agent or environment name globs; empty means any. */
public record NamePattern(List<Glob> globs) {

    public static final NamePattern ANY = new NamePattern(List.of());

    public NamePattern {
        globs = List.copyOf(globs);
    }

    public static NamePattern of(List<String> patterns) {
        if (patterns.stream().anyMatch("*"::equals)) {
            return ANY;
        }
        return new NamePattern(patterns.stream().map(Glob::of).toList());
    }

    public static NamePattern of(String... patterns) {
        return of(List.of(patterns));
    }

    public boolean isAny() {
        return globs.isEmpty();
    }

    public boolean matches(String name) {
        return isAny() || globs.stream().anyMatch(glob -> glob.matches(name));
    }

    @Override
    public String toString() {
        return isAny() ? "*" : globs.toString();
    }
}
