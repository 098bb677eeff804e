package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * The glob matcher: linear in the path's length whatever the pattern (an agent chooses the path,
 * the policy's author the pattern), and the same answers as the regular expressions it replaced.
 */
class GlobTest {

    private static final String PATHOLOGICAL = "**/a/**/a/**/a/**/b";

    /** {@code a/a/a/.../a}: never matches {@link #PATHOLOGICAL}, which needs a final b. */
    private static String folders(int length) {
        String path = "a/".repeat(length / 2 + 1);
        return path.substring(0, length);
    }

    @Test
    void aPatternWithManyDoubleStarsMatchesAFourKilobytePathInLinearWork() {
        Glob glob = Glob.of(PATHOLOGICAL);
        String path = folders(4096);

        long steps = glob.steps(path);

        assertThat(glob.matches(path)).isFalse();
        assertThat(glob.matchesIgnoringCase(path)).isFalse();
        // each character visits each automaton state at most once
        assertThat(steps).as("steps for %d characters and %d states", path.length(), glob
                .states()).isLessThanOrEqualTo((long) path.length() * glob.states()
                        + glob
                                .states()
                        + 1);
        assertThat(glob.matches(path + "/b")).isTrue();
    }

    @Test
    void theRegexBacktrackedPolynomiallyWhereTheAutomatonGrowsLinearly() {
        Pattern regex = Pattern.compile(RegexGlob.toRegex(PATHOLOGICAL));
        Glob glob = Glob.of(PATHOLOGICAL);

        long regexShort = RegexGlob.charReads(regex, folders(32));
        long regexLong = RegexGlob.charReads(regex, folders(64));
        long globShort = glob.steps(folders(32));
        long globLong = glob.steps(folders(64));

        // doubling the path: the regex reads characters about 16 times as often (n^4), the
        // automaton does about twice the work
        assertThat(regexLong).as("regex character reads, 32 then 64 characters: %d, %d",
                regexShort, regexLong).isGreaterThan(8 * regexShort);
        assertThat(globLong).as("automaton steps, 32 then 64 characters: %d, %d", globShort,
                globLong).isLessThanOrEqualTo(2 * globShort + 2 * glob.states());
        assertThat(globLong).isLessThan(regexLong / 100);
    }

    /**
     * Random patterns and paths, the automaton against the regular expression it replaced, with
     * and without case. Paths are drawn both at random and by filling in the pattern, so both
     * answers are common. Line separators are left out: there the regex was wrong (see
     * {@link #aDoubleStarMatchesLineSeparatorsThatTheRegexLetThrough}). Fixed seeds.
     */
    @RepeatedTest(20)
    void answersAsTheRegexItReplacedOnRandomPatternsAndPaths(RepetitionInfo repetition) {
        Random random = new Random(7919L * repetition.getCurrentRepetition());
        int matched = 0;
        int compared = 0;
        for (int i = 0; i < 1000; i++) {
            String pattern = randomPattern(random);
            Glob glob = Glob.of(pattern);
            Pattern exact = Pattern.compile(RegexGlob.toRegex(RegexGlob.effective(pattern)));
            Pattern folded = Pattern.compile(RegexGlob.toRegex(RegexGlob.effective(pattern)),
                    Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            for (int j = 0; j < 8; j++) {
                String path = random.nextBoolean()
                        ? instance(pattern, random)
                        : randomText(random, 12);
                boolean expected = exact.matcher(path).matches();

                assertThat(glob.matches(path)).as("'%s' against '%s'", pattern, path)
                        .isEqualTo(expected);
                assertThat(glob.matchesIgnoringCase(path)).as("'%s' against '%s' ignoring case",
                        pattern, path).isEqualTo(folded.matcher(path).matches());
                matched += expected ? 1 : 0;
                compared++;
            }
        }
        assertThat(matched).as("matching pairs out of %d", compared).isBetween(compared / 10,
                compared * 9 / 10);
    }

    @Test
    void aDoubleStarMatchesLineSeparatorsThatTheRegexLetThrough() {
        // The tools module refuses control characters, not U+2028: a file may be named so.
        String path = "secrets/a\u2028b.txt";

        assertThat(Pattern.compile(RegexGlob.toRegex("secrets/**")).matcher(path).matches())
                .isFalse();
        assertThat(Glob.of("secrets/").matchesIgnoringCase(path)).isTrue();
        assertThat(Glob.of("**/b.txt").matches("x\u2029y/b.txt")).isTrue();
        assertThat(Glob.of("secrets/*").matches(path)).isTrue();
    }

    @Test
    void globsMatchWithinAndAcrossSegments() {
        assertThat(Glob.of("agent-*").matches("agent-x")).isTrue();
        assertThat(Glob.of("agent-*").matches("agent-x/y")).isFalse();
        assertThat(Glob.of("docs/**").matches("docs/a/b.md")).isTrue();
        assertThat(Glob.of("**/*.yml").matches("ci.yml")).isTrue();
        assertThat(Glob.of("**/*.yml").matches("a/b/ci.yml")).isTrue();
        assertThat(Glob.of(".github/workflows/").matches(".github/workflows/x.yml")).isTrue();
        assertThat(Glob.of("a.b").matches("axb")).isFalse();
        assertThat(Glob.of("file?.txt").matches("file1.txt")).isTrue();
    }

    @Test
    void keepsEveryFormOfTheSyntax() {
        assertThat(Glob.of("**/").matches("a/b")).isTrue();
        assertThat(Glob.of("a/**/b").matches("a/b")).isTrue();
        assertThat(Glob.of("a/**/b").matches("a/x/y/b")).isTrue();
        assertThat(Glob.of("a/**/b").matches("ab")).isFalse();
        assertThat(Glob.of("a/**").matches("a/")).isTrue();
        assertThat(Glob.of("a/**").matches("a")).isFalse();
        assertThat(Glob.of("***").matches("x/y")).isTrue();
        assertThat(Glob.of("?").matches("/")).isFalse();
        assertThat(Glob.of("?").matches("\uD83D\uDE00")).isTrue(); // one code point
        assertThat(Glob.of("*.MD").matchesIgnoringCase("readme.md")).isTrue();
        assertThat(Glob.of("*.MD").matches("readme.md")).isFalse();
        assertThat(Glob.of("İ").matchesIgnoringCase("i")).isTrue();
        assertThat(Glob.of("docs/").isLiteral()).isFalse();
    }

    private static final String[] PATTERN_PARTS = {"a", "b", "/", "*", "**", "**/", "?", ".",
            "A", "é", "É", "-", "ı", "\u212A", "ß", "ab/"};
    private static final String[] TEXT_PARTS = {"a", "b", "/", ".", "A", "é", "É", "-", "ı",
            "I", "k", "K", "\u212A", "ß", "ab", "\uD83D\uDE00"};

    private static String randomPattern(Random random) {
        StringBuilder pattern = new StringBuilder();
        int parts = 1 + random.nextInt(7);
        for (int i = 0; i < parts; i++) {
            pattern.append(PATTERN_PARTS[random.nextInt(PATTERN_PARTS.length)]);
        }
        return pattern.toString().isBlank() ? "a" : pattern.toString();
    }

    private static String randomText(Random random, int maxParts) {
        StringBuilder text = new StringBuilder();
        int parts = random.nextInt(maxParts + 1);
        for (int i = 0; i < parts; i++) {
            text.append(TEXT_PARTS[random.nextInt(TEXT_PARTS.length)]);
        }
        return text.toString();
    }

    /** A path the pattern is likely to match: each wildcard filled in, sometimes wrongly. */
    private static String instance(String pattern, Random random) {
        String effective = RegexGlob.effective(pattern);
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < effective.length(); i++) {
            char c = effective.charAt(i);
            if (c == '*') {
                boolean twice = i + 1 < effective.length() && effective.charAt(i + 1) == '*';
                String filler = randomText(random, 3);
                path.append(twice ? filler : filler.replace("/", ""));
                if (twice) {
                    i++;
                }
            } else if (c == '?') {
                path.append(random.nextInt(10) == 0 ? "/" : "x");
            } else {
                path.append(random.nextInt(20) == 0 ? "z" : String.valueOf(c));
            }
        }
        return path.toString();
    }

    /** The regular expressions {@link Glob} compiled to before it became an automaton. */
    static final class RegexGlob {

        static String effective(String pattern) {
            return pattern.endsWith("/") ? pattern + "**" : pattern;
        }

        static String toRegex(String glob) {
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

        /** How many characters the regex reads to decide: its work, whatever the machine. */
        static long charReads(Pattern regex, String text) {
            long[] reads = new long[1];
            CharSequence counting = new CharSequence() {
                @Override
                public int length() {
                    return text.length();
                }

                @Override
                public char charAt(int index) {
                    reads[0]++;
                    return text.charAt(index);
                }

                @Override
                public CharSequence subSequence(int start, int end) {
                    return text.subSequence(start, end);
                }

                @Override
                public String toString() {
                    return text;
                }
            };
            regex.matcher(counting).matches();
            return reads[0];
        }
    }
}
