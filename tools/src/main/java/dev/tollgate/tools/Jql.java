package dev.tollgate.tools;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JQL guard: an agent's query is kept inside the one JIRA project the policy decided on. The
 * agent's conditions are checked by a lexer that knows JQL's strings (double or single quoted,
 * backslash escapes) and parentheses, and are sent only inside parentheses after
 * {@code project = "KEY" AND}: with every parenthesis balanced and none closing more than it
 * opened, nothing the agent writes can leave that group, so the query can only narrow the
 * project. An {@code ORDER BY} at the top level is kept apart and must be a list of fields, each
 * optionally {@code ASC} or {@code DESC}. The executor also drops any answer outside the project,
 * so a disagreement between this lexer and JIRA's could still not reveal another project.
 */
public final class Jql {

    /** Longest query accepted. */
    public static final int MAX_LENGTH = 4096;

    private static final Pattern ORDER_BY = Pattern.compile("(?i)\\border\\s+by\\b");
    private static final Pattern ORDER_ITEM = Pattern.compile(
            "(?i)\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|[A-Za-z0-9_.\\[\\]]+)"
                    + "(\\s+(asc|desc))?\\s*");

    private Jql() {
    }

    /** A query split into its conditions and its ordering (null: none given). */
    record Parts(String where, String orderBy) {
    }

    /**
     * The agent's query, checked and trimmed (the {@code jql} argument's normalizer).
     *
     * @throws InvalidArgumentException naming what is wrong, when it is not a query the guard
     *     can keep inside a project
     */
    public static String check(String field, String value) {
        split(field, value);
        return value.strip();
    }

    /** The query JIRA is sent: the agent's conditions inside {@code project}, then its order. */
    public static String narrow(String projectKey, String jql) {
        Parts parts = split("jql", jql == null ? "" : jql);
        StringBuilder narrowed = new StringBuilder("project = \"").append(projectKey).append('"');
        if (!parts.where().isBlank()) {
            narrowed.append(" AND (").append(parts.where().strip()).append(')');
        }
        narrowed.append(" ORDER BY ").append(parts.orderBy() == null
                ? "created DESC"
                : parts.orderBy().strip());
        return narrowed.toString();
    }

    static Parts split(String field, String value) {
        if (value.length() > MAX_LENGTH) {
            throw new InvalidArgumentException(field, "must be at most " + MAX_LENGTH
                    + " characters");
        }
        int depth = 0;
        int orderAt = -1;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                throw new InvalidArgumentException(field, "must not contain control characters");
            }
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '"', '\'' -> quote = c;
                case '(' -> {
                    checkFunction(field, value, i);
                    depth++;
                }
                case ')' -> {
                    if (--depth < 0) {
                        throw new InvalidArgumentException(field, "has a ')' at character "
                                + (i + 1) + " that closes nothing: the query must stay inside"
                                + " the project it names");
                    }
                }
                case '\\' -> throw new InvalidArgumentException(field, "has a backslash outside"
                        + " quotes (character " + (i + 1) + "): quote the value instead");
                default -> {
                    if (depth == 0 && orderAt < 0 && (c == 'o' || c == 'O') && ORDER_BY.matcher(
                            value).region(i, value.length()).lookingAt() && (i == 0
                                    || !isWordCharacter(value.charAt(i - 1)))) {
                        orderAt = i;
                    }
                }
            }
        }
        if (quote != 0) {
            throw new InvalidArgumentException(field, "has a " + quote + " that is never closed");
        }
        if (depth != 0) {
            throw new InvalidArgumentException(field, "has " + depth + " '(' never closed");
        }
        if (orderAt < 0) {
            return new Parts(value, null);
        }
        var by = ORDER_BY.matcher(value);
        by.find(orderAt);
        String order = value.substring(by.end());
        checkOrder(field, order);
        return new Parts(value.substring(0, orderAt), order);
    }

    /** Words after which a parenthesis groups or lists, rather than calling a function. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "was", "is",
            "changed", "from", "to", "by", "during", "on", "after", "before");

    /**
     * JIRA's own functions that answer a value or a list about the caller, dates, sprints,
     * versions, users or one issue's links: none runs a query of its own. Any other function is
     * refused, above all those of apps (ScriptRunner's {@code linkedIssuesOf("a JQL query")} and
     * its kind) that take a query and would test conditions on other projects' issues.
     */
    static final Set<String> FUNCTIONS = Set.of("currentuser", "currentlogin", "lastlogin",
            "now", "startofday", "startofweek", "startofmonth", "startofyear", "endofday",
            "endofweek", "endofmonth", "endofyear", "membersof", "opensprints", "closedsprints",
            "futuresprints", "releasedversions", "unreleasedversions", "latestreleasedversion",
            "earliestunreleasedversion", "componentsleadbyuser", "issuehistory", "votedissues",
            "watchedissues", "linkedissues", "updatedby", "standardissuetypes",
            "subtaskissuetypes", "cascadeoption");

    /**
     * What precedes the parenthesis at {@code at}, read as JIRA's lexer reads it, must be a
     * keyword, an operator, another parenthesis, a comma or nothing (a group or a list), or the
     * name of one of JIRA's own functions. JIRA takes any string as a function's name: an unquoted
     * one (every character but JQL's whitespace, quotes, operators, brackets and reserved
     * characters, so {@code a-b:now} is one name), a quoted one ({@code "linkedIssuesOf"(...)}) or
     * a number; only the first can be one of {@link #FUNCTIONS}.
     */
    private static void checkFunction(String field, String value, int at) {
        int end = at;
        while (end > 0 && isJqlWhitespace(value.charAt(end - 1))) {
            end--;
        }
        if (end == 0 || GROUP_AFTER.indexOf(value.charAt(end - 1)) >= 0) {
            return;
        }
        char before = value.charAt(end - 1);
        if (before == '"' || before == '\'') {
            throw new InvalidArgumentException(field, "has a quoted string before the '(' at"
                    + " character " + (at + 1) + ", which JIRA reads as a function's name: call"
                    + " only JIRA's own functions, by their plain names "
                    + new java.util.TreeSet<>(FUNCTIONS));
        }
        int start = end;
        while (start > 0 && isUnquotedCharacter(value.charAt(start - 1))) {
            start--;
        }
        String word = value.substring(start, end).toLowerCase(Locale.ROOT);
        if (word.isEmpty()) {
            throw new InvalidArgumentException(field, "has a '(' at character " + (at + 1)
                    + " after '" + before + "', which opens neither a group nor a list");
        }
        if (KEYWORDS.contains(word)) {
            return;
        }
        if (!FUNCTIONS.contains(word)) {
            throw new InvalidArgumentException(field, "calls " + value.substring(start, end)
                    + "(), which is not one of JIRA's own functions the gateway allows (a"
                    + " function may run a query of its own, outside the project): "
                    + new java.util.TreeSet<>(FUNCTIONS));
        }
    }

    /** Characters after which a parenthesis opens a group or a list, never a function's call. */
    private static final String GROUP_AFTER = "(),[]=!<>~&|";

    /** JQL's whitespace: space, tab and line breaks only (its lexer's {@code WS}). */
    private static boolean isJqlWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /**
     * Whether JIRA's lexer keeps {@code c} inside an unquoted string: anything but JQL's
     * whitespace, control characters, quotes, backslashes, operators, parentheses, brackets,
     * commas and reserved characters ({@code STRINGSTOP} and {@code RESERVED_CHARS} in its
     * grammar).
     */
    private static boolean isUnquotedCharacter(char c) {
        return !isJqlWhitespace(c) && !Character.isISOControl(c) && "\"'\\=!<>()~,[]|&{}*/%+^$#@?;"
                .indexOf(c) < 0;
    }

    private static boolean isWordCharacter(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }

    private static void checkOrder(String field, String order) {
        String[] items = splitOutsideQuotes(order);
        for (String item : items) {
            if (!ORDER_ITEM.matcher(item).matches()) {
                throw new InvalidArgumentException(field, "has an ORDER BY that is not a list of"
                        + " fields, each optionally ASC or DESC: '" + item.strip() + "'");
            }
        }
    }

    /** {@code order} split at the commas outside quotes. */
    private static String[] splitOutsideQuotes(String order) {
        java.util.List<String> items = new java.util.ArrayList<>();
        int start = 0;
        char quote = 0;
        for (int i = 0; i < order.length(); i++) {
            char c = order.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ',') {
                items.add(order.substring(start, i));
                start = i + 1;
            }
        }
        items.add(order.substring(start));
        return items.toArray(String[]::new);
    }

    /** A JIRA project key, upper-cased: a letter, then letters, digits or underscores. */
    public static String projectKey(String field, String value) {
        if (!value.matches("[A-Za-z][A-Za-z0-9_]{0,254}")) {
            throw new InvalidArgumentException(field, "is not a JIRA project key: a letter, then"
                    + " letters, digits or '_', e.g. PROJ");
        }
        return value.toUpperCase(Locale.ROOT);
    }

    /** A JIRA issue key, upper-cased: {@code PROJ-123}. */
    public static String issueKey(String field, String value) {
        if (!value.matches("[A-Za-z][A-Za-z0-9_]{0,254}-[1-9][0-9]{0,17}")) {
            throw new InvalidArgumentException(field, "is not a JIRA issue key: the project's"
                    + " key, '-' and the issue's number, e.g. PROJ-123");
        }
        return value.toUpperCase(Locale.ROOT);
    }

    /** A JIRA label: JIRA refuses spaces in one. */
    public static String label(String field, String value) {
        if (value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new InvalidArgumentException(field, "is not a JIRA label: labels have no"
                    + " spaces");
        }
        if (value.toLowerCase(Locale.ROOT).startsWith(GATEWAY_LABEL_PREFIX)) {
            throw new InvalidArgumentException(field, "'" + value + "': labels starting "
                    + GATEWAY_LABEL_PREFIX + " are the gateway's own (they mark which request"
                    + " created an issue)");
        }
        return value;
    }

    /** The prefix of the label the gateway marks a created issue with; agents may not set it. */
    public static final String GATEWAY_LABEL_PREFIX = "tollgate-request-";

    /** The project key of an issue key ({@code PROJ} of {@code PROJ-123}). */
    public static String projectOf(String issueKey) {
        return issueKey.substring(0, issueKey.lastIndexOf('-'));
    }

    /** The number of an issue key ({@code 123} of {@code PROJ-123}). */
    public static long numberOf(String issueKey) {
        return Long.parseLong(issueKey.substring(issueKey.lastIndexOf('-') + 1));
    }
}
