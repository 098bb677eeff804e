package dev.tollgate.tools.secrets;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The detector's judgement of a matched value: random enough to be a credential, or a placeholder,
 * a variable reference or ordinary code. Errs towards "not a credential": a write refused for
 * ordinary text stops an agent's work, and the audit redacts every match anyway.
 */
final class Looks {

    /** Words that mark an example value (matched lower-cased, anywhere in the value). */
    private static final String[] PLACEHOLDER_WORDS = {"xxxx", "example", "placeholder", "your",
            "redacted", "dummy", "changeme", "change_me", "sample", "fake", "insert", "replace",
            "token_here", "secret_here", "key_here", "<", ">", "..."};

    /** Characters of templates and code, never of a credential written out. */
    private static final String REFERENCE_CHARS = "${}<>()[]\\`*|;, \t\r\n";

    /** A dotted reference (os.environ, settings.SECRET_KEY_V2) or a CONSTANT_NAME. */
    private static final Pattern CODE_REFERENCE = Pattern.compile(
            "[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"
                    + "|[a-z][a-z0-9]*(?:_[a-z0-9]+)+");

    private Looks() {
    }

    /** A token body after a known prefix: not a placeholder and varied like random text. */
    static boolean randomTokenBody(String body, int minLength) {
        String value = trimPadding(body);
        if (value.length() < minLength || placeholder(value)) {
            return false;
        }
        if (CODE_REFERENCE.matcher(value).matches() && !hasDigit(value)) {
            return false; // snake_case or dotted words: a name, not a token
        }
        boolean mixed = hasDigit(value) || hasUpper(value) && hasLower(value);
        return mixed && entropy(value) >= (value.length() >= 20 ? 3.0 : 2.5);
    }

    /**
     * A value found by its key or context only (password=, ?token=, Authorization:), at least
     * {@code minLength} long: written out literally (no template or reference), with letters and
     * at least two digits, and varied.
     */
    static boolean literalSecret(String raw, int minLength) {
        String value = unquote(raw);
        if (value.length() < minLength || placeholder(value)) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (REFERENCE_CHARS.indexOf(value.charAt(i)) >= 0) {
                return false;
            }
        }
        if (CODE_REFERENCE.matcher(value).matches()) {
            return false;
        }
        // Two digits at least: a camelCase name with a version digit (refreshHandler2) is code.
        boolean letters = hasUpper(value) || hasLower(value);
        long digits = value.chars().filter(c -> c >= '0' && c <= '9').count();
        return letters && digits >= 2 && entropy(value) >= (value.length() >= 20 ? 3.0 : 2.5);
    }

    /** An example value: a placeholder word, a run of one character, or a counting sequence. */
    static boolean placeholder(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        for (String word : PLACEHOLDER_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        int same = 1;
        int ascending = 1;
        for (int i = 1; i < value.length(); i++) {
            char previous = lower.charAt(i - 1);
            char current = lower.charAt(i);
            same = current == previous ? same + 1 : 1;
            ascending = current == previous + 1 ? ascending + 1 : 1;
            if (same >= 6 || ascending >= 6) {
                return true;
            }
        }
        return false;
    }

    /** Shannon entropy of the characters, in bits per character. */
    static double entropy(String value) {
        if (value.isEmpty()) {
            return 0;
        }
        java.util.Map<Character, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < value.length(); i++) {
            counts.merge(value.charAt(i), 1, Integer::sum);
        }
        double bits = 0;
        for (int count : counts.values()) {
            double p = (double) count / value.length();
            bits -= p * (Math.log(p) / Math.log(2));
        }
        return bits;
    }

    static String unquote(String raw) {
        String value = raw;
        while (!value.isEmpty() && "\"'`".indexOf(value.charAt(0)) >= 0) {
            value = value.substring(1);
        }
        while (!value.isEmpty() && "\"'`".indexOf(value.charAt(value.length() - 1)) >= 0) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }

    private static String trimPadding(String body) {
        int end = body.length();
        while (end > 0 && (body.charAt(end - 1) == '.' || body.charAt(end - 1) == '=')) {
            end--;
        }
        return body.substring(0, end);
    }

    private static boolean hasDigit(String value) {
        return value.chars().anyMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean hasUpper(String value) {
        return value.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
    }

    private static boolean hasLower(String value) {
        return value.chars().anyMatch(c -> c >= 'a' && c <= 'z');
    }
}
