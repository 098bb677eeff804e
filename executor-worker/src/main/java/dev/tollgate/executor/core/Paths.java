package dev.tollgate.executor.core;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Builds GitHub API paths from untrusted names without letting them change the path. */
public final class Paths {

    /** GitHub owner and repository names: letters, digits, '-', '_', '.'; never '.' or '..'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

    private Paths() {
    }

    /** An owner or repository name as one path segment; refuses anything else. */
    public static String segment(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals(
                "..")) {
            throw new IllegalArgumentException("not a GitHub owner or repository name: " + name);
        }
        return name;
    }

    /** Percent-encodes one path segment (branch names, file path parts). */
    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Encodes a file path for the contents API, keeping '/' and refusing traversal. */
    public static String filePath(String path) {
        if (path == null || path.isEmpty()) {
            return "";
        }
        StringBuilder encoded = new StringBuilder();
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("not a repository file path: " + path);
            }
            if (!encoded.isEmpty()) {
                encoded.append('/');
            }
            encoded.append(encode(part));
        }
        return encoded.toString();
    }
}
