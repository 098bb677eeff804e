package dev.tollgate.decision.policy.load;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two things the TOML parser does not do for us: accept TOML 1.1's multi-line inline tables
 * (service-gator's documented files use them), and say on which line each key is, so that problems
 * found after parsing name their line.
 */
final class TomlText {

    private TomlText() {
    }

    /**
     * Rewrites TOML 1.1 inline tables that span lines (with comments and a trailing comma) as TOML
     * 1.0 one-line tables. The lines swallowed are added back as empty lines after the table, so
     * every later line keeps its number.
     */
    static String toToml10(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int depth = 0;
        int swallowed = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'') {
                int end = stringEnd(text, i);
                out.append(text, i, end);
                i = end;
                continue;
            }
            if (c == '#') {
                int end = text.indexOf('\n', i);
                end = end < 0 ? text.length() : end;
                if (depth == 0) {
                    out.append(text, i, end);
                }
                i = end;
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
                int last = lastNonBlank(out);
                if (last >= 0 && out.charAt(last) == ',') {
                    out.setCharAt(last, ' ');
                }
            } else if (c == '\n' || (c == '\r' && i + 1 < text.length() && text.charAt(
                    i + 1) == '\n')) {
                int width = c == '\r' ? 2 : 1;
                if (depth > 0) {
                    out.append(' ');
                    swallowed++;
                } else {
                    out.append('\n');
                    while (swallowed > 0) {
                        out.append('\n');
                        swallowed--;
                    }
                }
                i += width;
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static int lastNonBlank(StringBuilder out) {
        for (int k = out.length() - 1; k >= 0; k--) {
            if (!Character.isWhitespace(out.charAt(k))) {
                return k;
            }
        }
        return -1;
    }

    /** The index just after the string starting at {@code start}. */
    private static int stringEnd(String text, int start) {
        char quote = text.charAt(start);
        boolean triple = text.startsWith(String.valueOf(quote).repeat(3), start);
        if (triple) {
            int end = text.indexOf(String.valueOf(quote).repeat(3), start + 3);
            return end < 0 ? text.length() : end + 3;
        }
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\' && quote == '"') {
                i += 2;
                continue;
            }
            if (c == quote || c == '\n') {
                return i + 1;
            }
            i++;
        }
        return text.length();
    }

    private enum Type {
        KEY, EQ, LBRACE, RBRACE, LBRACK, RBRACK, COMMA, DOT, NL, OTHER
    }

    private record Tok(Type type, String text, int line) {
    }

    /** The line of each key, array element and table, as JSON Pointers ({@code /gh/repos/o~1r}). */
    static Map<String, Integer> locations(String text) {
        return new Scanner(tokenize(text)).scan();
    }

    private static List<Tok> tokenize(String text) {
        List<Tok> tokens = new ArrayList<>();
        int line = 1;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> {
                    tokens.add(new Tok(Type.NL, "", line));
                    line++;
                    i++;
                }
                case ' ', '\t', '\r' -> i++;
                case '#' -> {
                    int end = text.indexOf('\n', i);
                    i = end < 0 ? text.length() : end;
                }
                case '"', '\'' -> {
                    int end = stringEnd(text, i);
                    String raw = text.substring(i, end);
                    boolean triple = raw.startsWith(String.valueOf(c).repeat(3));
                    if (triple) {
                        tokens.add(new Tok(Type.OTHER, "", line));
                    } else {
                        String inner = raw.length() >= 2 ? raw.substring(1, raw.length() - 1) : "";
                        if (c == '"') {
                            inner = inner.replace("\\\"", "\"").replace("\\\\", "\\");
                        }
                        tokens.add(new Tok(Type.KEY, inner, line));
                    }
                    line += (int) raw.chars().filter(ch -> ch == '\n').count();
                    i = end;
                }
                case '=' -> {
                    tokens.add(new Tok(Type.EQ, "=", line));
                    i++;
                }
                case '{' -> {
                    tokens.add(new Tok(Type.LBRACE, "{", line));
                    i++;
                }
                case '}' -> {
                    tokens.add(new Tok(Type.RBRACE, "}", line));
                    i++;
                }
                case '[' -> {
                    tokens.add(new Tok(Type.LBRACK, "[", line));
                    i++;
                }
                case ']' -> {
                    tokens.add(new Tok(Type.RBRACK, "]", line));
                    i++;
                }
                case ',' -> {
                    tokens.add(new Tok(Type.COMMA, ",", line));
                    i++;
                }
                case '.' -> {
                    tokens.add(new Tok(Type.DOT, ".", line));
                    i++;
                }
                default -> {
                    int start = i;
                    while (i < text.length() && " \t\r\n#\"'={}[],.".indexOf(text.charAt(i)) < 0) {
                        i++;
                    }
                    tokens.add(new Tok(Type.KEY, text.substring(start, i), line));
                }
            }
        }
        return tokens;
    }

    private static final class Scanner {
        private final List<Tok> tokens;
        private final Map<String, Integer> lines = new HashMap<>();
        private final Map<String, Integer> arrayTables = new HashMap<>();
        private int pos;

        Scanner(List<Tok> tokens) {
            this.tokens = tokens;
        }

        Map<String, Integer> scan() {
            List<Object> table = List.of();
            while (pos < tokens.size()) {
                Tok tok = tokens.get(pos);
                if (tok.type() == Type.LBRACK) {
                    boolean array = pos + 1 < tokens.size() && tokens.get(pos + 1)
                            .type() == Type.LBRACK;
                    pos += array ? 2 : 1;
                    List<Object> key = resolve(dottedKey());
                    if (array) {
                        String pointer = pointer(key);
                        int index = arrayTables.merge(pointer, 1, Integer::sum) - 1;
                        record(key, tok.line());
                        List<Object> element = new ArrayList<>(key);
                        element.add(index);
                        table = element;
                    } else {
                        table = key;
                    }
                    record(table, tok.line());
                    skipToNewline();
                } else if (tok.type() == Type.KEY) {
                    List<Object> key = concat(table, dottedKey());
                    record(key, tok.line());
                    if (peek(Type.EQ)) {
                        pos++;
                        value(key);
                    }
                    skipToNewline();
                } else {
                    pos++;
                }
            }
            return lines;
        }

        private void value(List<Object> path) {
            skipNewlines();
            if (pos >= tokens.size()) {
                return;
            }
            Tok tok = tokens.get(pos);
            if (tok.type() == Type.LBRACE) {
                pos++;
                while (pos < tokens.size()) {
                    skipNewlines();
                    if (pos >= tokens.size() || peek(Type.RBRACE)) {
                        pos++;
                        return;
                    }
                    if (peek(Type.COMMA)) {
                        pos++;
                        continue;
                    }
                    if (peek(Type.KEY)) {
                        int line = tokens.get(pos).line();
                        List<Object> key = concat(path, dottedKey());
                        record(key, line);
                        if (peek(Type.EQ)) {
                            pos++;
                            value(key);
                        }
                    } else {
                        pos++;
                    }
                }
            } else if (tok.type() == Type.LBRACK) {
                pos++;
                int index = 0;
                while (pos < tokens.size()) {
                    skipNewlines();
                    if (pos >= tokens.size() || peek(Type.RBRACK)) {
                        pos++;
                        return;
                    }
                    if (peek(Type.COMMA)) {
                        index++;
                        pos++;
                        continue;
                    }
                    List<Object> element = concat(path, List.of(index));
                    record(element, tokens.get(pos).line());
                    value(element);
                }
            } else {
                while (pos < tokens.size() && !peek(Type.COMMA) && !peek(Type.RBRACE) && !peek(
                        Type.RBRACK) && !peek(Type.NL)) {
                    pos++;
                }
            }
        }

        /** [a.b] after [[a]] means b in the last a: insert the index of each array table. */
        private List<Object> resolve(List<Object> key) {
            List<Object> resolved = new ArrayList<>();
            for (int i = 0; i < key.size(); i++) {
                resolved.add(key.get(i));
                Integer count = arrayTables.get(pointer(resolved));
                if (count != null && i < key.size() - 1) {
                    resolved.add(count - 1);
                }
            }
            return resolved;
        }

        private List<Object> dottedKey() {
            List<Object> key = new ArrayList<>();
            while (pos < tokens.size()) {
                Tok tok = tokens.get(pos);
                if (tok.type() == Type.KEY) {
                    key.add(tok.text());
                    pos++;
                } else if (tok.type() == Type.DOT) {
                    pos++;
                } else {
                    break;
                }
            }
            if (peek(Type.RBRACK)) {
                pos++;
                if (peek(Type.RBRACK)) {
                    pos++;
                }
            }
            return key;
        }

        private boolean peek(Type type) {
            return pos < tokens.size() && tokens.get(pos).type() == type;
        }

        private void skipNewlines() {
            while (peek(Type.NL)) {
                pos++;
            }
        }

        private void skipToNewline() {
            while (pos < tokens.size() && !peek(Type.NL)) {
                pos++;
            }
        }

        private void record(List<Object> path, int line) {
            lines.putIfAbsent(pointer(path), line);
        }

        private static List<Object> concat(List<Object> a, List<Object> b) {
            List<Object> all = new ArrayList<>(a);
            all.addAll(b);
            return all;
        }
    }

    /** A JSON Pointer for a path of keys and array indices. */
    static String pointer(List<Object> path) {
        StringBuilder out = new StringBuilder();
        for (Object segment : path) {
            out.append('/').append(segment.toString().replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }
}
