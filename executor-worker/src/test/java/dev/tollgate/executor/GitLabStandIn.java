package dev.tollgate.executor;

import dev.tollgate.executor.ScriptedAnswers.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for a GitLab server's REST API v4 on loopback, for tests: a small in-memory GitLab
 * with one user's access tokens and their scopes, projects in nested groups (and forks) with
 * branches, commits, files, protected branches, issues, merge requests and approvals, served under
 * {@code /api/v4} with GitLab's field names and GitLab's answers to mistakes. Any answer can be
 * scripted ahead of the model ({@link #failNext}), and every request is recorded
 * ({@link #received()}).
 *
 * <p>What it follows, read from GitLab's REST API documentation and its source (lib/api,
 * app/services/merge_requests, app/services/commits, lib/api/api_guard.rb, 2025):
 * <ul>
 * <li><b>Authentication.</b> {@code PRIVATE-TOKEN: X} or {@code Authorization: Bearer X} (the
 * former wins when both are sent). An unknown token is 401 {@code {"message":"401
 * Unauthorized"}} on every modelled route. No token at all is an anonymous caller: every project
 * here is private, so GitLab hides it (404 {@code 404 Project Not Found}); {@code GET /user} and
 * the merge request writes, which authenticate before looking the project up
 * ({@code authenticate_non_get!}), answer 401. So "no token" is a 401 only there; that is
 * GitLab's behaviour, not a simplification.
 * <li><b>Scopes.</b> Checked before the project is looked up. {@code api} covers every route;
 * {@code read_api} covers every GET; {@code read_repository} covers only
 * {@code GET /repository/files/...} (the docs: "read-only access to repositories ... using
 * Git-over-HTTP or the Repository Files API", and {@code files.rb} registers it for GET/HEAD
 * only); {@code read_user} covers {@code GET /user}; {@code write_repository} covers no REST
 * route (the docs: "Git-over-HTTP (not using the API)"). Refusal: 403
 * {@code {"error":"insufficient_scope","error_description":"The request requires higher privileges
 * than provided by the access token.","scope":"..."}}, {@code scope} listing every scope
 * registered for the route, the route's own first, conditional ones included (so writes also
 * name {@code read_api}, as GitLab does).
 * <li><b>Projects</b> are addressed by numeric ID or URL-encoded full path
 * ({@code group%2Fsub%2Fproject}, any case); a raw slash does not match the route (404
 * {@code {"error":"404 Not Found"}}, Grape's answer for unknown routes). A moved project's
 * old path still finds it ({@link Project#moveTo}: GitLab's redirect routes, which the API's
 * {@code find_project} follows) unless a project has that path now.
 * <li><b>Files</b> need {@code ref} (400 {@code {"error":"ref is missing"}}, Grape's
 * validation); an unknown ref is 404 {@code 404 Commit Not Found}, an absent file
 * {@code 404 File Not Found}; the answer carries GitLab's {@code X-Gitlab-*} headers too.
 * <li><b>Commits</b> ({@code POST /repository/commits}): a protected {@code branch} is 403
 * {@code 403 Forbidden - You are not allowed to push into this branch}, checked first; missing
 * {@code branch}, {@code commit_message} or {@code actions} and malformed actions are 400
 * {@code 400 Bad request - ...}; {@code start_branch} defaults to {@code branch} and must exist
 * (400 {@code You can only create or edit files when you are on a branch}); a new
 * {@code branch} is created from {@code start_branch}; an existing {@code branch} with another
 * {@code start_branch} is 400 {@code A branch called 'x' already exists. Switch to that branch
 * in order to make changes} unless {@code force}; a {@code last_commit_id} that is not the last
 * commit touching the file on {@code start_branch} is 400 {@code The file has changed since you
 * started editing it: path}; Gitaly's index errors are 400 {@code A file with this name already
 * exists} and {@code A file with this name doesn't exist}. All actions make one commit; the answer
 * is 201 with the commit (and {@code stats}).
 * <li><b>Merge requests.</b> Draft when the title starts with {@code Draft:}, {@code [Draft]} or
 * {@code (Draft)}, any case. Same source and target: 422 {@code {"message":["You must select
 * different branches"]}}; absent branches: 422 {@code ["Source branch \"x\" does not exist"]}
 * (both listed when both are absent, from {@code MergeRequests::BuildService}); an open merge
 * request with the same source <em>and target</em> branch: 409 {@code {"message":["Another open
 * merge request already exists for this source branch: !N"]}}. Listing defaults to
 * {@code state=all}, newest first.
 * <li><b>Approvals.</b> The author cannot approve (GitLab Premium's default "Prevent approval by
 * author"; Free lets authors approve) and nobody approves twice: both are GitLab's bare
 * {@code unauthorized!}, 401 {@code 401 Unauthorized}. A {@code sha} that is not the source
 * head is 409. Approving answers 201 with the approval state.
 * <li><b>Lists</b> take {@code page} (from 1) and {@code per_page} (20 by default, at most 100)
 * and answer {@code X-Page}, {@code X-Per-Page}, {@code X-Next-Page}, {@code X-Prev-Page},
 * {@code X-Total}, {@code X-Total-Pages} and a {@code Link} header (prev, next, first, last; its
 * query holds the route's {@code id} and every parameter, sorted, as Rails' {@code to_query}).
 * Commits are listed without counting, as GitLab does: no {@code X-Total}, {@code X-Total-Pages}
 * or {@code last}, and a full page always announces a next one.
 * <li><b>Rate limits.</b> Every answer carries {@code RateLimit-Limit}, {@code RateLimit-Observed},
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset} (epoch seconds, the end of the current
 * minute on the stand-in's clock): a fixed one-minute window of {@link #rateLimit} requests (2000,
 * GitLab.com's authenticated API limit). Past it the answer is 429 {@code Retry later} in plain
 * text with {@code Retry-After}, as Rack::Attack answers. Scripted answers get the headers they
 * do not set themselves.
 * </ul>
 * Guessed rather than read: the ids, e-mail addresses and timestamps in answers, which optional
 * fields answers leave out, the wording of a malformed base64 error, {@code 404 Not found} for
 * an absent issue or merge request iid (GitLab's RecordNotFound handler, recalled), an empty list
 * for commits of an unknown {@code ref_name}, and whether a missing-branch merge request really
 * surfaces as 422 through the API. Not modelled: merging (only {@link Project#merge} marks one
 * merged), cross-project merge requests ({@code target_project_id} other than the project
 * itself answers 501; real GitLab may default a fork's merge request to its upstream),
 * {@code start_sha}, {@code start_project}, file modes, labels, notes, approval rules, job and
 * deploy tokens, {@code private_token} query parameters, public projects. A route GitLab has
 * that the stand-in does not model (editing a merge request, say) answers 501.
 *
 * <p>Every token belongs to {@link #DEFAULT_USERNAME}, a developer who may push to every
 * unprotected branch of every project; the set-up methods act as {@link #MAINTAINER}.
 */
public final class GitLabStandIn implements AutoCloseable {

    /** The user that {@link #token(String, String...)} tokens belong to. */
    public static final String DEFAULT_USERNAME = "tollgate";

    /** The user the set-up methods act as: author of initial commits, issues, merge requests. */
    public static final String MAINTAINER = "maintainer";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    private static final DateTimeFormatter COMMIT_TIME = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss.SSSxxx");
    private static final int DEFAULT_PAGE_SIZE = 20;
    private static final int MAX_PAGE_SIZE = 100;
    private static final Pattern DRAFT = Pattern.compile("^(\\[draft\\]|\\(draft\\)|draft:)",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> SCOPES = Set.of("api", "read_api", "read_user",
            "read_repository", "write_repository", "read_registry", "write_registry", "sudo",
            "admin_mode", "create_runner", "manage_runner", "ai_features", "k8s_proxy",
            "self_rotate", "read_service_ping", "ai_workflows");
    private static final String INSUFFICIENT_SCOPE = "The request requires higher privileges than provided by the access token.";
    private static final Pattern PROJECT_ROUTE = Pattern.compile("^/projects/([^/]+)(/.*)?$");

    /**
     * A request the stand-in received, as it came; {@code authorization} is the
     * {@code PRIVATE-TOKEN} header when sent, else the {@code Authorization} header.
     */
    public record Received(String method, String path, String authorization, String body,
            Map<String, String> headers) {

        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private record Token(String username, Set<String> scopes) {
    }

    private record Commit(String sha, String parent, String message, String author,
            Instant when, Map<String, byte[]> tree) {

        String title() {
            return message.split("\n", 2)[0];
        }
    }

    /** A modelled route: its kind, and the scopes GitLab registers for it, in GitLab's order. */
    private record Route(String kind, List<String> scopes, String rest) {
    }

    private static final class Issuable {
        long id;
        int iid;
        String title;
        String description;
        String author;
        String state = "opened";
        Instant created;
        Instant updated;
        Instant closedAt;
        String sourceBranch;
        String targetBranch;
        final List<String> approvedBy = new ArrayList<>();
    }

    private final MockWebServer server = new MockWebServer();
    private final Clock clock;
    private final Map<String, Long> users = new LinkedHashMap<>();
    private final Map<String, Project> projects = new LinkedHashMap<>();
    /** Old full paths of moved projects, lower-cased: GitLab's redirect routes. */
    private final Map<String, Project> redirects = new LinkedHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ScriptedAnswers failures = new ScriptedAnswers();
    private long nextId = 1;
    private long commitCounter;
    private int rateLimit = 2000;
    private long window = -1;
    private int observed;

    private GitLabStandIn(Clock clock) {
        this.clock = clock;
        addUser(DEFAULT_USERNAME);
        addUser(MAINTAINER);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return handle(request);
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new IllegalStateException("the GitLab stand-in could not listen on loopback",
                    e);
        }
    }

    /** Starts a stand-in on 127.0.0.1 with the system clock. */
    public static GitLabStandIn start() {
        return start(Clock.systemUTC());
    }

    /** Starts a stand-in on 127.0.0.1 whose timestamps and rate-limit windows follow {@code clock}. */
    public static GitLabStandIn start(Clock clock) {
        return new GitLabStandIn(clock);
    }

    // ---- set-up ------------------------------------------------------------------------------

    /** The API root, {@code http://127.0.0.1:PORT/api/v4}. */
    public URI apiUrl() {
        return URI.create(appUrl() + "api/v4");
    }

    /**
     * Registers a personal access token of {@link #DEFAULT_USERNAME} with GitLab scopes
     * ({@code api}, {@code read_api}, {@code read_repository}, {@code write_repository},
     * {@code read_user} ...).
     */
    public void token(String value, String... scopes) {
        for (String scope : scopes) {
            if (!SCOPES.contains(scope)) {
                throw new IllegalArgumentException("not a GitLab token scope: " + scope);
            }
        }
        tokens.put(value, new Token(DEFAULT_USERNAME, Set.of(scopes)));
    }

    /** Revokes token {@code value}: it is answered 401 from now on. */
    public void revoke(String value) {
        tokens.remove(value);
    }

    /**
     * Creates project {@code fullPath} ({@code group/sub/project}: groups may nest), private,
     * with default branch {@code main} holding an initial commit of {@code README.md}, or returns
     * the one that exists.
     */
    public synchronized Project project(String fullPath) {
        if (!fullPath.contains("/") || fullPath.startsWith("/") || fullPath.endsWith("/")) {
            throw new IllegalArgumentException("a project path is namespace/name: " + fullPath);
        }
        return projects.computeIfAbsent(fullPath.toLowerCase(Locale.ROOT), k -> new Project(
                fullPath));
    }

    /** Sets how many requests a minute the stand-in answers before it answers 429. */
    public synchronized void rateLimit(int perMinute) {
        rateLimit = perMinute;
    }

    /** Answers the next {@code times} requests, whatever they are, with this answer. */
    public void failNext(int times, int status, Map<String, String> headers, String body) {
        failNext(null, null, times, status, headers, body);
    }

    /**
     * Answers the next {@code times} requests with {@code method} (any when null) whose path
     * (below the host, e.g. {@code /api/v4/projects/g%2Fp/repository/commits}) starts with
     * {@code pathPrefix} (any when null), before authentication, with this answer.
     */
    public void failNext(String method, String pathPrefix, int times, int status,
            Map<String, String> headers, String body) {
        failures.add(method, pathPrefix, times, status, headers, body);
    }

    // ---- what happened -----------------------------------------------------------------------

    /** Every request received, oldest first. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests with {@code method} whose path starts with {@code pathPrefix}. */
    public List<Received> received(String method, String pathPrefix) {
        return received.stream().filter(r -> r.method().equals(method) && r.path().startsWith(
                pathPrefix)).toList();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- the in-memory project ---------------------------------------------------------------

    /** One in-memory project; its methods change it as a push or the web UI would. */
    public final class Project {
        private final long id;
        private String fullPath;
        private final long namespaceId;
        private final String defaultBranch = "main";
        private final Map<String, String> branches = new LinkedHashMap<>();
        private final Map<String, Commit> commits = new HashMap<>();
        private final Set<String> protectedBranches = new LinkedHashSet<>();
        private final List<Issuable> issues = new ArrayList<>();
        private final List<Issuable> mergeRequests = new ArrayList<>();
        private final Instant created;
        private Project forkedFrom;

        private Project(String fullPath) {
            this.id = nextId++;
            this.namespaceId = nextId++;
            this.fullPath = fullPath;
            this.created = now();
            Commit initial = commit(null, "Initial commit", MAINTAINER, Map.of("README.md", ("# "
                    + name() + "\n").getBytes(StandardCharsets.UTF_8)));
            branches.put(defaultBranch, initial.sha());
        }

        public long id() {
            return id;
        }

        public String fullPath() {
            return fullPath;
        }

        /**
         * Moves the project to {@code newPath} (a transfer to another group, or a rename), as
         * GitLab does: its old path stays a redirect route, which the API follows
         * ({@code find_by_full_path(id, follow_redirects: true)}) until a project takes it.
         */
        public Project moveTo(String newPath) {
            synchronized (GitLabStandIn.this) {
                String old = fullPath.toLowerCase(Locale.ROOT);
                projects.remove(old);
                redirects.put(old, this);
                fullPath = newPath;
                projects.put(newPath.toLowerCase(Locale.ROOT), this);
                return this;
            }
        }

        /** Commits {@code text} at {@code path} on {@code branch} (created from main if absent). */
        public Project file(String branch, String path, String text) {
            synchronized (GitLabStandIn.this) {
                if (!branches.containsKey(branch)) {
                    branch(branch, defaultBranch);
                }
                Map<String, byte[]> tree = new TreeMap<>(commits.get(branches.get(branch))
                        .tree());
                String verb = tree.containsKey(path) ? "Update " : "Add ";
                tree.put(path, text.getBytes(StandardCharsets.UTF_8));
                Commit commit = commit(branches.get(branch), verb + path, MAINTAINER, tree);
                branches.put(branch, commit.sha());
                return this;
            }
        }

        /** Creates {@code branch} at the head of {@code from}. */
        public Project branch(String branch, String from) {
            synchronized (GitLabStandIn.this) {
                String sha = Objects.requireNonNull(branches.get(from), "no branch " + from);
                branches.put(branch, sha);
                return this;
            }
        }

        /** Protects {@code branch} with "allowed to push and merge: No one". */
        public Project protect(String branch) {
            synchronized (GitLabStandIn.this) {
                protectedBranches.add(branch);
                return this;
            }
        }

        /** Makes this project a fork of {@code upstreamPath}, which must exist here. */
        public Project forkOf(String upstreamPath) {
            synchronized (GitLabStandIn.this) {
                Project upstream = projects.get(upstreamPath.toLowerCase(Locale.ROOT));
                if (upstream == null || upstream == this) {
                    throw new IllegalArgumentException("no other project " + upstreamPath);
                }
                forkedFrom = upstream;
                return this;
            }
        }

        /** Opens an issue by {@link #MAINTAINER}; its iid. */
        public int issue(String title, String description) {
            synchronized (GitLabStandIn.this) {
                return newIssuable(issues, title, description, MAINTAINER).iid;
            }
        }

        /** Opens a merge request by {@link #MAINTAINER} from {@code source} into {@code target}; its iid. */
        public int mergeRequest(String title, String source, String target, String description) {
            synchronized (GitLabStandIn.this) {
                if (!branches.containsKey(source) || !branches.containsKey(target)) {
                    throw new IllegalArgumentException("no branch " + source + " or " + target);
                }
                return newMergeRequest(title, description, MAINTAINER, source, target).iid;
            }
        }

        /** Closes issue {@code iid}. */
        public Project closeIssue(int iid) {
            synchronized (GitLabStandIn.this) {
                setState(issues.get(iid - 1), "closed");
                return this;
            }
        }

        /** Closes merge request {@code iid}. */
        public Project closeMergeRequest(int iid) {
            synchronized (GitLabStandIn.this) {
                setState(mergeRequests.get(iid - 1), "closed");
                return this;
            }
        }

        /** Marks merge request {@code iid} merged; the branches are left as they are. */
        public Project merge(int iid) {
            synchronized (GitLabStandIn.this) {
                setState(mergeRequests.get(iid - 1), "merged");
                return this;
            }
        }

        /** The head commit of {@code branch}, if it exists. */
        public Optional<String> head(String branch) {
            synchronized (GitLabStandIn.this) {
                return Optional.ofNullable(branches.get(branch));
            }
        }

        /** The text of {@code path} at the head of {@code branch}, if both exist. */
        public Optional<String> text(String branch, String path) {
            synchronized (GitLabStandIn.this) {
                return Optional.ofNullable(branches.get(branch)).map(sha -> commits.get(sha)
                        .tree().get(path)).map(bytes -> new String(bytes,
                                StandardCharsets.UTF_8));
            }
        }

        /** The commit messages of {@code branch}, newest first. */
        public List<String> messages(String branch) {
            synchronized (GitLabStandIn.this) {
                return history(branches.get(branch)).stream().map(Commit::message).toList();
            }
        }

        /** The usernames that approved merge request {@code iid}, in approval order. */
        public List<String> approvals(int iid) {
            synchronized (GitLabStandIn.this) {
                return List.copyOf(mergeRequests.get(iid - 1).approvedBy);
            }
        }

        private String name() {
            return fullPath.substring(fullPath.lastIndexOf('/') + 1);
        }

        private String namespace() {
            return fullPath.substring(0, fullPath.lastIndexOf('/'));
        }

        private Commit commit(String parent, String message, String author,
                Map<String, byte[]> tree) {
            Map<String, byte[]> snapshot = new TreeMap<>(tree);
            String sha = sha1(("commit " + fullPath + " " + parent + " " + message + " "
                    + (++commitCounter)).getBytes(StandardCharsets.UTF_8));
            Commit commit = new Commit(sha, parent, message, author, now(), snapshot);
            commits.put(sha, commit);
            return commit;
        }

        private List<Commit> history(String sha) {
            List<Commit> history = new ArrayList<>();
            for (String next = sha; next != null; next = commits.get(next).parent()) {
                history.add(commits.get(next));
            }
            return history;
        }

        private Issuable newIssuable(List<Issuable> list, String title, String description,
                String author) {
            Issuable issuable = new Issuable();
            issuable.id = nextId++;
            issuable.iid = list.size() + 1;
            issuable.title = title;
            issuable.description = description == null ? "" : description;
            issuable.author = author;
            issuable.created = now();
            issuable.updated = issuable.created;
            list.add(issuable);
            return issuable;
        }

        private Issuable newMergeRequest(String title, String description, String author,
                String source, String target) {
            Issuable mergeRequest = newIssuable(mergeRequests, title, description, author);
            mergeRequest.sourceBranch = source;
            mergeRequest.targetBranch = target;
            return mergeRequest;
        }

        private void setState(Issuable issuable, String state) {
            issuable.state = state;
            issuable.updated = now();
            issuable.closedAt = state.equals("closed") ? issuable.updated : null;
        }

        private String webUrl() {
            return appUrl() + fullPath;
        }
    }

    // ---- dispatching -------------------------------------------------------------------------

    private MockResponse handle(RecordedRequest request) {
        String method = request.getMethod();
        String target = request.getTarget();
        String body = request.getBody() == null
                ? ""
                : request.getBody().string(StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        request.getHeaders().forEach(pair -> headers.put(pair.getFirst(), pair.getSecond()));
        String privateToken = headers.get("PRIVATE-TOKEN");
        String authorization = privateToken != null ? privateToken : headers.get("Authorization");
        received.add(new Received(method, target, authorization, body, Map.copyOf(headers)));
        String path = target.split("\\?", 2)[0];
        synchronized (this) {
            countRequest();
            Optional<ScriptedAnswers.Taken> scripted = failures.take(method, path);
            if (scripted.isPresent()) {
                return withRateLimit(scripted.get().builder(), scripted.get().headerNames());
            }
            if (observed > rateLimit) {
                MockResponse.Builder throttled = new MockResponse.Builder().code(429).addHeader(
                        "Content-Type", "text/plain").addHeader("Retry-After",
                                Long.toString(
                                        resetAt() - clock.instant().getEpochSecond()))
                        .body("Retry later\n");
                return withRateLimit(throttled, Set.of());
            }
            MockResponse response;
            try {
                response = route(method, target, body, headers);
            } catch (Answer answer) {
                response = answer.response;
            } catch (JacksonException e) {
                // Grape answers a body that is not JSON as a bad request.
                response = json(400, JSON.createObjectNode().put("error",
                        "The provided content-type 'application/json' is not supported."));
            } catch (RuntimeException e) {
                response = message(500, "500 Internal Server Error");
            }
            return withRateLimit(new MockResponse.Builder(response), Set.of());
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

    private long resetAt() {
        return (window + 1) * 60;
    }

    /** Adds GitLab's RateLimit-* headers that the answer does not carry already. */
    private MockResponse withRateLimit(MockResponse.Builder builder, Set<String> present) {
        Set<String> given = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        given.addAll(present);
        Map<String, String> limits = new LinkedHashMap<>();
        limits.put("RateLimit-Limit", Integer.toString(rateLimit));
        limits.put("RateLimit-Observed", Integer.toString(observed));
        limits.put("RateLimit-Remaining", Integer.toString(Math.max(0, rateLimit - observed)));
        limits.put("RateLimit-Reset", Long.toString(resetAt()));
        limits.forEach((name, value) -> {
            if (!given.contains(name)) {
                builder.addHeader(name, value);
            }
        });
        return builder.build();
    }

    private MockResponse route(String method, String target, String body,
            Map<String, String> headers) {
        String[] split = target.split("\\?", 2);
        String path = split[0];
        Map<String, List<String>> query = query(split.length > 1 ? split[1] : "");
        if (!path.startsWith("/api/v4/")) {
            return routeNotFound();
        }
        String below = path.substring("/api/v4".length());
        Route route;
        String rawId = null;
        if (below.equals("/user")) {
            route = new Route("user", List.of("read_user", "api", "read_api"), "");
        } else {
            Matcher matcher = PROJECT_ROUTE.matcher(below);
            if (!matcher.matches()) {
                return routeNotFound();
            }
            rawId = matcher.group(1);
            String rest = matcher.group(2) == null ? "" : matcher.group(2);
            Optional<Route> found = projectRoute(method, rest);
            if (found.isEmpty()) {
                return routeNotFound();
            }
            route = found.get();
        }
        if (route.kind().equals("405")) {
            return json(405, JSON.createObjectNode().put("error", "405 Not Allowed"));
        }
        if (route.kind().equals("501")) {
            // A route GitLab has and the stand-in does not model.
            return message(501, "the GitLab stand-in does not model " + method + " " + below);
        }
        Token token = null;
        String credential = credential(headers);
        if (credential != null) {
            token = tokens.get(credential);
            if (token == null) {
                return message(401, "401 Unauthorized");
            }
            if (!covers(token.scopes(), route, method)) {
                ObjectNode refusal = JSON.createObjectNode().put("error", "insufficient_scope")
                        .put("error_description", INSUFFICIENT_SCOPE).put("scope", String.join(
                                " ", route.scopes()));
                return json(403, refusal);
            }
        }
        boolean write = !method.equals("GET");
        if (token == null && (route.kind().equals("user") || (write && route.kind().startsWith(
                "mr")))) {
            return message(401, "401 Unauthorized");
        }
        if (route.kind().equals("user")) {
            return json(200, currentUser(token.username()));
        }
        if (route.kind().equals("file")) {
            String ref = first(query, "ref");
            if (ref == null) {
                return json(400, JSON.createObjectNode().put("error", "ref is missing"));
            }
            if (ref.isEmpty()) {
                return json(400, JSON.createObjectNode().put("error", "ref is empty"));
            }
        }
        Project project = findProject(decode(rawId));
        if (project == null || token == null) {
            return message(404, "404 Project Not Found");
        }
        return model(route, method, project, query, body, token.username(), rawId, split[0]);
    }

    /** The routes below {@code /projects/:id}: a kind, a 405 or 501 marker, or none. */
    private static Optional<Route> projectRoute(String method, String rest) {
        List<String> read = List.of("api", "read_api");
        List<String> files = List.of("read_repository", "ai_workflows", "api", "read_api");
        String kind;
        Set<String> methods;
        Set<String> unmodelled = Set.of();
        if (rest.isEmpty()) {
            kind = "project";
            methods = Set.of("GET");
            unmodelled = Set.of("PUT", "DELETE");
        } else if (rest.matches("/repository/files/[^/]+")) {
            kind = "file";
            methods = Set.of("GET");
            unmodelled = Set.of("HEAD", "POST", "PUT", "DELETE");
        } else if (rest.matches("/repository/files/[^/]+/(raw|blame)")) {
            kind = "file-other";
            methods = Set.of();
            unmodelled = Set.of("GET");
        } else if (rest.matches("/repository/branches/[^/]+")) {
            kind = "branch";
            methods = Set.of("GET");
            unmodelled = Set.of("HEAD", "DELETE");
        } else if (rest.equals("/repository/branches")) {
            kind = "branches";
            methods = Set.of();
            unmodelled = Set.of("GET", "POST");
        } else if (rest.equals("/repository/commits")) {
            kind = "commits";
            methods = Set.of("GET", "POST");
        } else if (rest.startsWith("/repository/commits/")) {
            kind = "commit-other";
            methods = Set.of();
            unmodelled = Set.of("GET", "POST");
        } else if (rest.equals("/merge_requests")) {
            kind = "mr-list";
            methods = Set.of("GET", "POST");
        } else if (rest.matches("/merge_requests/\\d+")) {
            kind = "mr";
            methods = Set.of("GET");
            unmodelled = Set.of("PUT", "DELETE");
        } else if (rest.matches("/merge_requests/\\d+/approve")) {
            kind = "mr-approve";
            methods = Set.of("POST");
        } else if (rest.matches("/merge_requests/\\d+/approvals")) {
            kind = "mr-approvals";
            methods = Set.of("GET");
        } else if (rest.matches("/merge_requests/\\d+/(unapprove|merge|notes|changes|diffs"
                + "|commits|discussions)")) {
            kind = "mr-other";
            methods = Set.of();
            unmodelled = Set.of("GET", "POST", "PUT");
        } else if (rest.equals("/issues")) {
            kind = "issue-list";
            methods = Set.of("GET");
            unmodelled = Set.of("POST");
        } else if (rest.matches("/issues/\\d+")) {
            kind = "issue";
            methods = Set.of("GET");
            unmodelled = Set.of("PUT", "DELETE");
        } else {
            return Optional.empty();
        }
        if (methods.contains(method)) {
            return Optional.of(new Route(kind, kind.equals("file") ? files : read, rest));
        }
        if (unmodelled.contains(method)) {
            return Optional.of(new Route("501", read, rest));
        }
        if (methods.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Route("405", read, rest));
    }

    /** Whether {@code scopes} cover the route: api always, read-only scopes on GET only. */
    private static boolean covers(Set<String> scopes, Route route, String method) {
        if (scopes.contains("api")) {
            return true;
        }
        if (!method.equals("GET")) {
            return false;
        }
        return route.scopes().stream().filter(s -> !s.equals("ai_workflows")).anyMatch(
                scopes::contains);
    }

    private MockResponse model(Route route, String method, Project project,
            Map<String, List<String>> query, String body, String username, String rawId,
            String path) {
        String rest = route.rest();
        switch (route.kind()) {
            case "project" -> {
                return json(200, project(project));
            }
            case "file" -> {
                return file(project, decode(rest.substring("/repository/files/".length())),
                        first(query, "ref"));
            }
            case "branch" -> {
                return branch(project, decode(rest.substring("/repository/branches/"
                        .length())));
            }
            case "commits" -> {
                return method.equals("GET")
                        ? commits(project, query, rawId, path)
                        : createCommit(project, JSON.readTree(body), username);
            }
            case "mr-list" -> {
                return method.equals("GET")
                        ? listMergeRequests(project, query, rawId, path)
                        : createMergeRequest(project, JSON.readTree(body), username);
            }
            case "mr" -> {
                return json(200, mergeRequest(project, mergeRequestAt(project, rest)));
            }
            case "mr-approve" -> {
                return approve(project, mergeRequestAt(project, rest), body.isBlank()
                        ? JSON.createObjectNode()
                        : JSON.readTree(body), username);
            }
            case "mr-approvals" -> {
                return json(200, approvalState(project, mergeRequestAt(project, rest),
                        username));
            }
            case "issue-list" -> {
                return listIssues(project, query, rawId, path);
            }
            case "issue" -> {
                int iid = Integer.parseInt(rest.substring("/issues/".length()));
                if (iid < 1 || iid > project.issues.size()) {
                    return message(404, "404 Not found");
                }
                return json(200, issue(project, project.issues.get(iid - 1)));
            }
            default -> throw new IllegalStateException(route.kind());
        }
    }

    // ---- handlers ----------------------------------------------------------------------------

    private MockResponse file(Project project, String path, String ref) {
        Commit commit = resolve(project, ref);
        if (commit == null) {
            return message(404, "404 Commit Not Found");
        }
        byte[] bytes = commit.tree().get(path);
        if (bytes == null) {
            return message(404, "404 File Not Found");
        }
        ObjectNode node = JSON.createObjectNode().put("file_name", path.substring(path
                .lastIndexOf('/') + 1)).put("file_path", path).put("size", bytes.length).put(
                        "encoding", "base64")
                .put("content_sha256", sha256(bytes)).put("ref", ref)
                .put("blob_id", blobSha(bytes)).put("commit_id", commit.sha()).put(
                        "last_commit_id", lastCommit(project, commit, path).sha())
                .put("execute_filemode", false).put("content", Base64.getEncoder()
                        .encodeToString(bytes));
        MockResponse.Builder answer = new MockResponse.Builder(json(200, node));
        List.of("file_name", "file_path", "size", "encoding", "content_sha256", "ref", "blob_id",
                "commit_id", "last_commit_id", "execute_filemode").forEach(
                        field -> answer
                                .addHeader(header(field), node.path(field).asString()));
        return answer.build();
    }

    /** GitLab's {@code set_http_headers}: {@code X-Gitlab-} and the field in Title-Case. */
    private static String header(String field) {
        StringBuilder name = new StringBuilder("X-Gitlab");
        for (String part : field.split("_")) {
            name.append('-').append(Character.toUpperCase(part.charAt(0))).append(part
                    .substring(1));
        }
        return name.toString();
    }

    /** The newest commit on the first-parent line whose {@code path} differs from its parent's. */
    private static Commit lastCommit(Project project, Commit from, String path) {
        Commit commit = from;
        while (commit.parent() != null) {
            Commit parent = project.commits.get(commit.parent());
            if (!Arrays.equals(commit.tree().get(path), parent.tree().get(path))) {
                return commit;
            }
            commit = parent;
        }
        return commit;
    }

    private MockResponse branch(Project project, String name) {
        String sha = project.branches.get(name);
        if (sha == null) {
            return message(404, "404 Branch Not Found");
        }
        boolean isProtected = project.protectedBranches.contains(name);
        ObjectNode node = JSON.createObjectNode().put("name", name);
        node.set("commit", commit(project, project.commits.get(sha)));
        node.put("merged", false).put("protected", isProtected).put("developers_can_push",
                !isProtected).put("developers_can_merge", !isProtected).put("can_push",
                        !isProtected)
                .put("default", name.equals(project.defaultBranch)).put("web_url",
                        project.webUrl() + "/-/tree/" + encodeSegments(name));
        return json(200, node);
    }

    private MockResponse commits(Project project, Map<String, List<String>> query, String rawId,
            String path) {
        int page = page(query);
        int perPage = perPage(query);
        String refName = first(query, "ref_name");
        Commit base = resolve(project, refName == null || refName.isEmpty()
                ? project.defaultBranch
                : refName);
        List<Commit> history = base == null ? List.of() : project.history(base.sha());
        List<Commit> slice = slice(history, page, perPage);
        ArrayNode list = JSON.createArrayNode();
        slice.forEach(commit -> list.add(commit(project, commit)));
        // GitLab lists commits without counting: one more than it loaded is its "total".
        int total = (page - 1) * perPage + slice.size() + 1;
        return paged(list, total, page, perPage, query, rawId, path, false);
    }

    private MockResponse createCommit(Project project, JsonNode request, String username) {
        String branch = request.path("branch").asString("");
        if (!branch.isEmpty() && project.protectedBranches.contains(branch)) {
            return message(403, "403 Forbidden - You are not allowed to push into this branch");
        }
        if (branch.isEmpty()) {
            return badRequest("branch is required");
        }
        if (request.path("commit_message").asString("").isEmpty()) {
            return badRequest("commit_message is required");
        }
        JsonNode actions = request.path("actions");
        if (actions.isMissingNode() || actions.isNull() || (actions.isArray() && actions
                .isEmpty())) {
            return badRequest("actions is required");
        }
        if (!actions.isArray()) {
            return badRequest("actions must be an array");
        }
        if (request.has("start_sha") || request.has("start_project")) {
            return message(501, "the GitLab stand-in does not model start_sha or start_project");
        }
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            JsonNode action = actions.get(i);
            String kind = action.path("action").asString("");
            String prefix = "actions[" + i + "]";
            if (kind.isEmpty()) {
                return badRequest(prefix + "[action] is required");
            }
            if (action.path("file_path").asString("").isEmpty()) {
                return badRequest(prefix + "[file_path] is required");
            }
            if (!Set.of("create", "update", "move", "delete", "chmod").contains(kind)) {
                return badRequest(prefix
                        + "[action] must be one of: create, update, move, delete, chmod");
            }
            String encoding = action.path("encoding").asString("text");
            if (!Set.of("text", "base64").contains(encoding)) {
                return badRequest(prefix + "[encoding] must be text or base64");
            }
            if (kind.equals("update") && !action.has("content")) {
                return badRequest(prefix + "[content] is required for update action");
            }
            if (kind.equals("move") && action.path("previous_path").asString("").isEmpty()) {
                return badRequest(prefix + "[previous_path] is required for move action");
            }
            if (kind.equals("chmod") && !action.has("execute_filemode")) {
                return badRequest(prefix + "[execute_filemode] is required for chmod action");
            }
            JsonNode content = action.path("content");
            if (content.isNull() || content.isMissingNode()) {
                contents.add(null);
            } else if (encoding.equals("base64")) {
                try {
                    contents.add(Base64.getDecoder().decode(content.asString()));
                } catch (IllegalArgumentException e) {
                    return message(400, "invalid base64 content in " + prefix);
                }
            } else {
                contents.add(content.asString().getBytes(StandardCharsets.UTF_8));
            }
        }
        String startBranch = request.path("start_branch").asString("");
        if (startBranch.isEmpty()) {
            startBranch = branch;
        }
        boolean force = request.path("force").asBoolean(false);
        if (!project.branches.containsKey(startBranch)) {
            return message(400, "You can only create or edit files when you are on a branch");
        }
        if (!startBranch.equals(branch) && project.branches.containsKey(branch) && !force) {
            return message(400, "A branch called '" + branch + "' already exists. Switch to"
                    + " that branch in order to make changes");
        }
        Commit head = project.commits.get(project.branches.get(startBranch));
        for (JsonNode action : actions) {
            String kind = action.path("action").asString();
            String lastCommitId = action.path("last_commit_id").asString("");
            if (kind.equals("create") || lastCommitId.isEmpty()) {
                continue;
            }
            String path = action.path("previous_path").asString("");
            path = path.isEmpty() ? action.path("file_path").asString() : path;
            if (head.tree().containsKey(path) && !lastCommit(project, head, path).sha().equals(
                    lastCommitId)) {
                return message(400, "The file has changed since you started editing it: "
                        + path);
            }
        }
        Map<String, byte[]> tree = new TreeMap<>(head.tree());
        for (int i = 0; i < actions.size(); i++) {
            JsonNode action = actions.get(i);
            String path = action.path("file_path").asString();
            byte[] content = contents.get(i);
            switch (action.path("action").asString()) {
                case "create" -> {
                    if (tree.containsKey(path)) {
                        return message(400, "A file with this name already exists");
                    }
                    tree.put(path, content == null ? new byte[0] : content);
                }
                case "update" -> {
                    if (!tree.containsKey(path)) {
                        return message(400, "A file with this name doesn't exist");
                    }
                    tree.put(path, content);
                }
                case "delete", "chmod" -> {
                    if (!tree.containsKey(path)) {
                        return message(400, "A file with this name doesn't exist");
                    }
                    if (action.path("action").asString().equals("delete")) {
                        tree.remove(path);
                    }
                }
                case "move" -> {
                    String from = action.path("previous_path").asString();
                    if (!tree.containsKey(from)) {
                        return message(400, "A file with this name doesn't exist");
                    }
                    if (tree.containsKey(path)) {
                        return message(400, "A file with this name already exists");
                    }
                    byte[] moved = tree.remove(from);
                    // No content keeps the previous file's; "" empties it.
                    tree.put(path, content == null ? moved : content);
                }
                default -> throw new IllegalStateException();
            }
        }
        String author = request.path("author_name").asString(username);
        Commit commit = project.commit(head.sha(), request.path("commit_message").asString(),
                author, tree);
        project.branches.put(branch, commit.sha());
        ObjectNode node = commit(project, commit);
        int additions = 0;
        int deletions = 0;
        Set<String> paths = new TreeSet<>(head.tree().keySet());
        paths.addAll(tree.keySet());
        for (String path : paths) {
            byte[] before = head.tree().get(path);
            byte[] after = tree.get(path);
            if (!Arrays.equals(before, after)) {
                additions += lines(after);
                deletions += lines(before);
            }
        }
        node.putObject("stats").put("additions", additions).put("deletions", deletions).put(
                "total", additions + deletions);
        node.putNull("status");
        node.put("project_id", project.id);
        node.putNull("last_pipeline");
        return json(201, node);
    }

    private static int lines(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return 0;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return text.split("\n", -1).length - (text.endsWith("\n") ? 1 : 0);
    }

    private MockResponse createMergeRequest(Project project, JsonNode request, String username) {
        List<String> missing = new ArrayList<>();
        for (String field : List.of("title", "source_branch", "target_branch")) {
            if (!request.path(field).isString()) {
                missing.add(field + " is missing");
            }
        }
        if (!missing.isEmpty()) {
            return json(400, JSON.createObjectNode().put("error", String.join(", ", missing)));
        }
        if (request.hasNonNull("target_project_id") && request.path("target_project_id")
                .asLong() != project.id) {
            return message(501, "the GitLab stand-in does not model cross-project merge"
                    + " requests");
        }
        String source = request.path("source_branch").asString();
        String target = request.path("target_branch").asString();
        List<String> errors = new ArrayList<>();
        if (source.isEmpty() || target.isEmpty()) {
            errors.add("You must select source and target branch");
        }
        if (source.equals(target)) {
            errors.add("You must select different branches");
        }
        if (!source.isEmpty() && resolve(project, source) == null) {
            errors.add("Source branch \"" + source + "\" does not exist");
        }
        if (!target.isEmpty() && resolve(project, target) == null) {
            errors.add("Target branch \"" + target + "\" does not exist");
        }
        if (!errors.isEmpty()) {
            return messages(422, errors);
        }
        for (Issuable other : project.mergeRequests) {
            if (other.state.equals("opened") && other.sourceBranch.equals(source)
                    && other.targetBranch.equals(target)) {
                return messages(409, List.of("Another open merge request already exists for"
                        + " this source branch: !" + other.iid));
            }
        }
        Issuable mergeRequest = project.newMergeRequest(request.path("title").asString(),
                request.path("description").asString(""), username, source, target);
        return json(201, mergeRequest(project, mergeRequest));
    }

    private MockResponse listMergeRequests(Project project, Map<String, List<String>> query,
            String rawId, String path) {
        String state = Optional.ofNullable(first(query, "state")).orElse("all");
        if (!Set.of("opened", "closed", "locked", "merged", "all").contains(state)) {
            return json(400, JSON.createObjectNode().put("error",
                    "state does not have a valid value"));
        }
        String source = first(query, "source_branch");
        String target = first(query, "target_branch");
        List<Issuable> found = newestFirst(project.mergeRequests).stream().filter(mr -> state
                .equals("all") || mr.state.equals(state)).filter(mr -> source == null
                        || mr.sourceBranch.equals(source))
                .filter(mr -> target == null || mr.targetBranch.equals(target)).toList();
        int page = page(query);
        int perPage = perPage(query);
        ArrayNode list = JSON.createArrayNode();
        slice(found, page, perPage).forEach(mr -> list.add(mergeRequest(project, mr)));
        return paged(list, found.size(), page, perPage, query, rawId, path, true);
    }

    private MockResponse listIssues(Project project, Map<String, List<String>> query,
            String rawId, String path) {
        String state = Optional.ofNullable(first(query, "state")).orElse("all");
        if (!Set.of("opened", "closed", "all").contains(state)) {
            return json(400, JSON.createObjectNode().put("error",
                    "state does not have a valid value"));
        }
        List<Issuable> found = newestFirst(project.issues).stream().filter(i -> state.equals(
                "all") || i.state.equals(state)).toList();
        int page = page(query);
        int perPage = perPage(query);
        ArrayNode list = JSON.createArrayNode();
        slice(found, page, perPage).forEach(issue -> list.add(issue(project, issue)));
        return paged(list, found.size(), page, perPage, query, rawId, path, true);
    }

    private MockResponse approve(Project project, Issuable mergeRequest, JsonNode request,
            String username) {
        String sha = request.path("sha").asString("");
        String head = project.branches.get(mergeRequest.sourceBranch);
        if (!sha.isEmpty() && !sha.equals(head)) {
            return message(409, "SHA does not match HEAD of source branch: " + head);
        }
        if (mergeRequest.author.equals(username) || mergeRequest.approvedBy.contains(
                username)) {
            // MergeRequests::ApprovalService refuses; the API answers a bare unauthorized!.
            return message(401, "401 Unauthorized");
        }
        mergeRequest.approvedBy.add(username);
        return json(201, approvalState(project, mergeRequest, username));
    }

    private Issuable mergeRequestAt(Project project, String rest) {
        int iid = Integer.parseInt(rest.split("/")[2]);
        if (iid < 1 || iid > project.mergeRequests.size()) {
            throw new Answer(message(404, "404 Not found"));
        }
        return project.mergeRequests.get(iid - 1);
    }

    // ---- JSON shapes -------------------------------------------------------------------------

    private ObjectNode project(Project project) {
        ObjectNode node = projectBasics(project);
        node.put("visibility", "private").put("archived", false).put("empty_repo", false);
        node.putObject("namespace").put("id", project.namespaceId).put("name", project
                .namespace().substring(project.namespace().lastIndexOf('/') + 1)).put("path",
                        project.namespace().substring(project.namespace().lastIndexOf('/')
                                + 1))
                .put("kind", "group").put("full_path", project.namespace()).put("web_url",
                        appUrl() + "groups/" + project.namespace());
        node.put("open_issues_count", project.issues.stream().filter(i -> i.state.equals(
                "opened")).count()).put("issues_enabled", true).put("merge_requests_enabled",
                        true)
                .put("forks_count", projects.values().stream().filter(
                        p -> p.forkedFrom == project).count());
        if (project.forkedFrom != null) {
            node.set("forked_from_project", projectBasics(project.forkedFrom));
        }
        node.putObject("permissions").putObject("project_access").put("access_level", 30).put(
                "notification_level", 3);
        return node;
    }

    private ObjectNode projectBasics(Project project) {
        return JSON.createObjectNode().put("id", project.id).put("description", "").put("name",
                project.name()).put("name_with_namespace", project.fullPath.replace("/", " / "))
                .put("path", project.name()).put("path_with_namespace", project.fullPath).put(
                        "created_at", time(project.created))
                .put("default_branch", project.defaultBranch).put("ssh_url_to_repo",
                        "git@127.0.0.1:" + project.fullPath + ".git")
                .put("http_url_to_repo", project.webUrl() + ".git").put("web_url", project
                        .webUrl());
    }

    private ObjectNode commit(Project project, Commit commit) {
        ObjectNode node = JSON.createObjectNode().put("id", commit.sha()).put("short_id", commit
                .sha().substring(0, 8)).put("created_at", commitTime(commit.when()));
        ArrayNode parents = node.putArray("parent_ids");
        if (commit.parent() != null) {
            parents.add(commit.parent());
        }
        node.put("title", commit.title()).put("message", commit.message()).put("author_name",
                commit.author()).put("author_email", email(commit.author())).put(
                        "authored_date", commitTime(commit.when()))
                .put("committer_name", commit.author()).put("committer_email", email(commit
                        .author()))
                .put("committed_date", commitTime(commit.when()));
        node.putObject("trailers");
        node.putObject("extended_trailers");
        node.put("web_url", project.webUrl() + "/-/commit/" + commit.sha());
        return node;
    }

    private ObjectNode user(String username) {
        return JSON.createObjectNode().put("id", users.getOrDefault(username, -1L)).put(
                "username", username).put("name", username).put("state", "active").put(
                        "locked", false)
                .put("avatar_url", appUrl() + "uploads/-/system/user/avatar/" + username
                        + ".png")
                .put("web_url", appUrl() + username);
    }

    private ObjectNode currentUser(String username) {
        ObjectNode node = user(username);
        node.put("created_at", "2020-01-01T00:00:00.000Z").put("bio", "").put("public_email",
                "").put("bot", false).put("email", email(username)).put("commit_email", email(
                        username));
        return node;
    }

    private ObjectNode mergeRequest(Project project, Issuable mr) {
        boolean draft = isDraft(mr.title);
        ObjectNode node = JSON.createObjectNode().put("id", mr.id).put("iid", mr.iid).put(
                "project_id", project.id).put("title", mr.title).put("description", mr.description)
                .put("state", mr.state).put("created_at", time(mr.created)).put(
                        "updated_at", time(mr.updated));
        node.putNull("merged_by");
        node.putNull("merge_user");
        putTime(node, "merged_at", mr.state.equals("merged") ? mr.updated : null);
        node.putNull("closed_by");
        putTime(node, "closed_at", mr.closedAt);
        node.put("target_branch", mr.targetBranch).put("source_branch", mr.sourceBranch).put(
                "user_notes_count", 0).put("upvotes", 0).put("downvotes", 0);
        node.set("author", user(mr.author));
        node.putArray("assignees");
        node.putNull("assignee");
        node.putArray("reviewers");
        node.put("source_project_id", project.id).put("target_project_id", project.id);
        node.putArray("labels");
        node.put("draft", draft).put("work_in_progress", draft);
        node.putNull("milestone");
        node.put("merge_when_pipeline_succeeds", false).put("merge_status", "can_be_merged").put(
                "detailed_merge_status", draft ? "draft_status" : "mergeable");
        String head = project.branches.get(mr.sourceBranch);
        putNullable(node, "sha", head);
        node.putNull("merge_commit_sha");
        node.putNull("squash_commit_sha");
        node.put("reference", "!" + mr.iid);
        node.putObject("references").put("short", "!" + mr.iid).put("relative", "!" + mr.iid)
                .put("full", project.fullPath + "!" + mr.iid);
        node.put("web_url", project.webUrl() + "/-/merge_requests/" + mr.iid);
        node.put("squash", false).put("has_conflicts", false).put(
                "blocking_discussions_resolved", true);
        return node;
    }

    private ObjectNode approvalState(Project project, Issuable mr, String username) {
        ObjectNode node = JSON.createObjectNode().put("id", mr.id).put("iid", mr.iid).put(
                "project_id", project.id).put("title", mr.title).put("description", mr.description)
                .put("state", mr.state).put("created_at", time(mr.created)).put(
                        "updated_at", time(mr.updated))
                .put("merge_status", "can_be_merged").put(
                        "approved", !mr.approvedBy.isEmpty())
                .put("approvals_required", 0).put(
                        "approvals_left", 0)
                .put("require_password_to_approve", false);
        ArrayNode approvedBy = node.putArray("approved_by");
        mr.approvedBy.forEach(approver -> approvedBy.addObject().set("user", user(approver)));
        node.put("user_has_approved", mr.approvedBy.contains(username)).put("user_can_approve",
                !mr.author.equals(username) && !mr.approvedBy.contains(username));
        return node;
    }

    private ObjectNode issue(Project project, Issuable issue) {
        String web = project.webUrl() + "/-/issues/" + issue.iid;
        String self = apiUrl() + "/projects/" + project.id + "/issues/" + issue.iid;
        ObjectNode node = JSON.createObjectNode().put("id", issue.id).put("iid", issue.iid).put(
                "project_id", project.id).put("title", issue.title)
                .put("description", issue.description)
                .put("state", issue.state).put("created_at", time(issue.created))
                .put("updated_at", time(issue.updated));
        putTime(node, "closed_at", issue.closedAt);
        node.putNull("closed_by");
        node.putArray("labels");
        node.putNull("milestone");
        node.putArray("assignees");
        node.set("author", user(issue.author));
        node.put("type", "ISSUE");
        node.putNull("assignee");
        node.put("user_notes_count", 0).put("merge_requests_count", 0).put("upvotes", 0).put(
                "downvotes", 0);
        node.putNull("due_date");
        node.put("confidential", false);
        node.putNull("discussion_locked");
        node.put("issue_type", "issue").put("web_url", web);
        node.putObject("references").put("short", "#" + issue.iid).put("relative", "#"
                + issue.iid).put("full", project.fullPath + "#" + issue.iid);
        node.putObject("_links").put("self", self).put("notes", self + "/notes").put(
                "award_emoji", self + "/award_emoji").put("project",
                        apiUrl() + "/projects/"
                                + project.id);
        return node;
    }

    // ---- answers -----------------------------------------------------------------------------

    private static MockResponse json(int status, Object body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type",
                "application/json").body(
                        body instanceof String s
                                ? s
                                : JSON.writeValueAsString(body))
                .build();
    }

    /** GitLab's {@code render_api_error!}: {@code {"message": ...}}. */
    private static MockResponse message(int status, String message) {
        return json(status, JSON.createObjectNode().put("message", message));
    }

    /** A model's errors, as GitLab lists them: {@code {"message": [...]}}. */
    private static MockResponse messages(int status, List<String> messages) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode list = node.putArray("message");
        messages.forEach(list::add);
        return json(status, node);
    }

    /** GitLab's {@code bad_request!(reason)}. */
    private static MockResponse badRequest(String reason) {
        return message(400, "400 Bad request - " + reason);
    }

    /** Grape's answer to a path no route matches. */
    private static MockResponse routeNotFound() {
        return json(404, JSON.createObjectNode().put("error", "404 Not Found"));
    }

    /** A page of a list with GitLab's offset-pagination headers. */
    private MockResponse paged(ArrayNode list, int total, int page, int perPage,
            Map<String, List<String>> query, String rawId, String path, boolean counted) {
        MockResponse.Builder builder = new MockResponse.Builder(json(200, list));
        int totalPages = Math.max(1, (total + perPage - 1) / perPage);
        boolean hasNext = page < totalPages;
        builder.addHeader("X-Page", Integer.toString(page)).addHeader("X-Per-Page", Integer
                .toString(perPage)).addHeader("X-Next-Page", hasNext
                        ? Integer.toString(page + 1)
                        : "")
                .addHeader("X-Prev-Page", page > 1 ? Integer.toString(page - 1) : "");
        if (counted) {
            builder.addHeader("X-Total", Integer.toString(total)).addHeader("X-Total-Pages",
                    Integer.toString(totalPages));
        }
        List<String> links = new ArrayList<>();
        if (page > 1) {
            links.add("<" + link(path, rawId, query, page - 1, perPage) + ">; rel=\"prev\"");
        }
        if (hasNext) {
            links.add("<" + link(path, rawId, query, page + 1, perPage) + ">; rel=\"next\"");
        }
        links.add("<" + link(path, rawId, query, 1, perPage) + ">; rel=\"first\"");
        if (counted) {
            links.add("<" + link(path, rawId, query, totalPages, perPage) + ">; rel=\"last\"");
        }
        builder.addHeader("Link", String.join(", ", links));
        return builder.build();
    }

    /** The request's URL with the route's id and every parameter, sorted, as Rails' to_query. */
    private String link(String path, String rawId, Map<String, List<String>> query, int page,
            int perPage) {
        Map<String, String> params = new TreeMap<>();
        query.forEach((key, values) -> params.put(key, values.getLast()));
        params.put("id", decode(rawId));
        params.put("page", Integer.toString(page));
        params.put("per_page", Integer.toString(perPage));
        List<String> pairs = new ArrayList<>();
        params.forEach((key, value) -> pairs.add(URLEncoder.encode(key, StandardCharsets.UTF_8)
                + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return appUrl() + path.substring(1) + "?" + String.join("&", pairs);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String appUrl() {
        return "http://127.0.0.1:" + server.getPort() + "/";
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String time(Instant instant) {
        return TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    private static String commitTime(Instant instant) {
        return COMMIT_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    private static void putTime(ObjectNode node, String field, Instant instant) {
        if (instant == null) {
            node.putNull(field);
        } else {
            node.put(field, time(instant));
        }
    }

    private static void putNullable(ObjectNode node, String field, String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private void addUser(String username) {
        users.computeIfAbsent(username, k -> nextId++);
    }

    private static String email(String username) {
        return username + "@example.com";
    }

    private static boolean isDraft(String title) {
        return DRAFT.matcher(title.stripLeading()).find();
    }

    /** {@code PRIVATE-TOKEN} first, then {@code Authorization: Bearer X} in any case. */
    private static String credential(Map<String, String> headers) {
        String privateToken = headers.get("PRIVATE-TOKEN");
        if (privateToken != null && !privateToken.isBlank()) {
            return privateToken.trim();
        }
        String authorization = headers.get("Authorization");
        if (authorization == null) {
            return null;
        }
        String[] parts = authorization.trim().split("\\s+");
        if (parts.length == 2 && parts[0].equalsIgnoreCase("bearer")) {
            return parts[1];
        }
        return null;
    }

    private Project findProject(String id) {
        if (id.matches("\\d+")) {
            long numeric = Long.parseLong(id);
            return projects.values().stream().filter(p -> p.id == numeric).findFirst().orElse(
                    null);
        }
        Project found = projects.get(id.toLowerCase(Locale.ROOT));
        return found != null ? found : redirects.get(id.toLowerCase(Locale.ROOT));
    }

    /** A branch name, a full commit SHA, or an abbreviated one of at least four digits. */
    private static Commit resolve(Project project, String ref) {
        if (ref == null) {
            return null;
        }
        if (project.branches.containsKey(ref)) {
            return project.commits.get(project.branches.get(ref));
        }
        if (ref.length() >= 4 && ref.matches("[0-9a-f]+")) {
            return project.commits.values().stream().filter(c -> c.sha().startsWith(ref))
                    .findFirst().orElse(null);
        }
        return null;
    }

    private static List<Issuable> newestFirst(List<Issuable> items) {
        return items.stream().sorted(Comparator.comparing((Issuable i) -> i.created)
                .thenComparingLong(i -> i.id).reversed()).toList();
    }

    private static <T> List<T> slice(List<T> items, int page, int perPage) {
        int from = (int) Math.min(items.size(), (long) (page - 1) * perPage);
        return items.subList(from, Math.min(items.size(), from + perPage));
    }

    private static int page(Map<String, List<String>> query) {
        return Math.max(1, intParam(query, "page", 1));
    }

    private static int perPage(Map<String, List<String>> query) {
        int perPage = intParam(query, "per_page", DEFAULT_PAGE_SIZE);
        return perPage <= 0 ? DEFAULT_PAGE_SIZE : Math.min(perPage, MAX_PAGE_SIZE);
    }

    private static int intParam(Map<String, List<String>> query, String name, int otherwise) {
        try {
            String value = first(query, name);
            return value == null ? otherwise : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private static Map<String, List<String>> query(String text) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split("&")) {
                String[] kv = pair.split("=", 2);
                query.computeIfAbsent(decodeQuery(kv[0]), k -> new ArrayList<>())
                        .add(kv.length > 1 ? decodeQuery(kv[1]) : "");
            }
        }
        return query;
    }

    private static String decodeQuery(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** A path segment's percent-decoding ({@code +} stays a plus, as in a URL path). */
    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodeSegments(String path) {
        return Arrays.stream(path.split("/", -1)).map(segment -> URLEncoder.encode(segment,
                StandardCharsets.UTF_8).replace("+", "%20")).reduce((a, b) -> a + "/" + b)
                .orElse("");
    }

    /** Git's blob ID: SHA-1 of {@code "blob <size>\0"} and the bytes. */
    static String blobSha(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(header, header.length + bytes.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return sha1(all);
    }

    private static String sha1(byte[] bytes) {
        return digest("SHA-1", bytes);
    }

    private static String sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    private static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
