package dev.tollgate.tools;

import java.util.EnumSet;
import java.util.Set;

/**
 * The kinds of data a read can reveal. Each read tool declares the kinds it reveals; a concrete
 * call's {@link Target} says which it reaches. A deny rule that names a read tool protects that
 * kind of data from every read that reaches it, whichever tool the agent uses, so naming
 * {@code get_file} in a deny rule also covers the passthrough reading a file's contents.
 */
public enum Reveals {

    /** File contents at some ref (paths). */
    FILES,
    /** Issues and pull requests (numbers). */
    ISSUES_AND_PULL_REQUESTS,
    /** Repository metadata and names only: no file contents, no issue or pull request. */
    METADATA;

    /** What a call with this target reaches. */
    public static Set<Reveals> of(Target target) {
        Set<Reveals> kinds = EnumSet.noneOf(Reveals.class);
        if (!target.paths().isNone()) {
            kinds.add(FILES);
        }
        if (!target.numbers().isNone()) {
            kinds.add(ISSUES_AND_PULL_REQUESTS);
        }
        if (kinds.isEmpty()) {
            kinds.add(METADATA);
        }
        return kinds;
    }
}
