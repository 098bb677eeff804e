package dev.tollgate.tools;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's naming rules and Tollgate's path rules, as normalizing checks. Each returns the
 * normalized value or throws {@link InvalidArgumentException} naming the field and the rule.
 */
public final class Names {

    /** Alphanumerics and single hyphens, not at either end, 1 to 39 characters (GitHub's rule). */
    private static final Pattern OWNER = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}");
    /** Letters, digits, '.', '-', '_'; at most 100 characters (GitHub's rule). */
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    /**
     * A Forgejo/Gitea user or organization name: letters, digits, '-', '_' and '.', starting and
     * ending with a letter or digit, at most 40 characters (Forgejo's rule).
     */
    private static final Pattern FORGEJO_OWNER = Pattern.compile(
            "[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?");
    /**
     * A GitLab project's full path: its namespace (a group, its subgroups, or a user) and its
     * name, 2 to 21 segments of letters, digits, '_', '-' and '.', each starting with a letter,
     * digit or '_' (GitLab's rule).
     */
    private static final Pattern GITLAB_PROJECT = Pattern.compile(
            "[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}(?:/[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}){1,20}");
    /** A route under a GitLab project: segments of what GitLab's routes use. */
    private static final Pattern GITLAB_ROUTE = Pattern.compile(
            "[A-Za-z0-9_][A-Za-z0-9._-]{0,254}(?:/[A-Za-z0-9_][A-Za-z0-9._-]{0,254}){0,9}");
    /** A host name (DNS labels, lower case) with an optional port: where a forge is served. */
    private static final Pattern HOST = Pattern.compile(
            "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
                    + "(?::[0-9]{1,5})?");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");
    private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Path segments of a REST path: what GitHub's repository routes use. */
    private static final Pattern API_SEGMENT = Pattern.compile("[A-Za-z0-9._~@+=,-]{1,255}");

    public static final int MAX_PATH_LENGTH = 4096;
    public static final int MAX_REF_LENGTH = 255;

    /** The longest search query GitHub accepts (qualifiers and operators aside). */
    public static final int MAX_SEARCH_QUERY = 256;

    /**
     * Qualifiers that choose where GitHub searches (the gateway sets that scope itself), found
     * anywhere, whatever precedes them: a word that merely ends so ({@code myrepo:}) is refused
     * too rather than guessing how GitHub splits a query.
     */
    private static final Pattern SCOPE_QUALIFIER = Pattern.compile(
            "(?i)(repo|org|user|owner|enterprise|repository_id|fork)\\s*:");

    private Names() {
    }

    /** A user or organization login, lower-cased (GitHub compares them case-insensitively). */
    public static String owner(String field, String value) {
        if (!OWNER.matcher(value).matches()) {
            throw new InvalidArgumentException(field, "is not a valid GitHub owner: use 1 to 39 "
                    + "letters, digits or single hyphens, not starting or ending with a hyphen");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /** A Forgejo/Gitea user or organization name, lower-cased (Forgejo compares them so). */
    public static String forgejoOwner(String field, String value) {
        if (!FORGEJO_OWNER.matcher(value).matches() || value.contains("..")) {
            throw new InvalidArgumentException(field, "is not a valid Forgejo owner: use 1 to 40"
                    + " letters, digits, '-', '_' or '.', starting and ending with a letter or"
                    + " digit");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /** A GitLab project's full path ({@code group/subgroup/project}), lower-cased. */
    public static String gitlabProject(String field, String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (value.length() > 255 || !GITLAB_PROJECT.matcher(value).matches() || lower.endsWith(
                ".git") || lower.endsWith(".atom") || value.contains("..")) {
            throw new InvalidArgumentException(field, "is not a GitLab project path: write its"
                    + " full path, group/project or group/subgroup/project (letters, digits,"
                    + " '_', '-', '.'; no .git)");
        }
        return lower;
    }

    /**
     * A route under a GitLab project ({@code merge_requests/3/notes}): no leading slash, query,
     * encoding or traversal.
     */
    public static String gitlabRoute(String field, String value) {
        if (!GITLAB_ROUTE.matcher(value).matches() || value.contains("..")) {
            throw new InvalidArgumentException(field, "is not a route under the project: write"
                    + " e.g. merge_requests/3/notes (no leading /, query, %-encoding or ..;"
                    + " read files with gitlab_get_file)");
        }
        return value;
    }

    /**
     * The host a forge is served at, lower-cased: a DNS name with an optional port, no scheme,
     * path or credentials ({@code codeberg.org}, {@code git.example.com:3000}).
     */
    public static String host(String field, String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.length() > 253 || !HOST.matcher(lower).matches()) {
            throw new InvalidArgumentException(field, "is not a host name: give the forge's host"
                    + " as the policy names it, e.g. codeberg.org (no scheme, path or user)");
        }
        return lower;
    }

    /** A repository name, lower-cased (GitHub compares them case-insensitively). */
    public static String repo(String field, String value) {
        if (!REPO.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new InvalidArgumentException(field, "is not a valid GitHub repository name: "
                    + "use 1 to 100 letters, digits, '.', '-' or '_' (not '.' or '..')");
        }
        if (value.toLowerCase(Locale.ROOT).endsWith(".git")) {
            throw new InvalidArgumentException(field,
                    "must be the repository name without the '.git' suffix");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /**
     * A file path inside a repository: relative, '/'-separated, no '.' or '..' segments, no empty
     * segments, no backslashes, control characters or NUL, and no percent-encoded separators or
     * traversal.
     */
    public static String filePath(String field, String value) {
        if (value.isEmpty()) {
            throw new InvalidArgumentException(field, "must not be empty");
        }
        if (value.length() > MAX_PATH_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_PATH_LENGTH
                    + " characters");
        }
        checkNoControlCharacters(field, value);
        if (value.indexOf('\\') >= 0) {
            throw new InvalidArgumentException(field,
                    "must not contain backslashes: separate directories with '/'");
        }
        if (value.startsWith("/") || value.matches("^[A-Za-z]:.*")) {
            throw new InvalidArgumentException(field,
                    "must be relative to the repository root (no leading '/')");
        }
        checkNoEncodedTraversal(field, value);
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new InvalidArgumentException(field,
                        "must not contain empty segments ('//' or a trailing '/')");
            }
            if (segment.equals("..") || segment.equals(".")) {
                throw new InvalidArgumentException(field,
                        "must not contain '.' or '..' segments (no path traversal)");
            }
        }
        return value;
    }

    /**
     * A pull request's head as GitHub takes it: a branch of the base repository, or
     * {@code owner:branch} for a branch in another repository of the network (a fork). The owner
     * is lower-cased; the branch follows {@link #gitRef}.
     */
    public static String pullRequestHead(String field, String value) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            return gitRef(field, value);
        }
        if (colon == 0) {
            throw new InvalidArgumentException(field, "names no owner before ':': use a branch "
                    + "or owner:branch");
        }
        return owner(field, value.substring(0, colon)) + ":" + gitRef(field, value.substring(
                colon + 1));
    }

    /** A branch or tag name following git's check-ref-format rules. */
    public static String gitRef(String field, String value) {
        if (value.isEmpty() || value.length() > MAX_REF_LENGTH) {
            throw new InvalidArgumentException(field, "must be 1 to " + MAX_REF_LENGTH
                    + " characters");
        }
        checkNoControlCharacters(field, value);
        checkNoEncodedTraversal(field, value);
        if (value.startsWith("/") || value.endsWith("/") || value.contains("//")
                || value.contains("..") || value.contains("@{") || value.equals("@")
                || value.endsWith(".") || value.endsWith(".lock") || value.startsWith("-")
                || value.chars().anyMatch(c -> c == ' ' || "~^:?*[\\".indexOf(c) >= 0)) {
            throw new InvalidArgumentException(field, "is not a valid git ref name: no '..', "
                    + "spaces, '~^:?*[\\', '@{', leading '-' or '/', trailing '/', '.' or '.lock'");
        }
        for (String segment : value.split("/")) {
            if (segment.startsWith(".")) {
                throw new InvalidArgumentException(field,
                        "is not a valid git ref name: no segment may start with '.'");
            }
        }
        if (value.startsWith("refs/")) {
            throw new InvalidArgumentException(field,
                    "must be a short branch or tag name, without 'refs/'");
        }
        return value;
    }

    /** A branch an agent may write, by {@link BranchRule}: a valid ref named agent-... */
    public static String agentBranch(String field, String value) {
        String ref = gitRef(field, value);
        if (!BranchRule.isAgentBranch(ref)) {
            throw new InvalidArgumentException(field, "must name a branch starting with '"
                    + BranchRule.AGENT_PREFIX + "' (agents only write their own branches)");
        }
        return ref;
    }

    /** A full commit SHA (40 hex digits, or 64 in SHA-256 repositories), lower-cased. */
    public static String commitSha(String field, String value) {
        if (!SHA.matcher(value).matches()) {
            throw new InvalidArgumentException(field,
                    "must be a full commit SHA (40 hexadecimal digits)");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /**
     * A search query for one repository: free text and qualifiers that narrow it (such as
     * {@code path:}, {@code language:}, {@code is:open}, {@code label:}), but no qualifier that
     * chooses where to search ({@code repo:}, {@code org:}, {@code user:}, ...), which the gateway
     * adds itself; no control characters.
     */
    public static String searchQuery(String field, String value) {
        checkNoControlCharacters(field, value);
        String trimmed = value.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_SEARCH_QUERY) {
            throw new InvalidArgumentException(field, "must be 1 to " + MAX_SEARCH_QUERY
                    + " characters");
        }
        Matcher scope = SCOPE_QUALIFIER.matcher(trimmed);
        if (scope.find()) {
            throw new InvalidArgumentException(field, "must not choose where to search ('"
                    + scope.group(1).toLowerCase(Locale.ROOT) + ":'): the gateway searches the "
                    + "owner and repo you name, and only them");
        }
        return trimmed;
    }

    /** A request ID as the gateway hands them out (a UUID), lower-cased. */
    public static String requestId(String field, String value) {
        if (!UUID.matcher(value).matches()) {
            throw new InvalidArgumentException(field,
                    "must be a request ID as returned by an earlier call (a UUID)");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /**
     * A read-only REST path under one repository: {@code /repos/{owner}/{repo}[/...]}, no query
     * string (pass it in {@code query}), no traversal. Owner and repository are normalized.
     */
    public static String apiPath(String field, String value) {
        return apiPath(field, value, Names::owner);
    }

    /** {@link #apiPath(String, String)} on a Forgejo/Gitea server: its owner names. */
    public static String forgejoApiPath(String field, String value) {
        return apiPath(field, value, Names::forgejoOwner);
    }

    private static String apiPath(String field, String value,
            java.util.function.BinaryOperator<String> ownerRule) {
        checkNoControlCharacters(field, value);
        if (value.indexOf('\\') >= 0) {
            throw new InvalidArgumentException(field, "must not contain backslashes");
        }
        checkNoEncodedTraversal(field, value);
        if (value.contains("?") || value.contains("#")) {
            throw new InvalidArgumentException(field,
                    "must not carry a query string or fragment: pass parameters in 'query'");
        }
        if (!value.startsWith("/repos/")) {
            throw new InvalidArgumentException(field, "must start with /repos/{owner}/{repo}: "
                    + "the passthrough only reads repositories");
        }
        String[] segments = value.substring(1).split("/", -1);
        if (segments.length < 3) {
            throw new InvalidArgumentException(field, "must start with /repos/{owner}/{repo}");
        }
        StringBuilder normalized = new StringBuilder("/repos/")
                .append(ownerRule.apply(field, segments[1])).append('/').append(repo(field,
                        segments[2]));
        for (int i = 3; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.equals("..") || segment.equals(".")) {
                throw new InvalidArgumentException(field,
                        "must not contain '.' or '..' segments (no path traversal)");
            }
            if (!API_SEGMENT.matcher(segment).matches()) {
                throw new InvalidArgumentException(field, "segment " + (i + 1)
                        + " is empty or has characters a GitHub REST path does not use");
            }
            normalized.append('/').append(segment);
        }
        return normalized.toString();
    }

    /** The owner and repository of a normalized {@link #apiPath}. */
    public static String[] ownerAndRepoOfApiPath(String normalizedApiPath) {
        String[] segments = normalizedApiPath.substring(1).split("/");
        return new String[]{segments[1], segments[2]};
    }

    private static void checkNoControlCharacters(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new InvalidArgumentException(field, "must not contain NUL characters");
            }
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidArgumentException(field,
                        "must not contain control characters");
            }
        }
    }

    /**
     * Refuses percent-escapes that decode (once or repeatedly) to a separator, a dot, a backslash,
     * a percent sign or a control character: encoded traversal such as {@code %2e%2e%2f} or
     * {@code %252e}. Each valid escape is judged on its own, so an invalid one elsewhere in the
     * value ({@code %zz}) hides nothing.
     */
    private static void checkNoEncodedTraversal(String field, String value) {
        String current = value;
        for (int round = 0; round < 3 && PERCENT_ESCAPE.matcher(current).find(); round++) {
            java.io.ByteArrayOutputStream decoded = new java.io.ByteArrayOutputStream();
            int i = 0;
            while (i < current.length()) {
                char c = current.charAt(i);
                if (c == '%' && i + 2 < current.length()
                        && isHex(current.charAt(i + 1)) && isHex(current.charAt(i + 2))) {
                    int octet = Integer.parseInt(current.substring(i + 1, i + 3), 16);
                    if (octet == '.' || octet == '/' || octet == '\\' || octet == '%'
                            || octet < 0x20 || octet == 0x7f) {
                        throw new InvalidArgumentException(field, "must not contain "
                                + "percent-encoded dots, separators, percent signs or control "
                                + "characters (encoded path traversal)");
                    }
                    decoded.write(octet);
                    i += 3;
                } else {
                    int codePoint = current.codePointAt(i);
                    byte[] bytes = Character.toString(codePoint).getBytes(StandardCharsets.UTF_8);
                    decoded.write(bytes, 0, bytes.length);
                    i += Character.charCount(codePoint);
                }
            }
            current = decoded.toString(StandardCharsets.UTF_8);
        }
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 0x80;
    }
}
