package dev.tollgate.decision.policy;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A glob over slash-separated names (paths, branches, repositories): {@code *} matches within one
 * segment, {@code **} across segments, {@code ?} one character. A pattern ending in {@code /}
 * matches everything under that folder ({@code .github/workflows/} is
 * {@code .github/workflows/**}). Matching is exact otherwise (case-sensitive).
 */
public final class Glob {

    private final String pattern;
    private final Pattern regex;
    private final Pattern regexIgnoringCase;

    private Glob(String pattern) {
        this.pattern = pattern;
        String expression = toRegex(pattern.endsWith("/") ? pattern + "**" : pattern);
        this.regex = Pattern.compile(expression);
        this.regexIgnoringCase = Pattern.compile(expression, Pattern.CASE_INSENSITIVE
                | Pattern.UNICODE_CASE);
    }

    public static Glob of(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isBlank()) {
            throw new IllegalArgumentException("a pattern must not be empty");
        }
        return new Glob(pattern);
    }

    public boolean matches(String value) {
        return value != null && regex.matcher(value).matches();
    }

    /**
     * Matching that ignores case: what deny rules and exclusions use, so that they match more
     * rather than less ({@code .GitHub/Workflows/x.yml} is still excluded).
     */
    public boolean matchesIgnoringCase(String value) {
        return value != null && regexIgnoringCase.matcher(value).matches();
    }

    /** True if the pattern has no wildcard: it matches one value only. */
    public boolean isLiteral() {
        return pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 && !pattern.endsWith("/");
    }

    public String pattern() {
        return pattern;
    }

    private static String toRegex(String glob) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                        i++;
                        out.append("(?:.*/)?");
                    } else {
                        out.append(".*");
                    }
                } else {
                    out.append("[^/]*");
                }
            } else if (c == '?') {
                out.append("[^/]");
            } else {
                out.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return out.toString();
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
