package dev.tollgate.tools;

import java.util.Arrays;
import java.util.Objects;

/**
 * A glob over slash-separated names (paths, branches, repositories): {@code *} matches within one
 * segment, {@code **} across segments ({@code **}{@code /} matches nothing or any run of folders),
 * {@code ?} one character. A pattern ending in {@code /} matches everything under that folder
 * ({@code .github/workflows/} is {@code .github/workflows/**}). Matching is exact otherwise
 * (case-sensitive), or ignores case where asked.
 *
 * <p>Matching takes time linear in the value's length: the pattern is compiled to a small
 * nondeterministic automaton (one state per pattern element) and the value is read once, keeping
 * the set of states it can be in; no backtracking, so a pattern such as
 * {@code **}{@code /a/**}{@code /a/**}{@code /b} cannot be made slow by a long, agent-chosen path.
 * Work per value is at most its length times the pattern's element count.
 */
public final class Glob {

    /** One character, compared (or ignoring case, folded). */
    private static final byte LITERAL = 0;
    /** {@code ?}: one character other than {@code /}. */
    private static final byte ONE = 1;
    /** {@code *}: any run of characters other than {@code /}, empty included. */
    private static final byte SEGMENT = 2;
    /** {@code **} not followed by {@code /}: any run of characters, empty included. */
    private static final byte ANY = 3;
    /**
     * Reads nothing: either goes on to the next element or skips the two after it. {@code **}{@code /}
     * is this, {@code **} and {@code /}: nothing, or any run of characters ending in {@code /}.
     */
    private static final byte OPTIONAL = 4;

    private final String pattern;
    private final byte[] kinds;
    private final int[] literals;

    private Glob(String pattern) {
        this.pattern = pattern;
        String effective = pattern.endsWith("/") ? pattern + "**" : pattern;
        byte[] kindsOut = new byte[effective.length()];
        int[] literalsOut = new int[effective.length()];
        int size = 0;
        for (int i = 0; i < effective.length();) {
            int c = effective.codePointAt(i);
            i += Character.charCount(c);
            if (c == '*') {
                if (i < effective.length() && effective.charAt(i) == '*') {
                    i++;
                    if (i < effective.length() && effective.charAt(i) == '/') {
                        i++;
                        kindsOut[size++] = OPTIONAL;
                        kindsOut[size++] = ANY;
                        kindsOut[size] = LITERAL;
                        literalsOut[size++] = '/';
                    } else {
                        kindsOut[size++] = ANY;
                    }
                } else {
                    kindsOut[size++] = SEGMENT;
                }
            } else if (c == '?') {
                kindsOut[size++] = ONE;
            } else {
                kindsOut[size] = LITERAL;
                literalsOut[size++] = c;
            }
        }
        this.kinds = Arrays.copyOf(kindsOut, size);
        this.literals = Arrays.copyOf(literalsOut, size);
    }

    public static Glob of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isBlank()) {
            throw new IllegalArgumentException("a pattern must not be empty");
        }
        return new Glob(pattern);
    }

    public boolean matches(String value) {
        return value != null && run(value, false, null);
    }

    /**
     * Matching that ignores case: what deny rules and exclusions use, so that they match more
     * rather than less ({@code .GitHub/Workflows/x.yml} is still excluded). Two characters are
     * equal ignoring case when they are equal or their simple case foldings are
     * ({@code toLowerCase(toUpperCase(c))}, as {@code java.util.regex} compares with
     * {@code CASE_INSENSITIVE | UNICODE_CASE}).
     */
    public boolean matchesIgnoringCase(String value) {
        return value != null && run(value, true, null);
    }

    /**
     * The work one match takes: the number of (character, automaton state) pairs visited. At most
     * the value's length (in code points) times the pattern's element count, plus the states left
     * after the last character.
     */
    long steps(String value) {
        long[] steps = new long[1];
        run(value, false, steps);
        return steps[0];
    }

    /** The automaton's states, besides the accepting one (about one per pattern element). */
    int states() {
        return kinds.length;
    }

    /** True if the pattern has no wildcard: it matches one value only. */
    public boolean isLiteral() {
        return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && !pattern.endsWith("/");
    }

    public String pattern() {
        return pattern;
    }

    /**
     * Reads {@code value} once, left to right, keeping the set of automaton states reachable so
     * far (state {@code i}: the pattern's elements before {@code i} have matched; state
     * {@code kinds.length}: all of them). Each set holds every state at most once.
     */
    private boolean run(String value, boolean ignoreCase, long[] steps) {
        int size = kinds.length;
        int[] current = new int[size + 1];
        int[] next = new int[size + 1];
        boolean[] inCurrent = new boolean[size + 1];
        boolean[] inNext = new boolean[size + 1];
        int currentCount = close(0, current, 0, inCurrent);
        for (int at = 0; at < value.length() && currentCount > 0;) {
            int c = value.codePointAt(at);
            at += Character.charCount(c);
            int nextCount = 0;
            for (int k = 0; k < currentCount; k++) {
                int state = current[k];
                inCurrent[state] = false;
                if (state == size) {
                    continue; // everything matched, but characters remain
                }
                if (steps != null) {
                    steps[0]++;
                }
                switch (kinds[state]) {
                    case LITERAL -> {
                        if (same(literals[state], c, ignoreCase)) {
                            nextCount = close(state + 1, next, nextCount, inNext);
                        }
                    }
                    case ONE -> {
                        if (c != '/') {
                            nextCount = close(state + 1, next, nextCount, inNext);
                        }
                    }
                    case SEGMENT -> {
                        if (c != '/') {
                            nextCount = close(state, next, nextCount, inNext);
                        }
                    }
                    case ANY -> nextCount = close(state, next, nextCount, inNext);
                    default -> throw new IllegalStateException("unknown element " + kinds[state]);
                }
            }
            int[] swap = current;
            current = next;
            next = swap;
            boolean[] swapIn = inCurrent;
            inCurrent = inNext;
            inNext = swapIn;
            currentCount = nextCount;
        }
        if (steps != null) {
            steps[0] += currentCount;
        }
        return currentCount > 0 && inCurrent[size];
    }

    /**
     * Adds {@code state} to the set, and every state reachable from it without reading a
     * character: the elements that may match nothing ({@code *}, {@code **}, the optional part of
     * {@code **}{@code /}) can be skipped. An {@link #OPTIONAL} state is never in a set itself.
     */
    private int close(int state, int[] set, int count, boolean[] in) {
        int s = state;
        while (true) {
            if (s < kinds.length && kinds[s] == OPTIONAL) {
                count = close(s + 3, set, count, in); // the optional part left out
                s++;
                continue;
            }
            if (!in[s]) {
                in[s] = true;
                set[count++] = s;
            }
            if (s == kinds.length || kinds[s] == LITERAL || kinds[s] == ONE) {
                return count;
            }
            s++;
        }
    }

    private static boolean same(int expected, int actual, boolean ignoreCase) {
        return expected == actual || ignoreCase && fold(expected) == fold(actual);
    }

    private static int fold(int c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Glob glob && glob.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
