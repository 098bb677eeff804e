package dev.tollgate.tools;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * One argument of a tool: its JSON schema and its normalizing check come from the same
 * declaration, so the advertised schema and the enforced rules cannot drift apart.
 */
public sealed interface Param permits Param.Str, Param.Int, Param.Bool, Param.Arr, Param.Obj,
        Param.StrMap {

    String name();

    String description();

    boolean required();

    /** The JSON schema of this argument (an ordered map, ready to serialize). */
    Map<String, Object> schema();

    /** Checks and normalizes a present (non-null) value; {@code path} names it in errors. */
    Object normalize(String path, Object value);

    /** The value used when the argument is absent, or null. */
    default Object defaultValue() {
        return null;
    }

    /** How a string argument is checked and normalized. */
    enum Format {
        /** Free text: only length is checked. */
        TEXT(null, 65_536, (field, value) -> value),
        /**
         * What an agent writes (a body, a pushed file): free text, only length is checked; kept
         * forever only as its proof ({@link WithheldContent}), travelling in full only on a topic
         * that forgets.
         */
        CONTENT(null, 1_000_000, (field, value) -> value),
        /** A user or organization login. */
        OWNER("^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$", 39, Names::owner),
        /** A Forgejo/Gitea user or organization name. */
        FORGEJO_OWNER("^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$", 40,
                Names::forgejoOwner),
        /** The host a forge is served at (no scheme, path or user). */
        HOST("^[A-Za-z0-9.:-]+$", 253, Names::host),
        /** A GitLab project's full path, group/subgroup/project. */
        GITLAB_PROJECT(null, 255, Names::gitlabProject),
        /** A route under a GitLab project, e.g. merge_requests/3/notes. */
        GITLAB_ROUTE(null, 2048, Names::gitlabRoute),
        /** A JIRA project key, e.g. PROJ. */
        JIRA_PROJECT("^[A-Za-z][A-Za-z0-9_]*$", 255, Jql::projectKey),
        /** A JIRA issue key, e.g. PROJ-123. */
        JIRA_ISSUE_KEY("^[A-Za-z][A-Za-z0-9_]*-[1-9][0-9]*$", 274, Jql::issueKey),
        /** A JIRA label: no spaces. */
        JIRA_LABEL("^[^\\s]+$", 255, Jql::label),
        /** JQL conditions (and ordering) the gateway keeps inside one project. */
        JQL(null, Jql.MAX_LENGTH, Jql::check),
        /** A REST path under /repos/{owner}/{repo} on a Forgejo/Gitea server. */
        FORGEJO_API_PATH("^/repos/", 2048, Names::forgejoApiPath),
        /** A repository name. */
        REPO("^[A-Za-z0-9._-]{1,100}$", 100, Names::repo),
        /** A relative file path inside a repository. */
        FILE_PATH(null, Names.MAX_PATH_LENGTH, Names::filePath),
        /** A branch or tag name. */
        GIT_REF(null, Names.MAX_REF_LENGTH, Names::gitRef),
        /** A pull request's head: a branch, or owner:branch in a fork. */
        PULL_REQUEST_HEAD(null, 40 + Names.MAX_REF_LENGTH, Names::pullRequestHead),
        /** A branch agents may write (agent-*). */
        AGENT_BRANCH("^agent-", Names.MAX_REF_LENGTH, Names::agentBranch),
        /** A full commit SHA. */
        COMMIT_SHA("^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$", 64, Names::commitSha),
        /** A REST path under /repos/{owner}/{repo}. */
        API_PATH("^/repos/", 2048, Names::apiPath),
        /** A search query without qualifiers that choose where to search. */
        SEARCH_QUERY(null, Names.MAX_SEARCH_QUERY, Names::searchQuery),
        /** A request ID the gateway handed out. */
        REQUEST_ID("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                36, Names::requestId);

        private final String pattern;
        private final int maxLength;
        private final BiFunction<String, String, String> normalizer;

        Format(String pattern, int maxLength, BiFunction<String, String, String> normalizer) {
            this.pattern = pattern;
            this.maxLength = maxLength;
            this.normalizer = normalizer;
        }
    }

    static String typeName(Object value) {
        return switch (value) {
            case String s -> "string";
            case Boolean b -> "boolean";
            case Number n -> "number";
            case Map<?, ?> m -> "object";
            case List<?> l -> "array";
            default -> value.getClass().getSimpleName();
        };
    }

    /** A string argument. */
    record Str(String name, String description, boolean required, Format format, int minLength,
            int maxLength, List<String> allowed, String defaultValue) implements Param {

        public Str {
            allowed = allowed == null ? List.of() : List.copyOf(allowed);
        }

        public static Str required(String name, Format format, String description) {
            return new Str(name, description, true, format, 1, format.maxLength, null, null);
        }

        public static Str optional(String name, Format format, String description) {
            return new Str(name, description, false, format, 1, format.maxLength, null, null);
        }

        public static Str text(String name, boolean required, int maxLength, String description) {
            return new Str(name, description, required, Format.TEXT, required ? 1 : 0,
                    maxLength, null, null);
        }

        /**
         * What an agent writes: a body, a summary, a file's content. Checked as {@link #text}; on
         * the topics kept forever it is replaced by its proof ({@link WithheldContent}).
         */
        public static Str content(String name, boolean required, int maxLength,
                String description) {
            return new Str(name, description, required, Format.CONTENT, required ? 1 : 0,
                    maxLength, null, null);
        }

        /** True if this argument is what an agent writes ({@link Format#CONTENT}). */
        public boolean content() {
            return format == Format.CONTENT;
        }

        public static Str oneOf(String name, List<String> allowed, String defaultValue,
                String description) {
            return new Str(name, description, false, Format.TEXT, 1, 64, allowed, defaultValue);
        }

        @Override
        public Map<String, Object> schema() {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "string");
            schema.put("description", description);
            if (!allowed.isEmpty()) {
                schema.put("enum", allowed);
            } else {
                schema.put("minLength", minLength);
                schema.put("maxLength", maxLength);
            }
            if (format.pattern != null) {
                schema.put("pattern", format.pattern);
            }
            if (defaultValue != null) {
                schema.put("default", defaultValue);
            }
            return schema;
        }

        @Override
        public Object normalize(String path, Object value) {
            if (!(value instanceof String s)) {
                throw new InvalidArgumentException(path, "must be a string, got "
                        + typeName(value));
            }
            if (!allowed.isEmpty()) {
                if (!allowed.contains(s)) {
                    throw new InvalidArgumentException(path, "must be one of " + allowed);
                }
                return s;
            }
            if (s.length() < minLength) {
                throw new InvalidArgumentException(path, minLength == 1
                        ? "must not be empty"
                        : "must be at least " + minLength + " characters");
            }
            if (s.length() > maxLength) {
                throw new InvalidArgumentException(path, "must be at most " + maxLength
                        + " characters, got " + s.length());
            }
            if (s.indexOf('\0') >= 0) {
                throw new InvalidArgumentException(path, "must not contain NUL characters");
            }
            return format.normalizer.apply(path, s);
        }
    }

    /** An integer argument within [min, max]. */
    record Int(String name, String description, boolean required, long min, long max,
            Long defaultValue) implements Param {

        @Override
        public Map<String, Object> schema() {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "integer");
            schema.put("description", description);
            schema.put("minimum", min);
            schema.put("maximum", max);
            if (defaultValue != null) {
                schema.put("default", defaultValue);
            }
            return schema;
        }

        @Override
        public Object normalize(String path, Object value) {
            long number = switch (value) {
                case Integer i -> i;
                case Long l -> l;
                case Short s -> s;
                case BigInteger b when b.bitLength() < 63 -> b.longValue();
                case BigDecimal d when isIntegral(d) -> d.longValueExact();
                case Double d when d == Math.rint(d) && Math.abs(d) < 1e15 -> d.longValue();
                case Number n -> throw new InvalidArgumentException(path,
                        "must be a whole number between " + min + " and " + max);
                default -> throw new InvalidArgumentException(path, "must be an integer, got "
                        + typeName(value));
            };
            if (number < min || number > max) {
                throw new InvalidArgumentException(path, "must be between " + min + " and "
                        + max + ", got " + number);
            }
            return number;
        }

        private static boolean isIntegral(BigDecimal d) {
            return d.signum() == 0 || d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0
                    && d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0;
        }
    }

    /** A boolean argument. */
    record Bool(String name, String description, Boolean defaultValue) implements Param {

        @Override
        public boolean required() {
            return false;
        }

        @Override
        public Map<String, Object> schema() {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "boolean");
            schema.put("description", description);
            if (defaultValue != null) {
                schema.put("default", defaultValue);
            }
            return schema;
        }

        @Override
        public Object normalize(String path, Object value) {
            if (!(value instanceof Boolean b)) {
                throw new InvalidArgumentException(path, "must be true or false, got "
                        + typeName(value));
            }
            return b;
        }
    }

    /** An array of one kind of item. */
    record Arr(String name, String description, boolean required, Param items, int minItems,
            int maxItems) implements Param {

        @Override
        public Map<String, Object> schema() {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "array");
            schema.put("description", description);
            Map<String, Object> itemSchema = new LinkedHashMap<>(items.schema());
            schema.put("items", itemSchema);
            schema.put("minItems", minItems);
            schema.put("maxItems", maxItems);
            return schema;
        }

        @Override
        public Object normalize(String path, Object value) {
            if (!(value instanceof List<?> list)) {
                throw new InvalidArgumentException(path, "must be an array, got "
                        + typeName(value));
            }
            if (list.size() < minItems || list.size() > maxItems) {
                throw new InvalidArgumentException(path, "must have " + minItems + " to "
                        + maxItems + " items, got " + list.size());
            }
            List<Object> normalized = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                String itemPath = path + "[" + i + "]";
                Object item = list.get(i);
                if (item == null) {
                    throw new InvalidArgumentException(itemPath, "must not be null");
                }
                normalized.add(items.normalize(itemPath, item));
            }
            return List.copyOf(normalized);
        }
    }

    /** An object with declared fields only (additionalProperties: false). */
    record Obj(String name, String description, boolean required, List<Param> fields)
            implements
                Param {

        public Obj {
            fields = List.copyOf(fields);
        }

        @Override
        public Map<String, Object> schema() {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "object");
            if (description != null) {
                schema.put("description", description);
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            List<String> requiredNames = new ArrayList<>();
            for (Param field : fields) {
                properties.put(field.name(), field.schema());
                if (field.required()) {
                    requiredNames.add(field.name());
                }
            }
            schema.put("properties", properties);
            schema.put("required", requiredNames);
            schema.put("additionalProperties", false);
            return schema;
        }

        @Override
        public Object normalize(String path, Object value) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new InvalidArgumentException(path, "must be an object, got "
                        + typeName(value));
            }
            return normalizeFields(path, map);
        }

        /** Normalizes the fields of {@code map}; the result has sorted keys and defaults filled in. */
        public Map<String, Object> normalizeFields(String path, Map<?, ?> map) {
            String prefix = path.isEmpty() ? "" : path + ".";
            for (Object key : map.keySet()) {
                if (fields.stream().noneMatch(field -> field.name().equals(key))) {
                    throw new InvalidArgumentException(prefix + key, "is not an argument of "
                            + (path.isEmpty() ? "this tool" : path) + "; expected "
                            + fields.stream().map(Param::name).toList());
                }
            }
            Map<String, Object> normalized = new TreeMap<>();
            for (Param field : fields) {
                Object value = map.get(field.name());
                String fieldPath = prefix + field.name();
                if (value == null) {
                    if (field.required()) {
                        throw new InvalidArgumentException(fieldPath, "is required");
                    }
                    if (field.defaultValue() != null) {
                        normalized.put(field.name(), field.defaultValue());
                    }
                    continue;
                }
                normalized.put(field.name(), field.normalize(fieldPath, value));
            }
            return normalized;
        }
    }

    /** A flat map of query parameters: names to strings, numbers or booleans (as strings). */
    record StrMap(String name, String description, int maxEntries) implements Param {

        private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\[\\]]{1,64}");

        @Override
        public boolean required() {
            return false;
        }

        @Override
        public Map<String, Object> schema() {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "object");
            schema.put("description", description);
            // anyOf rather than a type array: portable to single-type schema dialects
            schema.put("additionalProperties", Map.of("anyOf", List.of(Map.of("type", "string"),
                    Map.of("type", "number"), Map.of("type", "boolean"))));
            schema.put("maxProperties", maxEntries);
            return schema;
        }

        @Override
        public Object normalize(String path, Object value) {
            if (!(value instanceof Map<?, ?> map)) {
                throw new InvalidArgumentException(path, "must be an object, got "
                        + typeName(value));
            }
            if (map.size() > maxEntries) {
                throw new InvalidArgumentException(path, "must have at most " + maxEntries
                        + " entries");
            }
            Map<String, Object> normalized = new TreeMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                String entryPath = path + "." + key;
                if (!KEY.matcher(key).matches()) {
                    throw new InvalidArgumentException(entryPath,
                            "is not a valid query parameter name");
                }
                Object v = entry.getValue();
                String text = switch (v) {
                    case String s when s.length() <= 256 && s.chars().noneMatch(c -> c < 0x20) -> s;
                    case Boolean b -> b.toString();
                    case Number n -> n.toString();
                    case null, default -> throw new InvalidArgumentException(entryPath,
                            "must be a short string, a number or a boolean");
                };
                normalized.put(key, text);
            }
            return normalized;
        }
    }
}
