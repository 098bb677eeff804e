package dev.tollgate.executor;

import dev.tollgate.executor.ScriptedAnswers.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for JIRA's REST API v2 on loopback, for tests: a small in-memory JIRA, Cloud or
 * Data Center, with one API user, projects, issues in a three-status workflow, comments with
 * properties and JQL search, served under {@code /rest/api/2} with JIRA's field names and its
 * answers to mistakes. Any answer can be scripted ahead of the model ({@link #failNext}), and
 * every request is recorded ({@link #received()}).
 *
 * <p>What it follows, read from JIRA's REST API v2 documentation (Cloud, and Data Center 9.x):
 * <ul>
 * <li><b>Errors</b> are JIRA's {@code {"errorMessages":[...],"errors":{field: message}}}.
 * <li><b>Authentication.</b> Cloud takes {@code Authorization: Basic base64(email:apiToken)},
 * Data Center a personal access token as {@code Authorization: Bearer PAT}. Anything else is
 * 401 {@code You are not authenticated. Authentication required to perform this operation.}
 * <li><b>Service accounts' OAuth 2.0 client credentials</b> ({@link #serviceAccount}): the token
 * endpoint ({@link #tokenUrl()}: Cloud's {@code auth.atlassian.com/oauth/token}, served here
 * at {@code /oauth/token}; Data Center's {@code /rest/oauth2/latest/token}) takes
 * {@code grant_type=client_credentials}, {@code client_id} and {@code client_secret} as a form
 * (Cloud also as JSON) and answers {@code {access_token, token_type: "Bearer", expires_in,
 * scope}}; a wrong client is 401 {@code {"error":"invalid_client"}}, another grant 400
 * {@code unsupported_grant_type}. There are no refresh tokens. The API takes an issued token as
 * {@code Authorization: Bearer} until it expires (by the stand-in's clock) or is revoked.
 * <li><b>{@code GET /myself}</b>: Cloud names the user by {@code accountId}, Data Center by
 * {@code name} and {@code key}.
 * <li><b>Issues.</b> {@code GET /issue/{keyOrId}} (key in any case, or numeric id) with an
 * optional {@code fields} list ({@code *all}, {@code *navigable}, names, {@code -name});
 * {@code id}, {@code key} and {@code self} always come. Descriptions and comment bodies are
 * plain strings (wiki markup), as v2 answers on both editions. An absent issue, or one in a
 * project the user cannot browse, is 404 {@code Issue does not exist or you do not have
 * permission to see it.} {@code POST /issue} answers 201 {@code {id,key,self}}; its field errors
 * come together in {@code errors}; keys are numbered per project from 1.
 * <li><b>Comments.</b> {@code POST /issue/{key}/comment} with {@code body} and optional
 * {@code properties}; a blank body is 400 {@code errors.comment}. {@code GET} pages with
 * {@code startAt}/{@code maxResults} (default 5000), oldest first, and carries each comment's
 * {@code properties} only with {@code expand=properties}; {@code orderBy=-created} lists the
 * newest first. {@code GET issue} with {@code expand=transitions} carries the transitions
 * {@code GET transitions} lists.
 * <li><b>Media type.</b> An {@code Accept} header without {@code application/json} or
 * {@code *}{@code /*} is 406 with no body, as Jersey answers it.
 * <li><b>Workflow.</b> To Do ({@code new}), In Progress ({@code indeterminate}), Done
 * ({@code done}), reached by transitions 11, 21 and 31 from anywhere; {@code GET transitions}
 * offers every one but the current status's, and {@code POST} of any other id is 400
 * {@code Transition id 'N' is not valid for this issue.}
 * <li><b>Search.</b> Cloud's {@code GET /search/jql} pages by {@code nextPageToken} and
 * {@code isLast}, with no total; it refuses an unbounded query (no clause before
 * {@code ORDER BY}) and, without {@code fields}, returns only each issue's {@code id}. Its
 * {@code GET /search} is 410 Gone (CHANGE-2046). Data Center's {@code GET /search} pages by
 * {@code startAt} with {@code total}. {@code maxResults} defaults to 50, at most 100. Issues of
 * projects the user cannot browse never appear.
 * <li><b>JQL</b>, a recursive-descent parser of a subset: {@code =}, {@code !=}, {@code in},
 * {@code not in}, {@code ~} and, on {@code created}, {@code < <= > >=} with absolute dates;
 * {@code AND}/{@code &&}, {@code OR}/{@code ||}, {@code NOT}/{@code !}, parentheses (AND binds
 * tighter than OR) and {@code ORDER BY f [ASC|DESC], ...}; bare words, numbers and quoted
 * strings ({@code "..."} or {@code '...'}, backslash escapes); keywords in any case. Fields:
 * project, key/issuekey/id, labels, status, issuetype/type, summary, description and text
 * ({@code ~} only: a case-insensitive substring, where JIRA matches stemmed words), reporter
 * ({@code currentUser()} only) and created. {@code !=} and {@code not in} on labels skip
 * unlabelled issues, as JIRA's empty-field rule does. Without {@code ORDER BY} results are
 * {@code created DESC}; ties go by issue id in the last sort's direction. Errors: syntax 400
 * {@code Error in the JQL Query: ... (line 1, character N)}; an unknown field 400 {@code Field
 * 'x' does not exist or you do not have permission to view it.}; an unknown or hidden project
 * 400 {@code The value 'X' does not exist for the field 'project'.}
 * <li><b>Rate limits.</b> A fixed one-minute window of {@link #rateLimit} requests on the clock;
 * past it 429 with {@code Retry-After} (seconds to the window's end) and, on Cloud,
 * {@code X-RateLimit-Reset} ({@code yyyy-MM-ddTHH:mmZ}).
 * </ul>
 * Guessed rather than read: ids, account ids, status ids and timestamps; the 401 body on Cloud
 * (recalled from Data Center); the 429 body; the wording of the create-issue, permission,
 * unbounded-query, bad-page-token and invalid-date errors and of JQL syntax errors (their form
 * is JIRA's, the positions approximate); Data Center's 404 for {@code /search/jql} (Jersey's
 * {@code null for uri}); the default sort direction of an {@code ORDER BY} field (ascending
 * here); an unparsable {@code startAt} or {@code maxResults} read as the default. Not modelled:
 * other users, assignees, priorities, custom fields, editing or deleting issues, {@code POST}
 * search, {@code !~}, {@code IS}/{@code WAS}/{@code CHANGED}, relative dates, JQL functions
 * other than {@code currentUser()}, label validation, ADF (API v3), OAuth. A route, JQL field or
 * operator JIRA has that the stand-in does not model answers 501, so an unmodelled call is
 * visible.
 */
public final class JiraStandIn implements AutoCloseable {

    /** The API user's display name. */
    public static final String USER = "Tollgate Agent";

    /** The reporter of issues made by {@link #issue}. */
    public static final String ADMIN = "Jira Admin";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String API = "/rest/api/2";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm'Z'");
    private static final String UNAUTHENTICATED = "You are not authenticated. Authentication required to perform this operation.";
    private static final String NO_ISSUE = "Issue does not exist or you do not have permission to see it.";
    private static final String GONE = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046";
    private static final String UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.";
    private static final String OPERATORS = " The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";
    private static final List<String> TYPES = List.of("Task", "Bug", "Story", "Epic");
    private static final List<Status> WORKFLOW = List.of(
            new Status("10000", "To Do", "new", 2, "blue-gray", "11"),
            new Status("3", "In Progress", "indeterminate", 4, "yellow", "21"),
            new Status("10001", "Done", "done", 3, "green", "31"));
    private static final Set<String> RESERVED = Set.of("and", "or", "not", "in", "is", "order",
            "by", "empty", "null", "was", "changed");
    private static final Set<String> UNMODELLED_FIELDS = Set.of("assignee", "priority",
            "updated", "resolution", "resolved", "component", "fixversion", "affectedversion",
            "sprint", "parent", "duedate", "due", "creator", "watcher", "comment", "environment",
            "statuscategory", "resolutiondate", "rank", "votes", "filter", "level");

    /** The edition the stand-in plays. */
    public enum Edition {
        CLOUD, DATA_CENTER
    }

    /** A request the stand-in received, as it came. */
    public record Received(String method, String path, String authorization, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private record Status(String id, String name, String category, int categoryId,
            String color, String transition) {
    }

    private static final class Project {
        long id;
        String key;
        String name;
        boolean hidden;
        boolean readOnly;
        int next = 1;
    }

    private static final class Issue {
        long id;
        String key;
        int number;
        Project project;
        String summary;
        String description;
        String type;
        Status status = WORKFLOW.getFirst();
        List<String> labels;
        String reporter;
        Instant created;
        Instant updated;
        final List<Comment> comments = new ArrayList<>();
    }

    private static final class Comment {
        long id;
        String body;
        String author;
        Instant created;
        final Map<String, JsonNode> properties = new LinkedHashMap<>();
    }

    private final MockWebServer server = new MockWebServer();
    private final Edition edition;
    private final Clock clock;
    private final Map<String, String> credentials = new LinkedHashMap<>();
    /** Issued access tokens and when each expires. */
    private final Map<String, Instant> accessTokens = new LinkedHashMap<>();
    private String clientId;
    private String clientSecret;
    private Duration tokenLifetime = Duration.ofHours(1);
    private int tokensIssued;
    private final Map<String, Project> projects = new LinkedHashMap<>();
    private final List<Issue> issues = new ArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ScriptedAnswers failures = new ScriptedAnswers();
    private long nextIssueId = 10000;
    private long nextCommentId = 10000;
    private long nextProjectId = 10000;
    private int rateLimit = 10_000;
    private long window = -1;
    private int observed;

    private JiraStandIn(Edition edition, Clock clock) {
        this.edition = edition;
        this.clock = clock;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new IllegalStateException("the JIRA stand-in could not listen on loopback", e);
        }
    }

    /** Starts a JIRA Cloud stand-in on 127.0.0.1 with the system clock. */
    public static JiraStandIn cloud() {
        return cloud(Clock.systemUTC());
    }

    /** Starts a JIRA Cloud stand-in whose timestamps and windows follow {@code clock}. */
    public static JiraStandIn cloud(Clock clock) {
        return new JiraStandIn(Edition.CLOUD, clock);
    }

    /** Starts a JIRA Data Center stand-in on 127.0.0.1 with the system clock. */
    public static JiraStandIn dataCenter() {
        return dataCenter(Clock.systemUTC());
    }

    /** Starts a JIRA Data Center stand-in whose timestamps and windows follow {@code clock}. */
    public static JiraStandIn dataCenter(Clock clock) {
        return new JiraStandIn(Edition.DATA_CENTER, clock);
    }

    // ---- set-up ------------------------------------------------------------------------------

    /** The API root, {@code http://127.0.0.1:PORT/rest/api/2}. */
    public URI apiUrl() {
        return URI.create("http://127.0.0.1:" + server.getPort() + API);
    }

    /** Cloud or Data Center, as started. */
    public Edition edition() {
        return edition;
    }

    /** Accepts {@code Basic base64(email:apiToken)} as the API user (Cloud only). */
    public synchronized void credentials(String email, String apiToken) {
        if (edition != Edition.CLOUD) {
            throw new IllegalStateException("Data Center takes personal access tokens: token()");
        }
        credentials.put("Basic " + email + ":" + apiToken, email);
    }

    /** Accepts {@code Bearer pat} as the API user (Data Center only). */
    public synchronized void token(String pat) {
        if (edition != Edition.DATA_CENTER) {
            throw new IllegalStateException("Cloud takes an e-mail and API token: credentials()");
        }
        credentials.put("Bearer " + pat, "tollgate@example.com");
    }

    /**
     * Makes the API user a service account with OAuth 2.0 client credentials: the token endpoint
     * issues access tokens living {@code lifetime} to this client.
     */
    public synchronized void serviceAccount(String id, String secret, Duration lifetime) {
        clientId = id;
        clientSecret = secret;
        tokenLifetime = lifetime;
    }

    /** The token endpoint, {@code http://127.0.0.1:PORT/oauth/token} (Cloud) or the site's. */
    public URI tokenUrl() {
        return URI.create("http://127.0.0.1:" + server.getPort() + tokenPath());
    }

    private String tokenPath() {
        return edition == Edition.CLOUD ? "/oauth/token" : "/rest/oauth2/latest/token";
    }

    /** How many access tokens the token endpoint has issued. */
    public synchronized int tokensIssued() {
        return tokensIssued;
    }

    /** Revokes every access token issued so far: the API answers them 401. */
    public synchronized void revokeAccessTokens() {
        accessTokens.clear();
    }

    /** Creates project {@code key} (upper-cased), browsable and writable by the API user. */
    public synchronized void project(String key, String name) {
        Project project = new Project();
        project.id = nextProjectId++;
        project.key = key.toUpperCase(Locale.ROOT);
        project.name = name;
        projects.put(project.key, project);
    }

    /** Makes project {@code key} invisible to the API user. */
    public synchronized void hide(String key) {
        projectNamed(key).hidden = true;
    }

    /** Lets the API user browse project {@code key} but not create, comment or transition. */
    public synchronized void readOnly(String key) {
        projectNamed(key).readOnly = true;
    }

    /** Sets how many requests a minute the stand-in answers before it answers 429. */
    public synchronized void rateLimit(int perMinute) {
        rateLimit = perMinute;
    }

    /** Creates a Task reported by {@link #ADMIN}; its key. */
    public synchronized String issue(String projectKey, String summary, String description,
            String... labels) {
        return newIssue(projectNamed(projectKey), summary, description, "Task", List.of(labels),
                ADMIN).key;
    }

    /** Moves issue {@code key} to status {@code name} (To Do, In Progress or Done). */
    public synchronized void move(String key, String name) {
        Issue issue = issueNamed(key);
        issue.status = WORKFLOW.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no status " + name));
        issue.updated = now();
    }

    /** Answers the next {@code times} requests, whatever they are, with this answer. */
    public void failNext(int times, int status, Map<String, String> headers, String body) {
        failNext(null, null, times, status, headers, body);
    }

    /**
     * Answers the next {@code times} requests with {@code method} (any when null) whose path
     * (below the host, e.g. {@code /rest/api/2/issue}) starts with {@code pathPrefix} (any when
     * null), before authentication, with this answer.
     */
    public void failNext(String method, String pathPrefix, int times, int status,
            Map<String, String> headers, String body) {
        failures.add(method, pathPrefix, times, status, headers, body);
    }

    // ---- what happened -----------------------------------------------------------------------

    /** The status name of issue {@code key}. */
    public synchronized String status(String key) {
        return issueNamed(key).status.name();
    }

    /** The labels of issue {@code key}. */
    public synchronized List<String> labels(String key) {
        return List.copyOf(issueNamed(key).labels);
    }

    /** The comment bodies of issue {@code key}, oldest first. */
    public synchronized List<String> comments(String key) {
        return issueNamed(key).comments.stream().map(c -> c.body).toList();
    }

    /** Property {@code property} of the {@code index}th comment (from 0) of issue {@code key}. */
    public synchronized Optional<JsonNode> commentProperty(String key, int index,
            String property) {
        return Optional.ofNullable(issueNamed(key).comments.get(index).properties.get(property));
    }

    /** The issue keys of project {@code key}, oldest first. */
    public synchronized List<String> issues(String projectKey) {
        Project project = projectNamed(projectKey);
        return issues.stream().filter(i -> i.project == project).map(i -> i.key).toList();
    }

    /** Every request received, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests with {@code method} whose path starts with {@code pathPrefix}. */
    public List<Received> received(String method, String pathPrefix) {
        return received.stream().filter(r -> r.method().equals(method)
                && r.path().startsWith(pathPrefix)).toList();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- dispatching -------------------------------------------------------------------------

    private MockResponse handle(RecordedRequest request) {
        String method = request.getMethod();
        String target = request.getTarget();
        String body = request.getBody() == null
                ? ""
                : request.getBody().string(StandardCharsets.UTF_8);
        String authorization = request.getHeaders().get("Authorization");
        received.add(new Received(method, target, authorization, body));
        String[] split = target.split("\\?", 2);
        synchronized (this) {
            countRequest();
            Optional<ScriptedAnswers.Taken> scripted = failures.take(method, split[0]);
            if (scripted.isPresent()) {
                return scripted.get().builder().build();
            }
            if (observed > rateLimit) {
                return throttled();
            }
            String accept = request.getHeaders().get("Accept");
            if (accept != null && !accept.contains("application/json") && !accept.contains(
                    "*/*")) {
                // JIRA's resources produce application/json only: Jersey answers any other
                // Accept with 406 (GitHub's application/vnd.github+json included)
                return new MockResponse.Builder().code(406).body("").build();
            }
            try {
                return route(method, split[0], query(split.length > 1 ? split[1] : ""), body,
                        authorization);
            } catch (Answer answer) {
                return answer.response;
            } catch (JacksonException e) {
                return error(400, List.of("The request body is not valid JSON."), Map.of());
            } catch (RuntimeException e) {
                return error(500, List.of("the JIRA stand-in failed: " + e), Map.of());
            }
        }
    }

    private void countRequest() {
        long minute = clock.instant().getEpochSecond() / 60;
        if (minute != window) {
            window = minute;
            observed = 0;
        }
        observed++;
    }

    private MockResponse throttled() {
        Instant reset = Instant.ofEpochSecond((window + 1) * 60);
        long wait = Math.max(1, reset.getEpochSecond() - clock.instant().getEpochSecond());
        MockResponse.Builder builder = new MockResponse.Builder(error(429, List.of(
                "Rate limit exceeded."), Map.of())).addHeader("Retry-After", Long.toString(wait));
        if (edition == Edition.CLOUD) {
            builder.addHeader("X-RateLimit-Reset", RESET.format(reset.atOffset(ZoneOffset.UTC)));
        } else {
            builder.addHeader("X-RateLimit-Limit", Integer.toString(rateLimit)).addHeader(
                    "X-RateLimit-Remaining", "0");
        }
        return builder.build();
    }

    private MockResponse route(String method, String path, Map<String, String> query,
            String body, String authorization) {
        if (path.equals(tokenPath()) && method.equals("POST")) {
            return issueToken(body);
        }
        if (!path.startsWith(API + "/")) {
            return unmodelled(method, path);
        }
        String[] parts = path.substring(API.length() + 1).split("/", -1);
        boolean cloud = edition == Edition.CLOUD;
        if (path.equals(API + "/search") && cloud) {
            return error(410, List.of(GONE), Map.of());
        }
        if (path.equals(API + "/search/jql") && !cloud) {
            return json(404, JSON.createObjectNode().put("message", "null for uri: " + apiUrl()
                    + "/search/jql").put("status-code", 404));
        }
        String route = method + " " + switch (parts.length) {
            case 1 -> parts[0];
            case 2 -> parts[0].equals("issue") ? "issue/*" : String.join("/", parts);
            case 3 -> parts[0].equals("issue") ? "issue/*/" + parts[2] : "";
            default -> "";
        };
        Set<String> modelled = Set.of("GET myself", "GET issue/*", "POST issue",
                "GET issue/*/comment", "POST issue/*/comment", "GET issue/*/transitions",
                "POST issue/*/transitions", cloud ? "GET search/jql" : "GET search");
        if (!modelled.contains(route)) {
            return unmodelled(method, path);
        }
        String email = authorization == null ? null : credentials.get(normalise(authorization));
        if (email == null && authorization != null && authorization.startsWith("Bearer ")) {
            Instant expires = accessTokens.get(authorization.substring("Bearer ".length()));
            email = expires != null && clock.instant().isBefore(expires)
                    ? "service-account@example.com"
                    : null;
        }
        if (email == null) {
            return error(401, List.of(UNAUTHENTICATED), Map.of());
        }
        return switch (route) {
            case "GET myself" -> json(200, myself(email));
            case "POST issue" -> create(json(body));
            case "GET search/jql", "GET search" -> search(query);
            default -> issueRoute(route, visibleIssue(decode(parts[1])), query, body);
        };
    }

    private MockResponse issueRoute(String route, Issue issue, Map<String, String> query,
            String body) {
        return switch (route) {
            case "GET issue/*" -> {
                ObjectNode found = issueJson(issue, fields(query.get("fields")));
                if (query.getOrDefault("expand", "").contains("transitions")) {
                    found.set("transitions", transitionsJson(issue).get("transitions"));
                }
                yield json(200, found);
            }
            case "GET issue/*/comment" -> comments(issue, query);
            case "POST issue/*/comment" -> comment(issue, json(body));
            case "GET issue/*/transitions" -> transitions(issue);
            default -> transition(issue, json(body));
        };
    }

    /** The token endpoint: client credentials only, as a form (or JSON on Cloud). */
    private MockResponse issueToken(String body) {
        Map<String, String> form;
        String trimmed = body.trim();
        if (trimmed.startsWith("{") && edition == Edition.CLOUD) {
            form = new LinkedHashMap<>();
            JSON.readTree(trimmed).properties().forEach(entry -> form.put(entry.getKey(), entry
                    .getValue().asString()));
        } else {
            form = query(trimmed);
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return json(400, JSON.createObjectNode().put("error", "unsupported_grant_type").put(
                    "error_description", "Only client_credentials is supported"));
        }
        if (clientId == null || !clientId.equals(form.get("client_id")) || !clientSecret.equals(
                form.get("client_secret"))) {
            return json(401, JSON.createObjectNode().put("error", "invalid_client").put(
                    "error_description", "Unauthorized"));
        }
        String token = "atl-oauth-" + java.util.UUID.randomUUID();
        accessTokens.put(token, clock.instant().plus(tokenLifetime));
        tokensIssued++;
        ObjectNode answer = JSON.createObjectNode().put("access_token", token).put("expires_in",
                tokenLifetime.toSeconds()).put("token_type", "Bearer");
        if (form.get("scope") != null) {
            answer.put("scope", form.get("scope"));
        }
        return json(200, answer);
    }

    private MockResponse unmodelled(String method, String path) {
        return error(501, List.of("the JIRA stand-in does not model " + method + " " + path),
                Map.of());
    }

    /** {@code Basic base64} decoded, so padding or case of the scheme do not matter. */
    private static String normalise(String authorization) {
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2) {
            return "";
        }
        if (parts[0].equalsIgnoreCase("basic")) {
            try {
                return "Basic " + new String(Base64.getDecoder().decode(parts[1]),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        return parts[0].equalsIgnoreCase("bearer") ? "Bearer " + parts[1] : "";
    }

    // ---- routes ------------------------------------------------------------------------------

    private ObjectNode myself(String email) {
        ObjectNode node = user(USER);
        node.put("emailAddress", email).put("active", true).put("timeZone", "UTC");
        return node;
    }

    private MockResponse create(JsonNode body) {
        JsonNode fields = body.path("fields");
        Project project = visibleProject(text(fields.path("project").path("key")));
        if (project == null) {
            project = projects.values().stream().filter(p -> !p.hidden && Long.toString(p.id)
                    .equals(text(fields.path("project").path("id")))).findFirst().orElse(null);
        }
        if (project == null) {
            return error(400, List.of(), Map.of("project", "valid project is required"));
        }
        if (project.readOnly) {
            return error(400, List.of(), Map.of("project",
                    "You do not have permission to create issues in this project."));
        }
        Map<String, String> errors = new TreeMap<>();
        String summary = text(fields.path("summary"));
        if (summary == null || summary.isBlank()) {
            errors.put("summary", "You must specify a summary of the issue.");
        }
        String type = TYPES.stream().filter(t -> t.equalsIgnoreCase(text(fields.path(
                "issuetype").path("name")))).findFirst().orElse(null);
        if (type == null) {
            errors.put("issuetype", "Specify a valid issue type");
        }
        if (!errors.isEmpty()) {
            return error(400, List.of(), errors);
        }
        List<String> labels = new ArrayList<>();
        fields.path("labels").forEach(label -> labels.add(label.asString()));
        Issue issue = newIssue(project, summary, text(fields.path("description")), type, labels,
                USER);
        return json(201, JSON.createObjectNode().put("id", Long.toString(issue.id)).put("key",
                issue.key).put("self", self(issue)));
    }

    private MockResponse comments(Issue issue, Map<String, String> query) {
        int startAt = Math.max(0, number(query.get("startAt"), 0));
        int maxResults = Math.max(0, number(query.get("maxResults"), 5000));
        boolean properties = query.getOrDefault("expand", "").contains("properties");
        List<Comment> ordered = new ArrayList<>(issue.comments);
        if (query.getOrDefault("orderBy", "created").equals("-created")) { // JIRA: created,
            java.util.Collections.reverse(ordered); // +created (oldest first) or -created
        }
        List<Comment> page = slice(ordered, startAt, maxResults);
        ObjectNode node = JSON.createObjectNode().put("startAt", startAt).put("maxResults",
                maxResults).put("total", issue.comments.size());
        ArrayNode list = node.putArray("comments");
        page.forEach(comment -> list.add(commentJson(issue, comment, properties)));
        return json(200, node);
    }

    private MockResponse comment(Issue issue, JsonNode body) {
        if (issue.project.readOnly) {
            return error(403, List.of("You do not have the permission to comment on this issue."),
                    Map.of());
        }
        String text = text(body.path("body"));
        if (text == null || text.isBlank()) {
            return error(400, List.of(), Map.of("comment", "Comment body can not be empty!"));
        }
        Comment comment = new Comment();
        comment.id = nextCommentId++;
        comment.body = text;
        comment.author = USER;
        comment.created = now();
        for (JsonNode property : body.path("properties")) {
            String key = text(property.path("key"));
            if (key != null && property.has("value")) {
                comment.properties.put(key, property.get("value"));
            }
        }
        issue.comments.add(comment);
        issue.updated = comment.created;
        return json(201, commentJson(issue, comment, false));
    }

    private MockResponse transitions(Issue issue) {
        return json(200, transitionsJson(issue));
    }

    private ObjectNode transitionsJson(Issue issue) {
        ObjectNode node = JSON.createObjectNode().put("expand", "transitions");
        ArrayNode list = node.putArray("transitions");
        if (!issue.project.readOnly) {
            offered(issue).forEach(to -> {
                ObjectNode transition = list.addObject().put("id", to.transition()).put("name",
                        to.name());
                transition.set("to", statusJson(to));
                transition.put("hasScreen", false).put("isGlobal", true).put("isInitial", false)
                        .put("isConditional", false);
            });
        }
        return node;
    }

    private MockResponse transition(Issue issue, JsonNode body) {
        if (issue.project.readOnly) {
            return error(403, List.of("You do not have permission to transition this issue."),
                    Map.of());
        }
        String id = text(body.path("transition").path("id"));
        if (id == null) {
            return error(400, List.of("Missing 'transition' identifier"), Map.of());
        }
        Status to = offered(issue).stream().filter(s -> s.transition().equals(id)).findFirst()
                .orElseThrow(() -> new Answer(error(400, List.of("Transition id '" + id
                        + "' is not valid for this issue."), Map.of())));
        issue.status = to;
        issue.updated = now();
        return new MockResponse.Builder().code(204).build();
    }

    private MockResponse search(Map<String, String> query) {
        Jql jql = new JqlParser(query.getOrDefault("jql", "")).parse();
        boolean cloud = edition == Edition.CLOUD;
        if (cloud && jql.where() == null) {
            return error(400, List.of(UNBOUNDED), Map.of());
        }
        List<Issue> hits = issues.stream().filter(i -> !i.project.hidden).filter(
                jql.where() == null ? i -> true : jql.where()).sorted(jql.order()).toList();
        int maxResults = Math.min(100, Math.max(0, number(query.get("maxResults"), 50)));
        Set<String> fields = fields(query.get("fields"));
        ObjectNode node = JSON.createObjectNode();
        if (cloud) {
            int offset = offset(query.get("nextPageToken"));
            ArrayNode list = node.putArray("issues");
            slice(hits, offset, maxResults).forEach(issue -> list.add(query.containsKey("fields")
                    ? issueJson(issue, fields)
                    : JSON.createObjectNode().put("id", Long.toString(issue.id))));
            boolean last = offset + maxResults >= hits.size();
            if (!last) {
                node.put("nextPageToken", Base64.getUrlEncoder().withoutPadding().encodeToString(
                        ("offset:" + (offset + maxResults)).getBytes(StandardCharsets.UTF_8)));
            }
            node.put("isLast", last);
        } else {
            int startAt = Math.max(0, number(query.get("startAt"), 0));
            node.put("expand", "schema,names").put("startAt", startAt).put("maxResults",
                    maxResults).put("total", hits.size());
            ArrayNode list = node.putArray("issues");
            slice(hits, startAt, maxResults).forEach(issue -> list.add(issueJson(issue, fields)));
        }
        return json(200, node);
    }

    private int offset(String token) {
        if (token == null) {
            return 0;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(token),
                    StandardCharsets.UTF_8);
            if (text.matches("offset:\\d{1,9}")) {
                return Integer.parseInt(text.substring("offset:".length()));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal
        }
        throw new Answer(error(400, List.of("The nextPageToken is invalid."), Map.of()));
    }

    // ---- JQL ---------------------------------------------------------------------------------

    private record Jql(Predicate<Issue> where, Comparator<Issue> order) {
    }

    private record Token(String kind, String text, int column) {

        boolean is(String word) {
            return kind.equals("word") && text.equalsIgnoreCase(word);
        }

        String shown() {
            return kind.equals("string") ? "\"" + text + "\"" : text;
        }
    }

    private record Value(String text, boolean function) {
    }

    /** A recursive-descent parser of the JQL subset in the class comment. */
    private final class JqlParser {
        private final List<Token> tokens = new ArrayList<>();
        private int at;

        JqlParser(String jql) {
            tokenize(jql);
        }

        Jql parse() {
            Predicate<Issue> where = null;
            if (!peek().kind().equals("end") && !peek().is("order")) {
                where = or();
            }
            Comparator<Issue> order = null;
            if (peek().is("order")) {
                next();
                expectWord("by");
                order = sorts();
            }
            if (!peek().kind().equals("end")) {
                throw syntax("Expecting either 'OR' or 'AND' but got '" + peek().shown() + "'.",
                        peek());
            }
            Comparator<Issue> byCreated = Comparator.comparing(i -> i.created);
            return new Jql(where, order != null
                    ? order
                    : byCreated.thenComparingLong(i -> i.id).reversed());
        }

        private Predicate<Issue> or() {
            Predicate<Issue> left = and();
            while (peek().is("or")) {
                next();
                left = left.or(and());
            }
            return left;
        }

        private Predicate<Issue> and() {
            Predicate<Issue> left = not();
            while (peek().is("and")) {
                next();
                left = left.and(not());
            }
            return left;
        }

        private Predicate<Issue> not() {
            if (peek().is("not")) {
                next();
                return not().negate();
            }
            if (peek().kind().equals("(")) {
                next();
                Predicate<Issue> inner = or();
                if (!peek().kind().equals(")")) {
                    throw syntax(expected("')'", peek()), peek());
                }
                next();
                return inner;
            }
            return clause();
        }

        private Predicate<Issue> clause() {
            Token field = next();
            if (!field.kind().equals("string") && !(field.kind().equals("word")
                    && !RESERVED.contains(field.text().toLowerCase(Locale.ROOT)))) {
                throw syntax(expected("a field name", field), field);
            }
            Token op = next();
            String operator;
            if (op.kind().equals("op") && !op.text().equals("!~")) {
                operator = op.text();
            } else if (op.is("in")) {
                operator = "in";
            } else if (op.is("not") && peek().is("in")) {
                next();
                operator = "not in";
            } else if (op.text().equals("!~") || op.is("is") || op.is("was") || op.is("changed")) {
                throw new Answer(unmodelled("JQL", op.text().toUpperCase(Locale.ROOT)));
            } else {
                throw syntax(op.kind().equals("end")
                        ? "Expecting operator before the end of the query." + OPERATORS
                        : "Expecting operator but got '" + op.shown() + "'." + OPERATORS, op);
            }
            List<Value> values = new ArrayList<>();
            if (operator.endsWith("in") && !peek().kind().equals("(")) {
                Token function = peek();
                values.add(value());
                if (!values.getFirst().function()) {
                    throw syntax(expected("'('", function), function);
                }
            } else if (operator.endsWith("in")) {
                next();
                values.add(value());
                while (peek().kind().equals(",")) {
                    next();
                    values.add(value());
                }
                if (!peek().kind().equals(")")) {
                    throw syntax(expected("')'", peek()), peek());
                }
                next();
            } else {
                values.add(value());
            }
            return predicate(field.text(), operator, values);
        }

        private Value value() {
            Token token = next();
            if (token.kind().equals("string")) {
                return new Value(token.text(), false);
            }
            if (!token.kind().equals("word")) {
                throw syntax(token.kind().equals("end")
                        ? "Expecting either a value, list or function before the end of the query."
                        : "Expecting either a value, list or function but got '" + token.text()
                                + "'. You must surround '" + token.text()
                                + "' in quotation marks to use it as a value.",
                        token);
            }
            if (RESERVED.contains(token.text().toLowerCase(Locale.ROOT))) {
                throw syntax("'" + token.text() + "' is a reserved JQL word. You must surround it"
                        + " in quotation marks to use it in a query.", token);
            }
            if (peek().kind().equals("(")) {
                next();
                if (!peek().kind().equals(")")) {
                    throw syntax(expected("')'", peek()), peek());
                }
                next();
                return new Value(token.text() + "()", true);
            }
            return new Value(token.text(), false);
        }

        private Comparator<Issue> sorts() {
            Comparator<Issue> order = null;
            boolean descending;
            do {
                if (order != null) {
                    next();
                }
                Token field = next();
                if (!field.kind().equals("word") && !field.kind().equals("string")) {
                    throw syntax(expected("a field name", field), field);
                }
                Comparator<Issue> one = sortKey(field.text());
                descending = false;
                if (peek().is("desc") || peek().is("asc")) {
                    descending = next().is("desc");
                }
                one = descending ? one.reversed() : one;
                order = order == null ? one : order.thenComparing(one);
            } while (peek().kind().equals(","));
            Comparator<Issue> byId = Comparator.comparingLong(i -> i.id);
            return order.thenComparing(descending ? byId.reversed() : byId);
        }

        private void expectWord(String word) {
            Token token = next();
            if (!token.is(word)) {
                throw syntax(expected("'" + word.toUpperCase(Locale.ROOT) + "'", token), token);
            }
        }

        private String expected(String what, Token got) {
            return got.kind().equals("end")
                    ? "Expecting " + what + " before the end of the query."
                    : "Expecting " + what + " but got '" + got.shown() + "'.";
        }

        private Token peek() {
            return tokens.get(at);
        }

        private Token next() {
            Token token = tokens.get(at);
            if (at < tokens.size() - 1) {
                at++;
            }
            return token;
        }

        private void tokenize(String jql) {
            int i = 0;
            while (i < jql.length()) {
                char c = jql.charAt(i);
                int column = i + 1;
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '"' || c == '\'') {
                    StringBuilder text = new StringBuilder();
                    int j = i + 1;
                    while (j < jql.length() && jql.charAt(j) != c) {
                        if (jql.charAt(j) == '\\' && j + 1 < jql.length()) {
                            j++;
                        }
                        text.append(jql.charAt(j++));
                    }
                    if (j >= jql.length()) {
                        throw syntax("Missing end quote in the string " + jql.substring(i) + ".",
                                new Token("end", "", column));
                    }
                    tokens.add(new Token("string", text.toString(), column));
                    i = j + 1;
                } else if ("(),".indexOf(c) >= 0) {
                    tokens.add(new Token(String.valueOf(c), String.valueOf(c), column));
                    i++;
                } else if (jql.startsWith("&&", i) || jql.startsWith("||", i)) {
                    tokens.add(new Token("word", c == '&' ? "AND" : "OR", column));
                    i += 2;
                } else if ("=!~<>".indexOf(c) >= 0) {
                    String op = jql.startsWith("!=", i) || jql.startsWith("!~", i)
                            || jql.startsWith("<=", i) || jql.startsWith(">=", i)
                                    ? jql.substring(i, i + 2)
                                    : String.valueOf(c);
                    tokens.add(op.equals("!")
                            ? new Token("word", "NOT", column)
                            : new Token("op", op, column));
                    i += op.length();
                } else if (Character.isLetterOrDigit(c) || "_-.@:/*".indexOf(c) >= 0) {
                    int j = i;
                    while (j < jql.length() && (Character.isLetterOrDigit(jql.charAt(j))
                            || "_-.@:/*".indexOf(jql.charAt(j)) >= 0)) {
                        j++;
                    }
                    tokens.add(new Token("word", jql.substring(i, j), column));
                    i = j;
                } else {
                    throw syntax("The character '" + c + "' is a reserved JQL character. You must"
                            + " enclose it in a string or use the escape '\\u" + String.format(
                                    "%04x", (int) c)
                            + "' instead.",
                            new Token("end", "",
                                    column));
                }
            }
            tokens.add(new Token("end", "", jql.length() + 1));
        }

        private Answer syntax(String message, Token at) {
            return new Answer(error(400, List.of("Error in the JQL Query: " + message
                    + " (line 1, character " + at.column() + ")"), Map.of()));
        }
    }

    private Predicate<Issue> predicate(String field, String op, List<Value> values) {
        String name = field.toLowerCase(Locale.ROOT);
        boolean negative = op.equals("!=") || op.equals("not in");
        boolean membership = op.equals("=") || op.equals("in") || negative;
        switch (name) {
            case "project" -> {
                operators(field, op, membership);
                return oneOf(values, negative, i -> i.project, v -> projects.values().stream()
                        .filter(p -> !p.hidden && (p.key.equalsIgnoreCase(v) || p.name
                                .equalsIgnoreCase(v) || Long.toString(p.id).equals(v)))
                        .findFirst(), v -> noValue(v, "project"));
            }
            case "key", "issuekey", "id" -> {
                operators(field, op, membership);
                return oneOf(values, negative, i -> i,
                        v -> issues.stream().filter(i -> !i.project.hidden
                                && (i.key.equalsIgnoreCase(v) || Long.toString(i.id).equals(v)))
                                .findFirst(),
                        v -> new Answer(error(400, List.of("An issue with key '" + v
                                + "' does not exist for field '" + field + "'."), Map.of())));
            }
            case "labels" -> {
                operators(field, op, membership);
                Set<String> wanted = new HashSet<>();
                literals(values).forEach(v -> wanted.add(v.text().toLowerCase(Locale.ROOT)));
                Predicate<Issue> any = i -> i.labels.stream().anyMatch(l -> wanted.contains(l
                        .toLowerCase(Locale.ROOT)));
                return negative ? i -> !i.labels.isEmpty() && !any.test(i) : any;
            }
            case "status" -> {
                operators(field, op, membership);
                return oneOf(values, negative, i -> i.status, v -> WORKFLOW.stream().filter(
                        s -> s.name().equalsIgnoreCase(v) || s.id().equals(v)).findFirst(),
                        v -> noValue(v, "status"));
            }
            case "issuetype", "type" -> {
                operators(field, op, membership);
                return oneOf(values, negative, i -> i.type, v -> TYPES.stream().filter(
                        t -> t.equalsIgnoreCase(v)).findFirst(), v -> noValue(v, "issuetype"));
            }
            case "summary", "description", "text" -> {
                operators(field, op, op.equals("~"));
                String needle = literals(values).getFirst().text().toLowerCase(Locale.ROOT);
                return i -> (name.equals("description") ? "" : i.summary).concat("\n").concat(
                        name.equals("summary") || i.description == null ? "" : i.description)
                        .toLowerCase(Locale.ROOT).contains(needle);
            }
            case "reporter" -> {
                operators(field, op, op.equals("=") || op.equals("!="));
                if (!values.getFirst().text().equalsIgnoreCase("currentUser()")) {
                    throw new Answer(unmodelled("JQL", "reporter " + op + " "
                            + values.getFirst().text()));
                }
                return negate(i -> i.reporter.equals(USER), negative);
            }
            case "created", "createddate" -> {
                operators(field, op, !op.endsWith("in") && !op.contains("~"));
                Instant when = date(literals(values).getFirst(), field);
                return i -> {
                    int c = i.created.truncatedTo(ChronoUnit.MINUTES).compareTo(when);
                    return switch (op) {
                        case "=" -> c == 0;
                        case "!=" -> c != 0;
                        case "<" -> c < 0;
                        case "<=" -> c <= 0;
                        case ">" -> c > 0;
                        default -> c >= 0;
                    };
                };
            }
            default -> {
                if (UNMODELLED_FIELDS.contains(name) || name.startsWith("cf[") || name.startsWith(
                        "customfield_")) {
                    throw new Answer(unmodelled("JQL field", field));
                }
                throw noField(field);
            }
        }
    }

    private Comparator<Issue> sortKey(String field) {
        Comparator<Issue> byKey = Comparator.comparing((Issue i) -> i.project.key)
                .thenComparingInt(i -> i.number);
        return switch (field.toLowerCase(Locale.ROOT)) {
            case "key", "issuekey", "id" -> byKey;
            case "created", "createddate" -> Comparator.comparing(i -> i.created);
            case "updated", "updateddate" -> Comparator.comparing(i -> i.updated);
            case "summary" -> Comparator.comparing(i -> i.summary.toLowerCase(Locale.ROOT));
            case "status" -> Comparator.comparingInt(i -> WORKFLOW.indexOf(i.status));
            case "issuetype", "type" -> Comparator.comparing(i -> i.type);
            case "project" -> Comparator.comparing(i -> i.project.key);
            default -> {
                if (UNMODELLED_FIELDS.contains(field.toLowerCase(Locale.ROOT))) {
                    throw new Answer(unmodelled("JQL ORDER BY", field));
                }
                throw noField(field);
            }
        };
    }

    private static void operators(String field, String op, boolean supported) {
        if (!supported) {
            throw new Answer(error(400, List.of("The operator '" + op.toUpperCase(Locale.ROOT)
                    + "' is not supported by the '" + field + "' field."), Map.of()));
        }
    }

    private static List<Value> literals(List<Value> values) {
        for (Value value : values) {
            if (value.function()) {
                throw new Answer(error(501, List.of("the JIRA stand-in does not model JQL function "
                        + value.text()), Map.of()));
            }
        }
        return values;
    }

    /** Issues whose {@code of} is one of the values, each looked up or refused. */
    private static <T> Predicate<Issue> oneOf(List<Value> values, boolean negative,
            Function<Issue, T> of, Function<String, Optional<T>> lookup,
            Function<String, Answer> missing) {
        Set<T> wanted = new HashSet<>();
        for (Value value : literals(values)) {
            wanted.add(lookup.apply(value.text()).orElseThrow(() -> missing.apply(value.text())));
        }
        return negate(i -> wanted.contains(of.apply(i)), negative);
    }

    private static Predicate<Issue> negate(Predicate<Issue> any, boolean negative) {
        return negative ? any.negate() : any;
    }

    private static Instant date(Value value, String field) {
        String text = value.text().trim().replace('/', '-');
        try {
            return text.length() <= 10
                    ? LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC)
                    : LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            if (value.function() || text.matches("[-+]?\\d+[wdhm].*")) {
                throw new Answer(error(501, List.of("the JIRA stand-in does not model relative"
                        + " dates: " + value.text()), Map.of()));
            }
            throw new Answer(error(400, List.of("Date value '" + value.text() + "' for field '"
                    + field + "' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
                    + "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
                    + "e.g. '-5d', '4w 2d'."), Map.of()));
        }
    }

    private static Answer noValue(String value, String field) {
        return new Answer(error(400, List.of("The value '" + value
                + "' does not exist for the field '" + field + "'."), Map.of()));
    }

    private static Answer noField(String field) {
        return new Answer(error(400, List.of("Field '" + field
                + "' does not exist or you do not have permission to view it."), Map.of()));
    }

    // ---- the model and its JSON --------------------------------------------------------------

    private Issue newIssue(Project project, String summary, String description, String type,
            List<String> labels, String reporter) {
        Issue issue = new Issue();
        issue.id = nextIssueId++;
        issue.number = project.next++;
        issue.key = project.key + "-" + issue.number;
        issue.project = project;
        issue.summary = summary;
        issue.description = description;
        issue.type = type;
        issue.labels = new ArrayList<>(labels);
        issue.reporter = reporter;
        issue.created = now();
        issue.updated = issue.created;
        issues.add(issue);
        return issue;
    }

    private List<Status> offered(Issue issue) {
        return WORKFLOW.stream().filter(s -> s != issue.status).toList();
    }

    private Project projectNamed(String key) {
        Project project = projects.get(key.toUpperCase(Locale.ROOT));
        if (project == null) {
            throw new IllegalArgumentException("no project " + key);
        }
        return project;
    }

    private Project visibleProject(String key) {
        Project project = key == null ? null : projects.get(key.toUpperCase(Locale.ROOT));
        return project == null || project.hidden ? null : project;
    }

    private Issue issueNamed(String key) {
        return issues.stream().filter(i -> i.key.equalsIgnoreCase(key)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no issue " + key));
    }

    private Issue visibleIssue(String keyOrId) {
        return issues.stream().filter(i -> !i.project.hidden && (i.key.equalsIgnoreCase(keyOrId)
                || Long.toString(i.id).equals(keyOrId))).findFirst().orElseThrow(
                        () -> new Answer(error(404, List.of(NO_ISSUE), Map.of())));
    }

    /** The requested field names, or null for all of them. */
    private static Set<String> fields(String param) {
        if (param == null) {
            return null;
        }
        Set<String> wanted = new LinkedHashSet<>(List.of("summary", "description", "status",
                "issuetype", "project", "labels", "created", "updated", "reporter"));
        Set<String> named = new LinkedHashSet<>();
        boolean all = false;
        for (String part : param.split(",")) {
            String name = part.trim();
            if (name.equals("*all") || name.equals("*navigable")) {
                all = true;
            } else if (name.startsWith("-")) {
                wanted.remove(name.substring(1));
            } else if (!name.isEmpty()) {
                named.add(name);
            }
        }
        if (!all) {
            wanted.retainAll(named);
        }
        return wanted;
    }

    private ObjectNode issueJson(Issue issue, Set<String> only) {
        ObjectNode node = JSON.createObjectNode().put("expand",
                "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations")
                .put("id", Long.toString(issue.id)).put("self", self(issue)).put("key",
                        issue.key);
        ObjectNode fields = node.putObject("fields");
        Predicate<String> wanted = name -> only == null || only.contains(name);
        if (wanted.test("summary")) {
            fields.put("summary", issue.summary);
        }
        if (wanted.test("description")) {
            fields.put("description", issue.description);
        }
        if (wanted.test("status")) {
            fields.set("status", statusJson(issue.status));
        }
        if (wanted.test("issuetype")) {
            fields.putObject("issuetype").put("id", Integer.toString(10001 + TYPES.indexOf(
                    issue.type))).put("name", issue.type).put("subtask", false);
        }
        if (wanted.test("project")) {
            fields.putObject("project").put("id", Long.toString(issue.project.id)).put("key",
                    issue.project.key).put("name", issue.project.name);
        }
        if (wanted.test("labels")) {
            ArrayNode labels = fields.putArray("labels");
            issue.labels.forEach(labels::add);
        }
        if (wanted.test("created")) {
            fields.put("created", time(issue.created));
        }
        if (wanted.test("updated")) {
            fields.put("updated", time(issue.updated));
        }
        if (wanted.test("reporter")) {
            fields.set("reporter", user(issue.reporter));
        }
        return node;
    }

    private ObjectNode commentJson(Issue issue, Comment comment, boolean properties) {
        ObjectNode node = JSON.createObjectNode().put("self", self(issue) + "/comment/"
                + comment.id).put("id", Long.toString(comment.id));
        node.set("author", user(comment.author));
        node.put("body", comment.body);
        node.set("updateAuthor", user(comment.author));
        node.put("created", time(comment.created)).put("updated", time(comment.created));
        if (properties) {
            ArrayNode list = node.putArray("properties");
            comment.properties.forEach((key, value) -> list.addObject().put("key", key).set(
                    "value", value));
        }
        return node;
    }

    private ObjectNode statusJson(Status status) {
        ObjectNode node = JSON.createObjectNode().put("self", apiUrl() + "/status/" + status.id())
                .put("name", status.name()).put("id", status.id());
        node.putObject("statusCategory").put("id", status.categoryId()).put("key", status
                .category()).put("colorName", status.color()).put("name", status.name());
        return node;
    }

    /** A user as Cloud (by account id) or Data Center (by name and key) shows one. */
    private ObjectNode user(String displayName) {
        boolean agent = displayName.equals(USER);
        ObjectNode node = JSON.createObjectNode();
        if (edition == Edition.CLOUD) {
            String accountId = agent
                    ? "712020:5b10ac8d-82e0-4b22-cc7d-4ef5a1b2c3d4"
                    : "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077";
            node.put("self", apiUrl() + "/user?accountId=" + accountId).put("accountId",
                    accountId).put("accountType", "atlassian");
        } else {
            String name = agent ? "tollgate" : "admin";
            node.put("self", apiUrl() + "/user?username=" + name).put("name", name).put("key",
                    agent ? "JIRAUSER10100" : "JIRAUSER10000");
        }
        return node.put("displayName", displayName);
    }

    private String self(Issue issue) {
        return apiUrl() + "/issue/" + issue.id;
    }

    // ---- answers and helpers -----------------------------------------------------------------

    private static MockResponse json(int status, JsonNode body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type",
                "application/json;charset=UTF-8").body(JSON.writeValueAsString(body)).build();
    }

    /** JIRA's error collection: {@code {"errorMessages":[...],"errors":{...}}}. */
    private static MockResponse error(int status, List<String> messages,
            Map<String, String> errors) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode list = node.putArray("errorMessages");
        messages.forEach(list::add);
        ObjectNode fields = node.putObject("errors");
        errors.forEach(fields::put);
        return json(status, node);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String time(Instant instant) {
        return TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** A string or number node's text; null for anything else. */
    private static String text(JsonNode node) {
        return node.isString() || node.isNumber() ? node.asString() : null;
    }

    private static JsonNode json(String body) {
        return body.isBlank() ? MissingNode.getInstance() : JSON.readTree(body);
    }

    private static int number(String text, int otherwise) {
        try {
            return text == null ? otherwise : Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static <T> List<T> slice(List<T> items, int from, int count) {
        int start = Math.min(items.size(), from);
        return items.subList(start, (int) Math.min(items.size(), (long) start + count));
    }

    private static Map<String, String> query(String text) {
        Map<String, String> query = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split("&")) {
                String[] kv = pair.split("=", 2);
                query.putIfAbsent(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }

    /** A path segment's percent-decoding ({@code +} stays a plus). */
    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
