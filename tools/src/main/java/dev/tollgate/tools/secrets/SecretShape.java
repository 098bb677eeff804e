package dev.tollgate.tools.secrets;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * One shape of credential text, shared by the audit sink's redactor (which replaces it) and the
 * decision worker's content check (which refuses a write carrying it).
 *
 * @param kind what it is
 * @param pattern finds it; the credential is the group named {@code secret} when the pattern names
 *        one (a key or a URL around it stays), else the whole match. Linear time: no pattern
 *        backtracks more than a bounded amount per position it starts at
 * @param trigger a cheap test that holds on any text the pattern can match, so that the pattern
 *        runs only on text that can hold it
 * @param credible whether a match is a credential rather than a look-alike (a placeholder, a
 *        variable reference, ordinary code); the redactor ignores it and redacts every match,
 *        the detector reports only credible ones
 * @param hintLength how many leading characters of the credential are its fixed format prefix
 *        ({@code ghp_}, {@code xoxb-}), which a message may show; 0 when it has none
 */
public record SecretShape(SecretKind kind, Pattern pattern, Trigger trigger, Credibility credible,
        int hintLength) {

    private static final String SECRET_GROUP = "secret";

    public SecretShape {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(credible, "credible");
    }

    /** True if the pattern names the credential's part of a match (the rest is context). */
    public boolean hasSecretGroup() {
        return pattern.namedGroups().containsKey(SECRET_GROUP);
    }

    /** Where the credential starts in a match of {@link #pattern}. */
    public int secretStart(MatchResult match) {
        return hasSecretGroup() ? match.start(SECRET_GROUP) : match.start();
    }

    /** Where the credential ends in a match of {@link #pattern}. */
    public int secretEnd(MatchResult match) {
        return hasSecretGroup() ? match.end(SECRET_GROUP) : match.end();
    }

    /** The credential's fixed format prefix followed by an ellipsis, or null when it has none. */
    public String hint(CharSequence text, MatchResult match) {
        if (hintLength == 0) {
            return null;
        }
        int start = secretStart(match);
        return text.subSequence(start, start + hintLength) + "…";
    }

    /**
     * A cheap precondition of a match: the text holds one of {@code needles} (ASCII, not empty),
     * or, for {@code (?i)} patterns ({@code ignoreCase}, the needles then lower case), the text
     * lower-cased does. Data rather than code, so that {@link SecretShapes#triggered} can look for
     * every shape's needles in one pass over a text.
     */
    public record Trigger(List<String> needles, boolean ignoreCase) {

        public Trigger {
            needles = List.copyOf(needles);
            if (needles.isEmpty()) {
                throw new IllegalArgumentException("a trigger needs at least one needle");
            }
            for (String needle : needles) {
                if (needle.isEmpty() || !needle.chars().allMatch(c -> c < 128)) {
                    throw new IllegalArgumentException("a needle is non-empty ASCII: " + needle);
                }
                if (ignoreCase && !needle.equals(needle.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("a case-insensitive needle is lower case: "
                            + needle);
                }
            }
        }

        /** Case-sensitive: the text contains one of {@code needles}. */
        public static Trigger contains(String... needles) {
            return new Trigger(List.of(needles), false);
        }

        /** For {@code (?i)} patterns: the lower-cased text contains one of the needles. */
        public static Trigger containsIgnoringCase(String... needles) {
            return new Trigger(List.of(needles), true);
        }

        /**
         * Whether the text holds a needle: {@code text} as it is, {@code lowerCase} the same text
         * lower-cased ({@link Locale#ROOT}), read when the trigger ignores case.
         */
        public boolean test(String text, String lowerCase) {
            String haystack = ignoreCase ? lowerCase : text;
            for (String needle : needles) {
                if (haystack.contains(needle)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Whether a match in {@code text} is a credential, not a look-alike. */
    @FunctionalInterface
    public interface Credibility {
        boolean test(String text, MatchResult match);
    }
}
