package dev.tollgate.executor.core.handlers;

/**
 * A text's lines, numbered from 1: a line ends after its {@code \n} (which it keeps, as a
 * {@code \r} before it), the last one at the end of the text. Empty text has no lines.
 */
final class TextLines {

    private final String text;
    /** Where each line starts, and the text's length after the last. */
    private final int[] starts;

    TextLines(String text) {
        this.text = text;
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                count++;
            }
        }
        boolean openLast = !text.isEmpty() && text.charAt(text.length() - 1) != '\n';
        starts = new int[count + (openLast ? 1 : 0) + 1];
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && line < starts.length) {
                starts[line++] = i + 1;
            }
        }
        starts[starts.length - 1] = text.length();
    }

    /** How many lines. */
    int count() {
        return starts.length - 1;
    }

    /** Lines {@code first} to {@code last}, inclusive, as they are in the text. */
    String slice(long first, long last) {
        if (first > last) {
            return "";
        }
        return text.substring(starts[(int) first - 1], starts[(int) last]);
    }

    /** Bytes lines {@code first} to {@code last} take as a JSON string's content. */
    long jsonBytes(long first, long last) {
        return first > last
                ? 0
                : Narrowing.jsonBytes(text, starts[(int) first - 1], starts[(int) last]);
    }

    /**
     * The last line such that lines {@code first} to it take at most {@code room} bytes as JSON;
     * {@code first - 1} when not even line {@code first} does.
     */
    long lastFitting(long first, long room) {
        long used = 0;
        long line = first;
        while (line <= count()) {
            used += jsonBytes(line, line);
            if (used > room) {
                break;
            }
            line++;
        }
        return line - 1;
    }

    /**
     * The first line such that it and every line after it up to {@code last} take at most
     * {@code room} bytes as JSON; {@code last + 1} when not even line {@code last} does.
     */
    long firstFittingBackwards(long last, long room) {
        long used = 0;
        long line = last;
        while (line >= 1) {
            used += jsonBytes(line, line);
            if (used > room) {
                break;
            }
            line--;
        }
        return line + 1;
    }
}
