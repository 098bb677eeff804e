package dev.tollgate.tools.secrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which shapes' triggers a text holds, found in one pass: every needle of every shape is filed
 * under its first two characters, and each pair of characters of the text is looked up once.
 * Asking each trigger in turn scans the text once per needle (about fifty) and lower-cases a copy
 * of it first: one pass is about four times cheaper on the short strings that make up most of
 * what the redactor and the detector read (IDs, names, paths, messages), and still cheaper on
 * 2 KB of prose, where the JDK's vectorized {@link String#contains} is fast per character but
 * runs fifty times (JMH {@code SecretScanBenchmark}).
 *
 * <p>The result for a shape is set whenever its trigger holds ({@link SecretShape.Trigger#test}
 * on the text and its {@link Locale#ROOT} lower case). A case-insensitive needle is compared
 * character by character with {@link Character#toLowerCase(char)}, which lower-cases every
 * character as {@link String#toLowerCase(Locale)} does except U+0130 (İ, lower-cased by the
 * string to "i" and a combining dot, by the character to "i"), so on text holding it the one-pass
 * result may also name a shape whose trigger does not hold. A trigger is a precondition, not a
 * match: the shape's own pattern decides.
 */
final class TriggerScan {

    /** A needle, and the shapes (bits of their index) whose triggers hold it. */
    private record Needle(String text, boolean ignoreCase, long shapes) {

        boolean at(String haystack, int from) {
            if (!ignoreCase) {
                return haystack.startsWith(text, from);
            }
            int length = text.length();
            if (haystack.length() - from < length) {
                return false;
            }
            for (int i = 0; i < length; i++) {
                if (lower(haystack.charAt(from + i)) != text.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Needles by their first two characters, lower-cased ({@code first << 7 | second}); null
     * where none starts with them, as at nearly every position of ordinary text.
     */
    private final Needle[][] byPair = new Needle[128 * 128][];

    TriggerScan(List<SecretShape> shapes) {
        if (shapes.size() > Long.SIZE) {
            throw new IllegalArgumentException("at most 64 shapes: " + shapes.size());
        }
        record Key(String text, boolean ignoreCase) {
        }
        Map<Key, Long> needles = new LinkedHashMap<>(); // a needle's shapes, when several share it
        for (int i = 0; i < shapes.size(); i++) {
            SecretShape.Trigger trigger = shapes.get(i).trigger();
            for (String needle : trigger.needles()) {
                needles.merge(new Key(needle, trigger.ignoreCase()), 1L << i, (a, b) -> a | b);
            }
        }
        Map<Integer, List<Needle>> filed = new LinkedHashMap<>();
        needles.forEach((key, bits) -> {
            if (key.text().length() < 2) {
                throw new IllegalArgumentException("a needle the scan files is at least two"
                        + " characters long: " + key.text());
            }
            filed.computeIfAbsent(lower(key.text().charAt(0)) << 7 | lower(key.text().charAt(
                    1)), pair -> new ArrayList<>()).add(new Needle(key.text(), key.ignoreCase(),
                            bits));
        });
        filed.forEach((pair, filedUnder) -> byPair[pair] = filedUnder.toArray(Needle[]::new));
    }

    /** Bit {@code i} set when shape {@code i}'s trigger holds in {@code text} (see above). */
    long triggered(String text) {
        long found = 0;
        int n = text.length();
        if (n < 2) {
            return 0; // every needle is longer
        }
        char next = lower(text.charAt(0));
        for (int i = 0; i < n - 1; i++) {
            char c = next;
            next = lower(text.charAt(i + 1));
            if (c >= 128 || next >= 128) {
                continue;
            }
            Needle[] candidates = byPair[c << 7 | next];
            if (candidates == null) {
                continue;
            }
            for (Needle needle : candidates) {
                if ((found & needle.shapes()) != needle.shapes() && needle.at(text, i)) {
                    found |= needle.shapes();
                }
            }
        }
        return found;
    }

    private static char lower(char c) {
        if (c < 128) {
            return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        return Character.toLowerCase(c);
    }
}
