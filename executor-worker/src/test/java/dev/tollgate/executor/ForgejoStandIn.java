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
 * A stand-in for a Forgejo (or Gitea) server's REST API v1 on loopback, for tests: a small
 * in-memory Forgejo with users, access tokens and their scopes, repositories with branches,
 * commits, files, protected branches, issues, pull requests and reviews, served under
 * {@code /api/v1} with Forgejo's field names and Forgejo's answers to mistakes. Any answer can be
 * scripted ahead of the model ({@link #failNext}), and every request is recorded
 * ({@link #received()}).
 *
 * <p>What it follows, read from Forgejo's source (routers/api/v1, services/context,
 * services/repository/files, models, mid-2025) and its swagger description:
 * <ul>
 * <li><b>Authentication.</b> {@code Authorization: token X} or {@code Bearer X} (any case). An
 * unknown token is refused on every route with 401 {@code user does not exist [uid: 0, name: ]}.
 * No token at all is an anonymous caller: a private repository (every repository is private
 * unless {@link Repo#makePublic()}) answers 404, as Forgejo hides it, and a write on a public one
 * answers 401 {@code token is required}. So "no token" is a 401 only on writes to public
 * repositories; that is Forgejo's behaviour, not a simplification.
 * <li><b>Scopes.</b> Checked before the repository is looked up. The level follows the method (GET
 * needs {@code read:}, POST/PUT/PATCH/DELETE need {@code write:}); {@code write:X} covers
 * {@code read:X} and {@code all} covers everything. The category follows Forgejo's route groups:
 * {@code /repos/{o}/{r}/issues...} needs the <em>issue</em> category (also for
 * {@code ?type=pulls}); everything else here, pull requests and their reviews included, needs
 * <em>repository</em>. Refusal: 403 {@code token does not have at least one of required scope(s):
 * [write:repository]}.
 * <li><b>Errors</b> are {@code {"message", "url"}}, {@code url} being the swagger page; "not found"
 * answers add {@code errors} and, as Forgejo does, often carry the handler's name as
 * {@code message} (e.g. {@code GetContentsOrList}). A 500 hides its message, as in production.
 * Unknown routes answer chi's plain-text {@code 404 page not found}, and a known route with
 * another method 405.
 * <li><b>Change files</b> ({@code POST /contents}): {@code branch} defaults to the default branch
 * and must exist (404 {@code branch does not exist [name: x]}); an existing {@code new_branch} is
 * 422 {@code branch already exists [name: x]}; a commit straight onto a protected branch is 403
 * {@code user cannot commit to repo [user: x]} (through {@code new_branch} it is allowed, as
 * Forgejo checks protection only when committing to the old branch); a {@code sha} that does not
 * match the file is 422 {@code sha does not match [given: a, expected: b]}; an update with no
 * {@code sha} is accepted (Forgejo fills in the branch head and finds no conflict, although the
 * swagger calls sha "required for update or delete"); creating a file that exists is 422
 * {@code repository file already exists [path: p]}; updating or deleting a file that does not
 * exist is a 500 with an empty message (Forgejo does not map that error). All files make one
 * commit; the answer is 201 with {@code files} (null for deleted paths) and {@code commit}.
 * <li><b>Pull requests.</b> Draft when the title starts with {@code WIP:} or {@code [WIP]}, any
 * case (Forgejo's default prefixes). Head equal to base: 422; absent base: 404
 * {@code BaseNotExist}; absent head: 404 {@code IsRefExist}; an open pull request for the same
 * head and base: 409 {@code pull request already exists for these targets [...]}. Listing without
 * {@code state} lists all of them (Forgejo's code, though the swagger says the default is open);
 * issues list open ones by default. Newest first.
 * <li><b>Reviews.</b> {@code APPROVED}, {@code REQUEST_CHANGES}, {@code COMMENT}, and anything
 * else (PENDING, empty) is a pending review. PENDING and REQUEST_CHANGES need a body (422
 * {@code review event PENDING requires a body}); COMMENT needs a body or comments; the author
 * cannot approve or reject their own pull request (422). Answer: 200 PullReview.
 * <li><b>Lists</b> take {@code page} (from 1) and {@code limit} (30 by default, at most 50) and
 * answer {@code X-Total-Count} and a {@code Link} header (next, last, first, prev, as Forgejo
 * orders them); commits add {@code X-Page}, {@code X-PerPage}, {@code X-Total},
 * {@code X-PageCount}, {@code X-HasMore}.
 * </ul>
 * Guessed rather than read: the wording of binding errors ({@code [Title]: Required}), the base64
 * error text, plain-text 404 for paths outside {@code /api/v1}, review {@code html_url}s, and
 * which fields a few answers leave out (commit {@code stats}, repository settings flags). Not
 * modelled: forks and cross-repository pull requests, merging, labels and milestones, pushes
 * through git, archived repositories, branch protection rules beyond "push disabled". A route
 * Forgejo has that the stand-in does not model (editing a pull request, say) answers 501.
 *
 * <p>Every token belongs to a user with write access to every repository here.
 */
public final class ForgejoStandIn implements AutoCloseable {

    /** The user that {@link #token(String, String...)} tokens belong to. */
    public static final String DEFAULT_LOGIN = "tollgate";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final int DEFAULT_PAGE_SIZE = 30;
    private static final int MAX_PAGE_SIZE = 50;
    private static final List<String> WORK_IN_PROGRESS = List.of("WIP:", "[WIP]");
    private static final Set<String> SCOPE_CATEGORIES = Set.of("activitypub", "admin", "misc",
            "notification", "organization", "package", "issue", "repository", "user");
    private static final Pattern REPO_ROUTE = Pattern.compile(
            "^/repos/([^/]+)/([^/]+)(/.*)?$");

    /** A request the stand-in received, as it came. */
    public record Received(String method, String path, String authorization, String body,
            Map<String, String> headers) {

        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private record Token(String login, Set<String> scopes) {
    }

    private record Commit(String sha, String parent, String message, String author,
            Instant when, Map<String, byte[]> tree) {
    }

    private static final class Issue {
        long id;
        int number;
        String title;
        String body;
        String poster;
        boolean closed;
        Instant created;
        Instant updated;
        Instant closedAt;
        Pull pull;
    }

    private static final class Pull {
        long id;
        String head;
        String base;
        String mergeBase;
        final List<ObjectNode> reviews = new ArrayList<>();
    }

    private final MockWebServer server = new MockWebServer();
    private final Clock clock;
    private final Map<String, Long> users = new LinkedHashMap<>();
    private final Map<String, Repo> repos = new LinkedHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ScriptedAnswers failures = new ScriptedAnswers();
    private long nextId = 1;
    private long commitCounter;

    private ForgejoStandIn(Clock clock) {
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
            throw new IllegalStateException("the Forgejo stand-in could not listen on loopback",
                    e);
        }
    }

    /** Starts a stand-in on 127.0.0.1 with the system clock. */
    public static ForgejoStandIn start() {
        return start(Clock.systemUTC());
    }

    /** Starts a stand-in on 127.0.0.1 whose timestamps come from {@code clock}. */
    public static ForgejoStandIn start(Clock clock) {
        return new ForgejoStandIn(clock);
    }

    // ---- set-up ------------------------------------------------------------------------------

    /** The API root, {@code http://127.0.0.1:PORT/api/v1}. */
    public URI apiUrl() {
        return URI.create(appUrl() + "api/v1");
    }

    /** Registers an access token of {@link #DEFAULT_LOGIN} with Forgejo scopes. */
    public void token(String value, String... scopes) {
        tokenFor(DEFAULT_LOGIN, value, scopes);
    }

    /**
     * Registers an access token of {@code login} with Forgejo scopes ({@code read:repository},
     * {@code write:issue}, {@code all} ...).
     */
    public synchronized void tokenFor(String login, String value, String... scopes) {
        for (String scope : scopes) {
            String[] parts = scope.split(":", 2);
            if (!scope.equals("all") && !scope.equals("public-only") && (parts.length != 2
                    || !Set.of("read", "write").contains(parts[0]) || !SCOPE_CATEGORIES
                            .contains(parts[1]))) {
                throw new IllegalArgumentException("not a Forgejo token scope: " + scope);
            }
        }
        addUser(login);
        tokens.put(value, new Token(login, Set.of(scopes)));
    }

    /**
     * Creates repository {@code owner/name}, private, with default branch {@code main} holding
     * one empty commit, or returns the one that exists.
     */
    public synchronized Repo repo(String owner, String name) {
        addUser(owner);
        return repos.computeIfAbsent(key(owner, name), k -> new Repo(owner, name));
    }

    /** Answers the next {@code times} requests, whatever they are, with this answer. */
    public void failNext(int times, int status, Map<String, String> headers, String body) {
        failNext(null, null, times, status, headers, body);
    }

    /**
     * Answers the next {@code times} requests with {@code method} (any when null) whose path
     * (below the host, e.g. {@code /api/v1/repos/o/r/contents}) starts with {@code pathPrefix}
     * (any when null), before authentication, with this answer.
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

    // ---- the in-memory repository --------------------------------------------------------------

    /** One in-memory repository; its methods change it as a push or the web UI would. */
    public final class Repo {
        private final long id;
        private final String owner;
        private final String name;
        private boolean isPrivate = true;
        private String description = "";
        private final String defaultBranch = "main";
        private final Map<String, String> branches = new LinkedHashMap<>();
        private final Map<String, Commit> commits = new HashMap<>();
        private final Set<String> protectedBranches = new LinkedHashSet<>();
        private final List<Issue> issues = new ArrayList<>();
        private final Instant created;

        private Repo(String owner, String name) {
            this.id = nextId++;
            this.owner = owner;
            this.name = name;
            this.created = now();
            Commit initial = commit(null, "Initial commit", owner, Map.of());
            branches.put(defaultBranch, initial.sha());
        }

        public String fullName() {
            return owner + "/" + name;
        }

        /** Makes the repository public: anonymous callers may read it. */
        public Repo makePublic() {
            synchronized (ForgejoStandIn.this) {
                isPrivate = false;
                return this;
            }
        }

        public Repo description(String text) {
            synchronized (ForgejoStandIn.this) {
                description = text;
                return this;
            }
        }

        /** Commits {@code text} at {@code path} on {@code branch} (created from main if absent). */
        public Repo file(String branch, String path, String text) {
            synchronized (ForgejoStandIn.this) {
                if (!branches.containsKey(branch)) {
                    branch(branch, defaultBranch);
                }
                Map<String, byte[]> tree = new TreeMap<>(commits.get(branches.get(branch))
                        .tree());
                tree.put(path, text.getBytes(StandardCharsets.UTF_8));
                Commit commit = commit(branches.get(branch), "Add " + path, owner, tree);
                branches.put(branch, commit.sha());
                return this;
            }
        }

        /** Creates {@code branch} at the head of {@code from}. */
        public Repo branch(String branch, String from) {
            synchronized (ForgejoStandIn.this) {
                String sha = Objects.requireNonNull(branches.get(from), "no branch " + from);
                branches.put(branch, sha);
                return this;
            }
        }

        /** Protects {@code branch} as a rule with pushing disabled: nobody may commit to it. */
        public Repo protect(String branch) {
            synchronized (ForgejoStandIn.this) {
                protectedBranches.add(branch);
                return this;
            }
        }

        /** Opens an issue by the owner and returns its number. */
        public int issue(String title, String body) {
            synchronized (ForgejoStandIn.this) {
                return newIssue(title, body, owner).number;
            }
        }

        /** Opens a pull request by the owner from {@code head} into {@code base}; its number. */
        public int pull(String title, String head, String base, String body) {
            synchronized (ForgejoStandIn.this) {
                if (!branches.containsKey(head) || !branches.containsKey(base)) {
                    throw new IllegalArgumentException("no branch " + head + " or " + base);
                }
                return newPull(title, body, owner, head, base).number;
            }
        }

        /** Closes issue or pull request {@code number}. */
        public Repo close(int number) {
            synchronized (ForgejoStandIn.this) {
                Issue issue = issues.get(number - 1);
                issue.closed = true;
                issue.closedAt = now();
                issue.updated = issue.closedAt;
                return this;
            }
        }

        /** The head commit of {@code branch}, if it exists. */
        public Optional<String> head(String branch) {
            synchronized (ForgejoStandIn.this) {
                return Optional.ofNullable(branches.get(branch));
            }
        }

        /** The text of {@code path} at the head of {@code branch}, if both exist. */
        public Optional<String> text(String branch, String path) {
            synchronized (ForgejoStandIn.this) {
                return Optional.ofNullable(branches.get(branch)).map(sha -> commits.get(sha)
                        .tree().get(path)).map(bytes -> new String(bytes,
                                StandardCharsets.UTF_8));
            }
        }

        /** The commit messages of {@code branch}, newest first. */
        public List<String> messages(String branch) {
            synchronized (ForgejoStandIn.this) {
                return history(branches.get(branch)).stream().map(Commit::message).toList();
            }
        }

        /** The commit SHAs of {@code branch}, newest first. */
        public List<String> shas(String branch) {
            synchronized (ForgejoStandIn.this) {
                return history(branches.get(branch)).stream().map(Commit::sha).toList();
            }
        }

        /** The reviews of pull request {@code number}, as answered, oldest first. */
        public List<JsonNode> reviews(int number) {
            synchronized (ForgejoStandIn.this) {
                return List.copyOf(issues.get(number - 1).pull.reviews);
            }
        }

        private Commit commit(String parent, String message, String author,
                Map<String, byte[]> tree) {
            Map<String, byte[]> snapshot = new TreeMap<>(tree);
            String sha = sha1(("commit " + fullName() + " " + parent + " " + message + " "
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

        private Issue newIssue(String title, String body, String poster) {
            Issue issue = new Issue();
            issue.id = nextId++;
            issue.number = issues.size() + 1;
            issue.title = title;
            issue.body = body == null ? "" : body;
            issue.poster = poster;
            issue.created = now();
            issue.updated = issue.created;
            issues.add(issue);
            return issue;
        }

        private Issue newPull(String title, String body, String poster, String head,
                String base) {
            Issue issue = newIssue(title, body, poster);
            issue.pull = new Pull();
            issue.pull.id = nextId++;
            issue.pull.head = head;
            issue.pull.base = base;
            issue.pull.mergeBase = branches.get(base);
            return issue;
        }

        private String htmlUrl() {
            return appUrl() + owner + "/" + name;
        }

        private String apiUrl() {
            return appUrl() + "api/v1/repos/" + owner + "/" + name;
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
        String authorization = headers.get("Authorization");
        received.add(new Received(method, target, authorization, body, Map.copyOf(headers)));
        String path = target.split("\\?", 2)[0];
        Optional<ScriptedAnswers.Taken> scripted = failures.take(method, path);
        if (scripted.isPresent()) {
            return scripted.get().builder().build();
        }
        try {
            synchronized (this) {
                return route(method, target, body, authorization);
            }
        } catch (Answer answer) {
            return answer.response;
        } catch (JacksonException e) {
            // Forgejo's binding answers a body that is not JSON as a validation error.
            return error(422, "[]: Json: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            return error(500, "");
        }
    }

    private MockResponse route(String method, String target, String body,
            String authorization) {
        String[] split = target.split("\\?", 2);
        String path = split[0];
        Map<String, List<String>> query = query(split.length > 1 ? split[1] : "");
        Token token = null;
        String credential = credential(authorization);
        if (credential != null) {
            token = tokens.get(credential);
            if (token == null) {
                return error(401, "user does not exist [uid: 0, name: ]");
            }
        }
        if (!path.startsWith("/api/v1/")) {
            return plainNotFound();
        }
        Matcher matcher = REPO_ROUTE.matcher(path.substring("/api/v1".length()));
        if (!matcher.matches()) {
            return plainNotFound();
        }
        String rest = matcher.group(3) == null ? "" : matcher.group(3);
        Optional<Set<String>> methods = methodsFor(rest);
        if (methods.isEmpty()) {
            return plainNotFound();
        }
        if (!methods.get().contains(method)) {
            return new MockResponse.Builder().code(405).build();
        }
        boolean write = !method.equals("GET");
        if (token != null) {
            String category = rest.startsWith("/issues") ? "issue" : "repository";
            String required = (write ? "write:" : "read:") + category;
            if (!hasScope(token.scopes(), write, category)) {
                return error(403, "token does not have at least one of required scope(s): ["
                        + required + "]");
            }
        }
        String owner = decode(matcher.group(1));
        String name = decode(matcher.group(2));
        if (!users.containsKey(owner.toLowerCase(Locale.ROOT))) {
            return notFound("GetUserByName", "user does not exist [uid: 0, name: " + owner
                    + "]");
        }
        Repo repo = repos.get(key(owner, name));
        if (repo == null || (repo.isPrivate && token == null)) {
            return notFound(null);
        }
        if (write && token == null) {
            return error(401, "token is required");
        }
        String login = token == null ? null : token.login();
        return model(method, repo, rest, query, body, login, target);
    }

    /** The methods Forgejo routes for a path below a repository, or empty when none. */
    private static Optional<Set<String>> methodsFor(String rest) {
        if (rest.isEmpty()) {
            return Optional.of(Set.of("GET", "PATCH", "DELETE"));
        }
        if (rest.equals("/contents") || rest.equals("/pulls") || rest.equals("/issues")
                || rest.matches("/pulls/\\d+/reviews")) {
            return Optional.of(Set.of("GET", "POST"));
        }
        if (rest.startsWith("/contents/")) {
            return Optional.of(Set.of("GET", "POST", "PUT", "DELETE"));
        }
        if (rest.startsWith("/branches/")) {
            return Optional.of(Set.of("GET", "PATCH", "DELETE"));
        }
        if (rest.equals("/commits")) {
            return Optional.of(Set.of("GET"));
        }
        if (rest.matches("/pulls/\\d+") || rest.matches("/issues/\\d+")) {
            return Optional.of(Set.of("GET", "PATCH"));
        }
        return Optional.empty();
    }

    private static boolean hasScope(Set<String> scopes, boolean write, String category) {
        if (scopes.contains("all")) {
            return true;
        }
        return scopes.contains("write:" + category) || (!write && scopes.contains("read:"
                + category));
    }

    private MockResponse model(String method, Repo repo, String rest,
            Map<String, List<String>> query, String body, String login, String target) {
        String route = method + " " + rest;
        if (route.equals("GET ")) {
            return json(200, repository(repo));
        }
        if (route.equals("GET /contents")) {
            return contents(repo, "", first(query, "ref"));
        }
        if (route.startsWith("GET /contents/")) {
            return contents(repo, decodePath(rest.substring("/contents/".length())), first(
                    query, "ref"));
        }
        if (route.equals("POST /contents")) {
            return changeFiles(repo, JSON.readTree(body), login);
        }
        if (route.startsWith("GET /branches/")) {
            return branch(repo, decodePath(rest.substring("/branches/".length())), login);
        }
        if (route.equals("GET /commits")) {
            return commits(repo, query, target);
        }
        if (route.equals("GET /pulls")) {
            return listPulls(repo, query, target);
        }
        if (route.equals("POST /pulls")) {
            return createPull(repo, JSON.readTree(body), login);
        }
        if (route.matches("GET /pulls/\\d+")) {
            Issue issue = issueAt(repo, rest.substring("/pulls/".length()));
            return issue == null || issue.pull == null
                    ? notFound(null)
                    : json(200, pullRequest(repo, issue));
        }
        if (route.matches("(GET|POST) /pulls/\\d+/reviews")) {
            Issue issue = issueAt(repo, rest.split("/")[2]);
            if (issue == null || issue.pull == null) {
                return notFound("GetPullRequestByIndex", "pull request does not exist [id: 0,"
                        + " issue_id: 0, head_repo_id: 0, base_repo_id: " + repo.id
                        + ", head_branch: , base_branch: ]");
            }
            if (method.equals("GET")) {
                ArrayNode reviews = JSON.createArrayNode();
                issue.pull.reviews.forEach(reviews::add);
                return json(200, reviews);
            }
            return createReview(repo, issue, JSON.readTree(body), login);
        }
        if (route.equals("GET /issues")) {
            return listIssues(repo, query, target);
        }
        if (route.equals("POST /issues")) {
            JsonNode request = JSON.readTree(body);
            require(request, "title", "Title");
            Issue issue = repo.newIssue(request.path("title").asString(), request.path("body")
                    .asString(""), login);
            return json(201, issue(repo, issue));
        }
        if (route.matches("GET /issues/\\d+")) {
            Issue issue = issueAt(repo, rest.substring("/issues/".length()));
            return issue == null ? notFound(null) : json(200, issue(repo, issue));
        }
        // A route Forgejo has and the stand-in does not model.
        return error(501, "the Forgejo stand-in does not model " + route);
    }

    // ---- handlers ----------------------------------------------------------------------------

    private MockResponse contents(Repo repo, String path, String ref) {
        String refName = ref == null || ref.isBlank() ? repo.defaultBranch : ref.trim();
        Commit commit = resolve(repo, refName);
        if (commit == null) {
            return notFound("GetContentsOrList", "object does not exist [id: " + refName
                    + ", rel_path: ]");
        }
        String clean = cleanPath(path);
        if (clean.isEmpty() && !path.isEmpty()) {
            return error(500, "");
        }
        if (commit.tree().containsKey(clean)) {
            return json(200, content(repo, commit, refName, clean, false));
        }
        Set<String> children = children(commit.tree(), clean);
        if (children.isEmpty() && !clean.isEmpty()) {
            return notFound("GetContentsOrList", "object does not exist [id: , rel_path: "
                    + clean + "]");
        }
        ArrayNode list = JSON.createArrayNode();
        for (String child : children) {
            list.add(content(repo, commit, refName, clean.isEmpty()
                    ? child
                    : clean + "/" + child, true));
        }
        return json(200, list);
    }

    /** The names directly below {@code dir} ("" for the root), directories and files, sorted. */
    private static Set<String> children(Map<String, byte[]> tree, String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        Set<String> names = new TreeSet<>();
        for (String path : tree.keySet()) {
            if (path.startsWith(prefix)) {
                names.add(path.substring(prefix.length()).split("/", 2)[0]);
            }
        }
        return names;
    }

    private ObjectNode content(Repo repo, Commit commit, String ref, String path,
            boolean forList) {
        byte[] bytes = commit.tree().get(path);
        boolean file = bytes != null;
        String sha = file ? blobSha(bytes) : treeSha(commit.tree(), path);
        String refType = repo.branches.containsKey(ref) ? "branch" : "commit";
        String refForUrl = refType.equals("commit") ? commit.sha() : ref;
        String self = repo.apiUrl() + "/contents/" + encodePath(path) + "?ref=" + URLEncoder
                .encode(ref, StandardCharsets.UTF_8);
        String html = repo.htmlUrl() + "/src/" + refType + "/" + encodePath(refForUrl) + "/"
                + encodePath(path);
        String git = repo.apiUrl() + "/git/" + (file ? "blobs/" : "trees/") + sha;
        Commit last = lastCommit(repo, commit, path);
        ObjectNode node = JSON.createObjectNode().put("name", path.substring(path.lastIndexOf(
                '/') + 1)).put("path", path).put("sha", sha).put("last_commit_sha", last.sha())
                .put("last_commit_when", time(last.when())).put("type", file ? "file" : "dir")
                .put("size", file ? bytes.length : 0);
        if (file && !forList) {
            node.put("encoding", "base64").put("content", Base64.getEncoder().encodeToString(
                    bytes));
        } else {
            node.putNull("encoding");
            node.putNull("content");
        }
        node.putNull("target");
        node.put("url", self).put("html_url", html).put("git_url", git);
        if (file) {
            node.put("download_url", repo.htmlUrl() + "/raw/" + refType + "/" + encodePath(
                    refForUrl) + "/" + encodePath(path));
        } else {
            node.putNull("download_url");
        }
        node.putNull("submodule_git_url");
        node.putObject("_links").put("self", self).put("git", git).put("html", html);
        return node;
    }

    /** The newest commit on the first-parent line whose {@code path} differs from its parent's. */
    private static Commit lastCommit(Repo repo, Commit from, String path) {
        Commit commit = from;
        while (commit.parent() != null) {
            Commit parent = repo.commits.get(commit.parent());
            if (!subtree(commit.tree(), path).equals(subtree(parent.tree(), path))) {
                return commit;
            }
            commit = parent;
        }
        return commit;
    }

    private static Map<String, String> subtree(Map<String, byte[]> tree, String path) {
        Map<String, String> subtree = new TreeMap<>();
        tree.forEach((p, bytes) -> {
            if (p.equals(path) || p.startsWith(path + "/")) {
                subtree.put(p, blobSha(bytes));
            }
        });
        return subtree;
    }

    private MockResponse changeFiles(Repo repo, JsonNode request, String login) {
        JsonNode files = request.path("files");
        if (!files.isArray() || files.isEmpty()) {
            return error(422, "[Files]: Required");
        }
        List<byte[]> contents = new ArrayList<>();
        for (JsonNode file : files) {
            require(file, "operation", "Operation");
            require(file, "path", "Path");
            try {
                contents.add(Base64.getDecoder().decode(file.path("content").asString("")));
            } catch (IllegalArgumentException e) {
                return error(422, "illegal base64 data at input byte 0");
            }
        }
        String oldBranch = request.path("branch").asString("");
        if (oldBranch.isEmpty()) {
            oldBranch = repo.defaultBranch;
        }
        String newBranch = request.path("new_branch").asString("");
        if (newBranch.isEmpty()) {
            newBranch = oldBranch;
        }
        if (!repo.branches.containsKey(oldBranch)) {
            return error(404, "branch does not exist [name: " + oldBranch + "]");
        }
        List<String> paths = new ArrayList<>();
        for (JsonNode file : files) {
            String clean = cleanPath(file.path("path").asString());
            if (clean.isEmpty()) {
                return error(422, "path contains a malformed path component [path: " + file
                        .path("path").asString() + "]");
            }
            paths.add(clean);
        }
        if (!newBranch.equals(oldBranch)) {
            if (repo.branches.containsKey(newBranch)) {
                return error(422, "branch already exists [name: " + newBranch + "]");
            }
        } else if (repo.protectedBranches.contains(oldBranch)) {
            return error(403, "user cannot commit to repo [user: " + login.toLowerCase(
                    Locale.ROOT) + "]");
        }
        Commit head = repo.commits.get(repo.branches.get(oldBranch));
        Map<String, byte[]> tree = new TreeMap<>(head.tree());
        List<String> created = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            JsonNode file = files.get(i);
            String operation = file.path("operation").asString();
            String path = paths.get(i);
            String from = file.hasNonNull("from_path") && !file.path("from_path").asString()
                    .isEmpty() ? cleanPath(file.path("from_path").asString()) : path;
            String sha = file.path("sha").asString("");
            if (operation.equals("update") || operation.equals("delete")) {
                byte[] existing = head.tree().get(from);
                if (existing == null) {
                    // Forgejo's handler maps neither "object does not exist" nor "repository
                    // file does not exist": a 500, its message hidden.
                    return error(500, "");
                }
                if (!sha.isEmpty() && !sha.equals(blobSha(existing))) {
                    return error(422, "sha does not match [given: " + sha + ", expected: "
                            + blobSha(existing) + "]");
                }
            }
            if (operation.equals("create") || operation.equals("update")) {
                Optional<String> conflict = pathConflict(head.tree(), path, operation, from);
                if (conflict.isPresent()) {
                    return error(422, conflict.get());
                }
            }
            switch (operation) {
                case "create" -> {
                    tree.put(path, contents.get(i));
                    created.add(path);
                }
                case "update" -> {
                    tree.remove(from);
                    tree.put(path, contents.get(i));
                    updated.add(path);
                }
                case "delete" -> {
                    tree.remove(path);
                    deleted.add(path);
                }
                default -> {
                    // Forgejo's service refuses the operation with an error no handler maps.
                    return error(500, "");
                }
            }
        }
        String message = request.path("message").asString("").strip();
        if (message.isEmpty()) {
            message = defaultMessage(created, updated, deleted);
        }
        String author = request.path("author").path("name").asString(login);
        Commit commit = repo.commit(head.sha(), message, author, tree);
        repo.branches.put(newBranch, commit.sha());
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode answered = answer.putArray("files");
        for (String path : paths) {
            if (tree.containsKey(path)) {
                answered.add(content(repo, commit, newBranch, path, false));
            } else {
                answered.addNull();
            }
        }
        answer.set("commit", fileCommit(repo, commit));
        answer.set("verification", unsigned());
        return json(201, answer);
    }

    /** Forgejo's check that a file can be written at {@code path}: no file on the way to it. */
    private static Optional<String> pathConflict(Map<String, byte[]> tree, String path,
            String operation, String from) {
        String[] parts = path.split("/");
        String sub = "";
        for (int i = 0; i < parts.length; i++) {
            sub = sub.isEmpty() ? parts[i] : sub + "/" + parts[i];
            boolean isFile = tree.containsKey(sub);
            boolean isDir = !isFile && !children(tree, sub).isEmpty();
            if (!isFile && !isDir) {
                return Optional.empty();
            }
            if (i < parts.length - 1) {
                if (isFile) {
                    return Optional.of("a file exists where you’re trying to create a"
                            + " subdirectory [path: " + sub + "]");
                }
            } else if (isDir) {
                return Optional.of("a directory exists where you’re trying to create a file"
                        + " [path: " + sub + "]");
            } else if (!from.equals(path) || operation.equals("create")) {
                return Optional.of("repository file already exists [path: " + path + "]");
            }
        }
        return Optional.empty();
    }

    /** Forgejo's message when none is given (its locale's "Add", "Update", "Delete" lines). */
    private static String defaultMessage(List<String> created, List<String> updated,
            List<String> deleted) {
        StringBuilder message = new StringBuilder();
        if (!created.isEmpty()) {
            message.append("Add ").append(String.join(", ", created)).append('\n');
        }
        if (!updated.isEmpty()) {
            message.append("Update ").append(String.join(", ", updated)).append('\n');
        }
        if (!deleted.isEmpty()) {
            message.append("Delete ").append(String.join(", ", deleted)).append('\n');
        }
        return message.toString().strip();
    }

    private MockResponse branch(Repo repo, String name, String login) {
        String sha = repo.branches.get(name);
        if (sha == null) {
            return notFound(null, "branch does not exist [name: " + name + "]");
        }
        Commit commit = repo.commits.get(sha);
        boolean isProtected = repo.protectedBranches.contains(name);
        ObjectNode node = JSON.createObjectNode().put("name", name);
        ObjectNode payload = node.putObject("commit").put("id", sha).put("message", commit
                .message() + "\n").put("url", repo.htmlUrl() + "/commit/" + sha);
        payload.putObject("author").put("name", commit.author()).put("email", email(commit
                .author())).put("username", commit.author());
        payload.putObject("committer").put("name", commit.author()).put("email", email(commit
                .author())).put("username", commit.author());
        payload.set("verification", unsigned());
        payload.put("timestamp", time(commit.when()));
        payload.putNull("added");
        payload.putNull("removed");
        payload.putNull("modified");
        node.put("protected", isProtected).put("required_approvals", 0).put(
                "enable_status_check", false);
        node.putArray("status_check_contexts");
        node.put("user_can_push", login != null && !isProtected).put("user_can_merge",
                login != null).put("effective_branch_protection_name", isProtected ? name : "");
        return json(200, node);
    }

    private MockResponse commits(Repo repo, Map<String, List<String>> query, String target) {
        int page = Math.max(1, intParam(query, "page", 1));
        int limit = pageSize(query);
        String sha = first(query, "sha");
        Commit base = resolve(repo, sha == null || sha.isEmpty() ? repo.defaultBranch : sha);
        if (base == null) {
            // Forgejo answers an unknown sha with a bare 404 and a JSON null body.
            return json(404, "null");
        }
        List<Commit> history = repo.history(base.sha());
        ArrayNode list = JSON.createArrayNode();
        page(history, page, limit).forEach(commit -> list.add(commit(repo, commit)));
        int total = history.size();
        int pageCount = (total + limit - 1) / limit;
        MockResponse.Builder answer = paged(json(200, list), total, limit, page, target);
        answer.addHeader("X-Page", Integer.toString(page)).addHeader("X-PerPage", Integer
                .toString(limit)).addHeader("X-Total", Integer.toString(total)).addHeader(
                        "X-PageCount", Integer.toString(pageCount))
                .addHeader("X-HasMore",
                        Boolean.toString(page < pageCount));
        return answer.build();
    }

    private ObjectNode commit(Repo repo, Commit commit) {
        ObjectNode node = JSON.createObjectNode().put("url", repo.apiUrl() + "/git/commits/"
                + commit.sha()).put("sha", commit.sha()).put("created", time(commit.when()))
                .put("html_url", repo.htmlUrl() + "/commit/" + commit.sha());
        ObjectNode inner = node.putObject("commit").put("url", repo.apiUrl() + "/git/commits/"
                + commit.sha());
        inner.set("author", commitUser(commit));
        inner.set("committer", commitUser(commit));
        inner.put("message", commit.message() + "\n");
        inner.putObject("tree").put("url", repo.apiUrl() + "/git/trees/" + treeSha(commit
                .tree(), "")).put("sha", treeSha(commit.tree(), "")).put("created", time(commit
                        .when()));
        inner.set("verification", unsigned());
        node.set("author", user(commit.author()));
        node.set("committer", user(commit.author()));
        ArrayNode parents = node.putArray("parents");
        if (commit.parent() != null) {
            parents.addObject().put("url", repo.apiUrl() + "/git/commits/" + commit.parent())
                    .put("sha", commit.parent()).put("created", time(repo.commits.get(commit
                            .parent()).when()));
        }
        ArrayNode files = node.putArray("files");
        Map<String, byte[]> before = commit.parent() == null
                ? Map.of()
                : repo.commits.get(commit.parent()).tree();
        Set<String> paths = new TreeSet<>(before.keySet());
        paths.addAll(commit.tree().keySet());
        for (String path : paths) {
            byte[] old = before.get(path);
            byte[] now = commit.tree().get(path);
            if (old == null) {
                files.addObject().put("filename", path).put("status", "added");
            } else if (now == null) {
                files.addObject().put("filename", path).put("status", "removed");
            } else if (!Arrays.equals(old, now)) {
                files.addObject().put("filename", path).put("status", "modified");
            }
        }
        return node;
    }

    private ObjectNode fileCommit(Repo repo, Commit commit) {
        ObjectNode node = JSON.createObjectNode().put("url", repo.apiUrl() + "/git/commits/"
                + commit.sha()).put("sha", commit.sha()).put("created", time(commit.when()))
                .put("html_url", repo.htmlUrl() + "/commit/" + commit.sha());
        node.set("author", commitUser(commit));
        node.set("committer", commitUser(commit));
        ArrayNode parents = node.putArray("parents");
        if (commit.parent() != null) {
            parents.addObject().put("url", repo.apiUrl() + "/git/commits/" + commit.parent())
                    .put("sha", commit.parent()).put("created", time(repo.commits.get(commit
                            .parent()).when()));
        }
        node.put("message", commit.message() + "\n");
        node.putObject("tree").put("url", repo.apiUrl() + "/git/trees/" + treeSha(commit.tree(),
                "")).put("sha", treeSha(commit.tree(), "")).put("created", time(commit.when()));
        return node;
    }

    private ObjectNode commitUser(Commit commit) {
        return JSON.createObjectNode().put("name", commit.author()).put("email", email(commit
                .author())).put("date", time(commit.when()));
    }

    private MockResponse createPull(Repo repo, JsonNode request, String login) {
        require(request, "head", "Head");
        require(request, "base", "Base");
        require(request, "title", "Title");
        String head = request.path("head").asString();
        String base = request.path("base").asString();
        if (head.equals(base)) {
            return error(422, "Invalid PullRequest: There are no changes between the head and"
                    + " the base");
        }
        if (head.contains(":")) {
            String[] parts = head.split(":", 2);
            if (!users.containsKey(parts[0].toLowerCase(Locale.ROOT))) {
                return notFound("GetUserByName");
            }
            if (!parts[0].equalsIgnoreCase(repo.owner)) {
                // A fork's branch: forks are not modelled, so no head repository is found.
                return notFound(null);
            }
            head = parts[1];
        }
        if (resolve(repo, base) == null) {
            return notFound("BaseNotExist");
        }
        if (resolve(repo, head) == null) {
            return notFound("IsRefExist");
        }
        for (Issue issue : repo.issues) {
            if (issue.pull != null && !issue.closed && issue.pull.head.equals(head)
                    && issue.pull.base.equals(base)) {
                return error(409, "pull request already exists for these targets [id: "
                        + issue.pull.id + ", issue_id: " + issue.number + ", head_repo_id: "
                        + repo.id + ", base_repo_id: " + repo.id + ", head_branch: " + head
                        + ", base_branch: " + base + "]");
            }
        }
        Issue issue = repo.newPull(request.path("title").asString(), request.path("body")
                .asString(""), login, head, base);
        return json(201, pullRequest(repo, issue));
    }

    private MockResponse listPulls(Repo repo, Map<String, List<String>> query, String target) {
        String state = Optional.ofNullable(first(query, "state")).orElse("").trim();
        List<Issue> pulls = newestFirst(repo).stream().filter(i -> i.pull != null).filter(
                i -> switch (state) {
                    case "open" -> !i.closed;
                    case "closed" -> i.closed;
                    default -> true;
                }).toList();
        int page = Math.max(1, intParam(query, "page", 1));
        int limit = pageSize(query);
        ArrayNode list = JSON.createArrayNode();
        page(pulls, page, limit).forEach(issue -> list.add(pullRequest(repo, issue)));
        return paged(json(200, list), pulls.size(), limit, page, target).build();
    }

    private MockResponse listIssues(Repo repo, Map<String, List<String>> query, String target) {
        String state = Optional.ofNullable(first(query, "state")).orElse("");
        String type = Optional.ofNullable(first(query, "type")).orElse("");
        List<Issue> issues = newestFirst(repo).stream().filter(i -> switch (state) {
            case "closed" -> i.closed;
            case "all" -> true;
            default -> !i.closed;
        }).filter(i -> switch (type) {
            case "pulls" -> i.pull != null;
            case "issues" -> i.pull == null;
            default -> true;
        }).toList();
        int page = Math.max(1, intParam(query, "page", 1));
        int limit = pageSize(query);
        ArrayNode list = JSON.createArrayNode();
        page(issues, page, limit).forEach(issue -> list.add(issue(repo, issue)));
        return paged(json(200, list), issues.size(), limit, page, target).build();
    }

    private MockResponse createReview(Repo repo, Issue issue, JsonNode request, String login) {
        String event = request.path("event").asString("");
        String body = request.path("body").asString("");
        boolean hasBody = !body.isBlank();
        boolean hasComments = request.path("comments").isArray() && !request.path("comments")
                .isEmpty();
        boolean own = issue.poster.equalsIgnoreCase(login);
        String state;
        boolean needsBody = true;
        switch (event) {
            case "APPROVED" -> {
                if (own) {
                    return error(422, "approve your own pull is not allowed");
                }
                state = "APPROVED";
                needsBody = false;
            }
            case "REQUEST_CHANGES" -> {
                if (own) {
                    return error(422, "reject your own pull is not allowed");
                }
                state = "REQUEST_CHANGES";
            }
            case "COMMENT" -> {
                if (!hasBody && !hasComments) {
                    return error(422, "review event COMMENT requires a body or a comment");
                }
                state = "COMMENT";
                needsBody = false;
            }
            default -> state = "PENDING";
        }
        if (needsBody && !hasBody) {
            return error(422, "review event " + event + " requires a body");
        }
        String commitId = request.path("commit_id").asString("");
        if (commitId.isEmpty()) {
            commitId = repo.branches.getOrDefault(issue.pull.head, "");
        }
        long id = nextId++;
        String pullUrl = repo.htmlUrl() + "/pulls/" + issue.number;
        ObjectNode review = JSON.createObjectNode().put("id", id);
        review.set("user", user(login));
        review.putNull("team");
        review.put("state", state).put("body", body).put("commit_id", commitId).put("stale",
                false).put("official", false).put("dismissed", false).put("comments_count",
                        hasComments ? request.path("comments").size() : 0)
                .put("submitted_at",
                        time(now()))
                .put("updated_at", time(now())).put("html_url",
                        pullUrl + "#issuecomment-" + id)
                .put(
                        "pull_request_url", pullUrl);
        issue.pull.reviews.add(review);
        return json(200, review);
    }

    // ---- JSON shapes -------------------------------------------------------------------------

    private ObjectNode repository(Repo repo) {
        ObjectNode node = JSON.createObjectNode().put("id", repo.id);
        node.set("owner", user(repo.owner));
        node.put("name", repo.name).put("full_name", repo.fullName()).put("description",
                repo.description).put("empty", false).put("private", repo.isPrivate).put("fork",
                        false)
                .put("template", false);
        node.putNull("parent");
        node.put("mirror", false).put("size", 0).put("language", "").put("languages_url", repo
                .apiUrl() + "/languages").put("html_url", repo.htmlUrl()).put("url", repo
                        .apiUrl())
                .put("link", "").put("ssh_url", "git@127.0.0.1:" + repo
                        .fullName() + ".git")
                .put("clone_url", repo.htmlUrl() + ".git")
                .put("original_url", "").put("website", "").put("stars_count", 0).put(
                        "forks_count", 0)
                .put("watchers_count", 0);
        node.put("open_issues_count", repo.issues.stream().filter(i -> i.pull == null
                && !i.closed).count());
        node.put("open_pr_counter", repo.issues.stream().filter(i -> i.pull != null
                && !i.closed).count());
        node.put("release_counter", 0).put("default_branch", repo.defaultBranch).put("archived",
                false).put("created_at", time(repo.created)).put("updated_at", time(repo.created))
                .put("archived_at", "1970-01-01T00:00:00Z");
        node.putObject("permissions").put("admin", false).put("push", true).put("pull", true);
        node.put("has_issues", true).put("has_wiki", false).put("has_pull_requests", true).put(
                "has_projects", false).put("has_releases", true).put("has_packages", false).put(
                        "has_actions", false)
                .put("allow_merge_commits", true).put(
                        "allow_rebase", true)
                .put("allow_squash_merge", true).put(
                        "default_merge_style", "merge")
                .put(
                        "object_format_name", "sha1");
        return node;
    }

    private ObjectNode user(String login) {
        long id = users.getOrDefault(login.toLowerCase(Locale.ROOT), -1L);
        return JSON.createObjectNode().put("id", id).put("login", login).put("login_name", "")
                .put("source_id", 0).put("full_name", "").put("email", email(login)).put(
                        "avatar_url", appUrl() + "avatars/" + login)
                .put("html_url", appUrl()
                        + login)
                .put("language", "").put("is_admin", false).put(
                        "restricted", false)
                .put("active", false).put(
                        "prohibit_login", false)
                .put("visibility",
                        "public");
    }

    private ObjectNode issue(Repo repo, Issue issue) {
        ObjectNode node = JSON.createObjectNode().put("id", issue.id).put("url", repo.apiUrl()
                + "/issues/" + issue.number).put("html_url", repo.htmlUrl()
                        + (issue.pull == null
                                ? "/issues/"
                                : "/pulls/")
                        + issue.number)
                .put("number", issue.number);
        node.set("user", user(issue.poster));
        node.put("original_author", "").put("original_author_id", 0).put("title", issue.title)
                .put("body", issue.body).put("ref", "");
        node.putArray("assets");
        node.putArray("labels");
        node.putNull("milestone");
        node.putNull("assignee");
        node.putNull("assignees");
        node.put("state", issue.closed ? "closed" : "open").put("is_locked", false).put(
                "comments", 0).put("created_at", time(issue.created)).put("updated_at", time(
                        issue.updated));
        putTime(node, "closed_at", issue.closedAt);
        node.putNull("due_date");
        if (issue.pull == null) {
            node.putNull("pull_request");
        } else {
            ObjectNode meta = node.putObject("pull_request").put("merged", false);
            meta.putNull("merged_at");
            meta.put("draft", isDraft(issue.title)).put("html_url", repo.htmlUrl() + "/pulls/"
                    + issue.number);
        }
        node.putObject("repository").put("id", repo.id).put("name", repo.name).put("owner",
                repo.owner).put("full_name", repo.fullName());
        node.put("pin_order", 0);
        return node;
    }

    private ObjectNode pullRequest(Repo repo, Issue issue) {
        String html = repo.htmlUrl() + "/pulls/" + issue.number;
        ObjectNode node = JSON.createObjectNode().put("id", issue.pull.id).put("url", html).put(
                "number", issue.number);
        node.set("user", user(issue.poster));
        node.put("title", issue.title).put("body", issue.body);
        node.putArray("labels");
        node.putNull("milestone");
        node.putNull("assignee");
        node.putNull("assignees");
        node.putArray("requested_reviewers");
        node.putArray("requested_reviewers_teams");
        node.put("state", issue.closed ? "closed" : "open").put("draft", isDraft(issue.title))
                .put("is_locked", false).put("comments", 0).put("review_comments", 0).put(
                        "html_url", html)
                .put("diff_url", html + ".diff").put("patch_url", html
                        + ".patch")
                .put("mergeable", true).put("merged", false);
        node.putNull("merged_at");
        node.putNull("merge_commit_sha");
        node.putNull("merged_by");
        node.put("allow_maintainer_edit", false);
        ObjectNode base = node.putObject("base").put("label", issue.pull.base).put("ref",
                issue.pull.base);
        putNullable(base, "sha", repo.branches.get(issue.pull.base));
        base.put("repo_id", repo.id);
        base.set("repo", repository(repo));
        ObjectNode head = node.putObject("head").put("label", issue.pull.head);
        String headSha = repo.branches.get(issue.pull.head);
        // Forgejo shows the pull request's own ref once the head branch is gone.
        head.put("ref", headSha == null ? "refs/pull/" + issue.number + "/head" : issue.pull.head);
        putNullable(head, "sha", headSha);
        head.put("repo_id", repo.id);
        head.set("repo", repository(repo));
        node.put("merge_base", issue.pull.mergeBase);
        node.putNull("due_date");
        node.put("created_at", time(issue.created)).put("updated_at", time(issue.updated));
        putTime(node, "closed_at", issue.closedAt);
        node.put("pin_order", 0).put("flow", 0);
        return node;
    }

    private static ObjectNode unsigned() {
        ObjectNode node = JSON.createObjectNode().put("verified", false).put("reason",
                "gpg.error.not_signed_commit").put("signature", "");
        node.putNull("signer");
        node.put("payload", "");
        return node;
    }

    // ---- answers -----------------------------------------------------------------------------

    private MockResponse json(int status, Object body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type",
                "application/json;charset=utf-8").body(
                        body instanceof String s
                                ? s
                                : JSON.writeValueAsString(body))
                .build();
    }

    private MockResponse error(int status, String message) {
        return json(status, JSON.createObjectNode().put("message", message).put("url",
                swaggerUrl()));
    }

    /** Forgejo's {@code ctx.NotFound(...)}: a string names the message, errors are listed. */
    private MockResponse notFound(String message, String... errors) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode list = node.putArray("errors");
        Arrays.stream(errors).forEach(list::add);
        node.put("message", message == null ? "The target couldn't be found." : message).put(
                "url", swaggerUrl());
        return json(404, node);
    }

    private static MockResponse plainNotFound() {
        return new MockResponse.Builder().code(404).addHeader("Content-Type",
                "text/plain; charset=utf-8").body("404 page not found\n").build();
    }

    /** Forgejo's binding of a {@code binding:"Required"} field: 422 {@code [Field]: Required}. */
    private void require(JsonNode request, String field, String goName) {
        JsonNode value = request.path(field);
        if (!value.isString() || value.asString().isEmpty()) {
            throw new Answer(error(422, "[" + goName + "]: Required"));
        }
    }

    /** A page of a list, with Forgejo's {@code X-Total-Count} and {@code Link} headers. */
    private MockResponse.Builder paged(MockResponse response, int total, int limit, int page,
            String target) {
        MockResponse.Builder builder = new MockResponse.Builder(response).addHeader(
                "X-Total-Count", Integer.toString(total));
        int totalPages = total == 0 ? 1 : (total + limit - 1) / limit;
        int current = Math.min(page, totalPages);
        boolean hasNext = total > current * limit;
        boolean isLast = total == 0 || (total > (current - 1) * limit && !hasNext);
        List<String> links = new ArrayList<>();
        if (hasNext) {
            links.add("<" + link(target, current + 1) + ">; rel=\"next\"");
        }
        if (!isLast) {
            links.add("<" + link(target, totalPages) + ">; rel=\"last\"");
        }
        if (current != 1) {
            links.add("<" + link(target, 1) + ">; rel=\"first\"");
        }
        if (current > 1) {
            links.add("<" + link(target, current - 1) + ">; rel=\"prev\"");
        }
        if (!links.isEmpty()) {
            builder.addHeader("Link", String.join(",", links));
        }
        return builder;
    }

    /** The request's URL with {@code page} set, its query sorted as Go's url.Values encodes it. */
    private String link(String target, int page) {
        String[] split = target.split("\\?", 2);
        Map<String, List<String>> query = new TreeMap<>(query(split.length > 1 ? split[1] : ""));
        query.put("page", List.of(Integer.toString(page)));
        List<String> pairs = new ArrayList<>();
        query.forEach((key, values) -> values.forEach(value -> pairs.add(URLEncoder.encode(key,
                StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value,
                        StandardCharsets.UTF_8))));
        return appUrl() + split[0].substring(1) + "?" + String.join("&", pairs);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private String appUrl() {
        return "http://127.0.0.1:" + server.getPort() + "/";
    }

    private String swaggerUrl() {
        return appUrl() + "api/swagger";
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String time(Instant instant) {
        return TIME.format(instant.atOffset(ZoneOffset.UTC));
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

    private void addUser(String login) {
        users.computeIfAbsent(login.toLowerCase(Locale.ROOT), k -> nextId++);
    }

    private static String email(String login) {
        return login + "@noreply.localhost";
    }

    private static String key(String owner, String name) {
        return (owner + "/" + name).toLowerCase(Locale.ROOT);
    }

    private static boolean isDraft(String title) {
        String upper = title.toUpperCase(Locale.ROOT);
        return WORK_IN_PROGRESS.stream().anyMatch(prefix -> upper.startsWith(prefix));
    }

    /** Forgejo's token parsing: {@code token X} exactly, or {@code bearer X} in any case. */
    private static String credential(String authorization) {
        if (authorization == null) {
            return null;
        }
        String[] parts = authorization.trim().split("\\s+");
        if (parts.length == 2 && (parts[0].equals("token") || parts[0].equalsIgnoreCase(
                "bearer"))) {
            return parts[1];
        }
        return null;
    }

    /** A branch name, a full commit SHA, or an abbreviated one of at least four digits. */
    private static Commit resolve(Repo repo, String ref) {
        if (ref == null) {
            return null;
        }
        if (repo.branches.containsKey(ref)) {
            return repo.commits.get(repo.branches.get(ref));
        }
        if (ref.length() >= 4 && ref.matches("[0-9a-f]+")) {
            return repo.commits.values().stream().filter(c -> c.sha().startsWith(ref))
                    .findFirst().orElse(null);
        }
        return null;
    }

    private static Issue issueAt(Repo repo, String index) {
        int number = Integer.parseInt(index);
        return number >= 1 && number <= repo.issues.size() ? repo.issues.get(number - 1) : null;
    }

    private static List<Issue> newestFirst(Repo repo) {
        return repo.issues.stream().sorted(Comparator.comparing((Issue i) -> i.created)
                .thenComparingLong(i -> i.id).reversed()).toList();
    }

    private static <T> List<T> page(List<T> items, int page, int limit) {
        int from = Math.min(items.size(), (page - 1) * limit);
        return items.subList(from, Math.min(items.size(), from + limit));
    }

    private static int pageSize(Map<String, List<String>> query) {
        int limit = intParam(query, "limit", 0);
        return limit <= 0 ? DEFAULT_PAGE_SIZE : Math.min(limit, MAX_PAGE_SIZE);
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
                query.computeIfAbsent(decode(kv[0]), k -> new ArrayList<>()).add(kv.length > 1
                        ? decode(kv[1])
                        : "");
            }
        }
        return query;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static String decodePath(String path) {
        return Arrays.stream(path.split("/", -1)).map(segment -> URLDecoder.decode(segment
                .replace("+", "%2B"), StandardCharsets.UTF_8)).reduce((a, b) -> a + "/" + b)
                .orElse("");
    }

    private static String encodePath(String path) {
        return Arrays.stream(path.split("/", -1)).map(segment -> URLEncoder.encode(segment,
                StandardCharsets.UTF_8).replace("+", "%20")).reduce((a, b) -> a + "/" + b)
                .orElse("");
    }

    /** Forgejo's CleanUploadFileName: a relative path without "." or ".." or ".git" parts. */
    private static String cleanPath(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
                continue;
            }
            if (part.equalsIgnoreCase(".git")) {
                return "";
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    /** Git's blob ID: SHA-1 of {@code "blob <size>\0"} and the bytes. */
    static String blobSha(byte[] bytes) {
        byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(header, header.length + bytes.length);
        System.arraycopy(bytes, 0, all, header.length, bytes.length);
        return sha1(all);
    }

    /** A stable ID for the directory {@code dir}: not git's tree ID, but changes with its files. */
    private static String treeSha(Map<String, byte[]> tree, String dir) {
        return sha1(("tree " + subtree(tree, dir)).getBytes(StandardCharsets.UTF_8));
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
