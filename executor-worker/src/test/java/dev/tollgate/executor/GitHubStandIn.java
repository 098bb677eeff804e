package dev.tollgate.executor;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A stand-in for api.github.com on loopback, for tests: App JWTs are verified with the App's public
 * key (signature, issuer, time window, with GitHub's error messages), installation tokens are
 * minted with the requested repositories and permissions (and counted), every other call needs a
 * live token whose scope covers the repository and permission, and a small in-memory GitHub
 * answers reads and writes. Any answer can be scripted ahead of the model: rate limits, secondary
 * limits, 5xx storms, dropped connections.
 */
public final class GitHubStandIn implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern REPO_PATH = Pattern.compile(
            "^/repos/([^/]+)/([^/?]+)(/[^?]*)?(\\?.*)?$");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME
            .withZone(ZoneOffset.UTC);

    /** A token the stand-in minted. */
    public record Mint(long installationId, List<String> repositories,
            Map<String, String> permissions, String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Mint[" + installationId + " " + repositories + " " + permissions + "]";
        }
    }

    /** A request the stand-in received. */
    public record Received(String method, String path, String authorization, String body,
            Map<String, String> headers) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** One in-memory repository. */
    public static final class Repo {
        public final String owner;
        public final String name;
        public String defaultBranch = "main";
        public boolean fork;
        /** A public repository: every token's search sees it, as on GitHub. */
        public boolean publicRepo;
        public final Set<String> protectedBranches = ConcurrentHashMap.newKeySet();
        public final Map<String, String> refs = new ConcurrentHashMap<>();
        public final Map<String, ObjectNode> commits = new ConcurrentHashMap<>();
        public final Map<String, String> files = new ConcurrentHashMap<>();
        /**
         * Symbolic links, path to the path of the file they point to: GitHub's contents API
         * follows one to a file and answers with that file (its own path).
         */
        public final Map<String, String> symlinks = new ConcurrentHashMap<>();
        /** Files given as bytes (binary ones), beside the text {@link #files}. */
        public final Map<String, byte[]> binaryFiles = new ConcurrentHashMap<>();
        public final List<ObjectNode> issues = new CopyOnWriteArrayList<>();
        public final Map<Long, List<ObjectNode>> comments = new ConcurrentHashMap<>();
        public final Map<Long, List<ObjectNode>> reviews = new ConcurrentHashMap<>();
        /** Review comments on pull requests' lines, by pull request number, oldest first. */
        public final Map<Long, List<ObjectNode>> reviewComments = new ConcurrentHashMap<>();
        public final List<ObjectNode> checkRuns = new CopyOnWriteArrayList<>();
        /** Commit statuses, each with its commit's {@code sha} (GitHub keeps them per commit). */
        public final List<ObjectNode> statuses = new CopyOnWriteArrayList<>();
        /** GitHub Actions workflow runs, newest first, as GitHub lists them. */
        public final List<ObjectNode> workflowRuns = new CopyOnWriteArrayList<>();
        /** The jobs of each run, by run ID. */
        public final Map<Long, List<ObjectNode>> workflowJobs = new ConcurrentHashMap<>();
        /** Each job's log, by job ID: served, as GitHub does, behind a redirect to a signed URL. */
        public final Map<Long, String> jobLogs = new ConcurrentHashMap<>();
        public final List<String> forcedUpdates = new CopyOnWriteArrayList<>();

        Repo(String owner, String name) {
            this.owner = owner;
            this.name = name;
            String root = sha("root-" + owner + "/" + name);
            ObjectNode commit = JSON.createObjectNode().put("sha", root).put("message",
                    "Initial commit");
            commit.putObject("tree").put("sha", sha("tree-" + root));
            commit.putArray("parents");
            commits.put(root, commit);
            refs.put("main", root);
        }

        public List<ObjectNode> pulls() {
            return issues.stream().filter(i -> i.has("pull_request")).toList();
        }

        public List<ObjectNode> plainIssues() {
            return issues.stream().filter(i -> !i.has("pull_request")).toList();
        }
    }

    private final MockWebServer server = new MockWebServer();
    private final String appId;
    private final RSASSAVerifier verifier;
    private final Clock baseClock;
    private final AtomicReference<Duration> clockOffset = new AtomicReference<>(Duration.ZERO);
    private volatile Duration tokenLifetime = Duration.ofHours(1);
    private final Map<String, Long> installations = new ConcurrentHashMap<>();
    private final Set<Long> suspended = ConcurrentHashMap.newKeySet();
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, Mint> liveTokens = new ConcurrentHashMap<>();
    private final List<Mint> mints = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> jwtRejections = new CopyOnWriteArrayList<>();
    private final Deque<Scripted> scripts = new ConcurrentLinkedDeque<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final AtomicLong tokenCounter = new AtomicLong();
    private final List<String> downloadTokens = new CopyOnWriteArrayList<>();

    private record Scripted(String method, Predicate<String> path, MockResponse response) {
    }

    public GitHubStandIn(String appId, RSAPublicKey appPublicKey, Clock clock) {
        this.appId = appId;
        this.verifier = new RSASSAVerifier(appPublicKey);
        this.baseClock = clock;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    return handle(request);
                } catch (RuntimeException e) {
                    return json(500, error("stand-in failure: " + e));
                }
            }
        });
        try {
            server.start(InetAddress.getLoopbackAddress(), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RSAPublicKey readPublicKey(String pem) {
        try {
            String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                    new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- set-up ------------------------------------------------------------------------------

    public URI apiUrl() {
        return server.url("/").uri().resolve("/").normalize();
    }

    public String apiUrlText() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    /** Declares a repository (and its installation). */
    public Repo repository(String owner, String name, long installationId) {
        installations.put((owner + "/" + name).toLowerCase(), installationId);
        return repos.computeIfAbsent((owner + "/" + name).toLowerCase(), k -> new Repo(owner,
                name));
    }

    public Repo repo(String owner, String name) {
        return repos.get((owner + "/" + name).toLowerCase());
    }

    public void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** Moves GitHub's clock (its {@code Date} header and JWT checks) away from the test clock. */
    public void skewClock(Duration offset) {
        clockOffset.set(offset);
    }

    /** Makes GitHub refuse a token from now on (401), as after expiry or revocation. */
    public void revokeAll() {
        liveTokens.clear();
    }

    /** The next matching request gets this answer (after authentication), in order. */
    public void script(String method, String pathPrefix, MockResponse... responses) {
        for (MockResponse response : responses) {
            scripts.add(new Scripted(method, path -> path.startsWith(pathPrefix), response));
        }
    }

    // ---- what happened -----------------------------------------------------------------------

    public List<Mint> mints() {
        return List.copyOf(mints);
    }

    public int mintCount() {
        return mints.size();
    }

    public List<Received> requests() {
        return List.copyOf(received);
    }

    public List<Received> requests(String method, String pathPrefix) {
        return received.stream().filter(r -> r.method().equals(method) && r.path().startsWith(
                pathPrefix)).toList();
    }

    /**
     * The raw-download tokens handed out in {@code download_url}s: GitHub puts one in each such
     * URL of a private repository (every repository here is private), and it reads the file
     * without any other credential.
     */
    public List<String> downloadTokens() {
        return List.copyOf(downloadTokens);
    }

    public List<String> jwtRejections() {
        return List.copyOf(jwtRejections);
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- canned answers ----------------------------------------------------------------------

    public static MockResponse json(int status, Object body) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type",
                "application/json; charset=utf-8").body(
                        body instanceof String s
                                ? s
                                : JSON.writeValueAsString(body))
                .build();
    }

    public static ObjectNode error(String message) {
        return JSON.createObjectNode().put("message", message).put("documentation_url",
                "https://docs.github.com/rest");
    }

    /** The primary rate limit on 403 or 429: remaining 0, reset at {@code reset}. */
    public static MockResponse primaryLimit(int status, Instant reset) {
        return new MockResponse.Builder().code(status).addHeader("Content-Type",
                "application/json; charset=utf-8").addHeader("x-ratelimit-limit", "5000")
                .addHeader("x-ratelimit-remaining", "0").addHeader("x-ratelimit-used", "5000")
                .addHeader("x-ratelimit-reset", Long.toString(reset.getEpochSecond())).addHeader(
                        "x-ratelimit-resource", "core")
                .body(
                        "{\"message\":\"API rate limit exceeded for installation ID 1.\","
                                + "\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\"}")
                .build();
    }

    /** A secondary rate limit on 403 or 429, with {@code retry-after} when given. */
    public static MockResponse secondaryLimit(int status, Long retryAfterSeconds) {
        MockResponse.Builder builder = new MockResponse.Builder().code(status).addHeader(
                "Content-Type", "application/json; charset=utf-8").addHeader(
                        "x-ratelimit-remaining", "4321");
        if (retryAfterSeconds != null) {
            builder.addHeader("retry-after", Long.toString(retryAfterSeconds));
        }
        return builder.body("{\"message\":\"You have exceeded a secondary rate limit. Please wait"
                + " a few minutes before you try again.\",\"documentation_url\":"
                + "\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits\"}")
                .build();
    }

    public static MockResponse serverError(int status) {
        return json(status, status == 502
                ? "<html><body><h1>Unicorn!</h1></body></html>"
                : "{\"message\":\"Server Error\"}");
    }

    /** The connection is dropped without an answer. */
    public static MockResponse dropConnection() {
        return new MockResponse.Builder().onResponseStart(
                new mockwebserver3.SocketEffect.CloseSocket()).build();
    }

    // ---- dispatching -------------------------------------------------------------------------

    private Instant now() {
        return baseClock.instant().plus(clockOffset.get());
    }

    private MockResponse handle(RecordedRequest request) {
        String method = request.getMethod();
        String target = request.getTarget();
        String body = request.getBody() == null
                ? ""
                : request.getBody().string(
                        StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        request.getHeaders().forEach(pair -> headers.put(pair.getFirst(), pair.getSecond()));
        String authorization = headers.getOrDefault("Authorization", "");
        received.add(new Received(method, target, authorization, body, Map.copyOf(headers)));
        MockResponse response = route(method, target, body, authorization, headers);
        return new MockResponse.Builder(response).setHeader("Date", HTTP_DATE.format(now()))
                .build();
    }

    private MockResponse route(String method, String target, String body, String authorization,
            Map<String, String> headers) {
        if (!headers.containsKey("User-Agent")) {
            return json(403, error("Request forbidden by administrative rules. Please make sure"
                    + " your request has a User-Agent header"));
        }
        if (target.startsWith("/_signed/")) {
            // The log storage: a script stands for a slow, huge or failing store.
            return nextScript(method, target).orElseGet(() -> signedDownload(method, target));
        }
        boolean appCall = target.startsWith("/app/") || target.matches(
                "^/repos/[^/]+/[^/]+/installation$");
        if (appCall) {
            Optional<String> refusal = verifyJwt(authorization);
            if (refusal.isPresent()) {
                jwtRejections.add(refusal.get());
                return json(401, error(refusal.get()));
            }
            Optional<MockResponse> scripted = nextScript(method, target);
            if (scripted.isPresent()) {
                return scripted.get();
            }
            if (target.startsWith("/app/installations/") && target.endsWith("/access_tokens")
                    && method.equals("POST")) {
                return mint(target, body);
            }
            if (method.equals("GET") && target.split("\\?")[0].equals("/app/installations")) {
                return listInstallations(target);
            }
            Matcher matcher = REPO_PATH.matcher(target);
            if (matcher.matches()) {
                Long id = installations.get((matcher.group(1) + "/" + matcher.group(2))
                        .toLowerCase());
                return id == null
                        ? json(404, error("Not Found"))
                        : json(200, JSON.createObjectNode().put("id", id).put("app_id", appId));
            }
            return json(404, error("Not Found"));
        }
        Mint mint = authorization.startsWith("Bearer ")
                ? liveTokens.get(authorization.substring(7))
                : null;
        if (mint == null || !mint.expiresAt().isAfter(now())) {
            return json(401, error("Bad credentials"));
        }
        if (method.equals("GET") && target.split("\\?")[0].equals(
                "/installation/repositories")) {
            return listRepositories(mint, target);
        }
        if (method.equals("GET") && (target.startsWith("/search/code?") || target.startsWith(
                "/search/issues?"))) {
            Optional<MockResponse> scripted = nextScript(method, target);
            return scripted.isPresent() ? scripted.get() : search(mint, target);
        }
        if (method.equals("POST") && target.equals("/graphql")) {
            Optional<MockResponse> scripted = nextScript(method, target);
            return scripted.isPresent() ? scripted.get() : graphql(mint, body);
        }
        Matcher matcher = REPO_PATH.matcher(target);
        if (!matcher.matches()) {
            return json(404, error("Not Found"));
        }
        String owner = matcher.group(1);
        String name = matcher.group(2);
        Long installation = installations.get((owner + "/" + name).toLowerCase());
        if (installation == null || installation != mint.installationId() || !mint.repositories()
                .contains(name.toLowerCase())) {
            // GitHub hides repositories a token cannot see.
            return json(404, error("Not Found"));
        }
        String rest = matcher.group(3) == null ? "" : matcher.group(3);
        String needed = permissionFor(method, rest);
        String level = mint.permissions().get(needed.split("=")[0]);
        if (level == null && rest.matches("/issues/\\d+/comments")) {
            // GitHub takes issues or pull_requests for a conversation's comments.
            level = mint.permissions().get("issues");
        }
        if (level == null && needed.equals("metadata=read")) {
            level = "read"; // every installation token can read metadata
        }
        boolean write = needed.endsWith("=write");
        if (level != null && rest.matches("/pulls/\\d+/update-branch") && !"write".equals(mint
                .permissions().get("contents"))) {
            // an App also needs to write the head repository's contents (GitHub's docs)
            level = null;
            needed = "contents=write";
        }
        if (level == null || (write && !level.equals("write"))) {
            return new MockResponse.Builder(json(403, error(
                    "Resource not accessible by integration"))).addHeader(
                            "X-Accepted-GitHub-Permissions", needed)
                    .build();
        }
        Optional<MockResponse> scripted = nextScript(method, target);
        if (scripted.isPresent()) {
            return scripted.get();
        }
        String query = matcher.group(4) == null ? "" : matcher.group(4).substring(1);
        return model(method, repo(owner, name), rest, query, body);
    }

    private Optional<MockResponse> nextScript(String method, String target) {
        for (Scripted scripted : scripts) {
            if (scripted.method().equals(method) && scripted.path().test(target) && scripts
                    .remove(scripted)) {
                return Optional.of(scripted.response());
            }
        }
        return Optional.empty();
    }

    private static String permissionFor(String method, String rest) {
        boolean write = !method.equals("GET");
        String permission;
        if (rest.startsWith("/issues")) {
            // Conversation comments on pull requests go through the issues API.
            permission = rest.matches("/issues/\\d+/comments") ? "pull_requests" : "issues";
        } else if (rest.startsWith("/pulls")) {
            permission = "pull_requests";
        } else if (rest.startsWith("/check-runs") || rest.contains("/check-runs")) {
            permission = "checks";
        } else if (rest.startsWith("/actions")) {
            permission = "actions";
        } else if (rest.matches("/commits/[^/?]+/status(es)?(\\?.*)?")
                || rest.startsWith("/statuses")) {
            permission = "statuses";
        } else if (rest.isEmpty()) {
            permission = "metadata";
        } else {
            permission = "contents";
        }
        return permission + (write ? "=write" : "=read");
    }

    private Optional<String> verifyJwt(String authorization) {
        if (!authorization.startsWith("Bearer ")) {
            return Optional.of("A JSON web token could not be decoded");
        }
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring(7));
            if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(
                    verifier)) {
                return Optional.of("A JSON web token could not be decoded");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!appId.equals(claims.getIssuer())) {
                return Optional.of("Integration not found");
            }
            Instant now = now();
            if (claims.getIssueTime() == null || claims.getIssueTime().toInstant().isAfter(now)) {
                return Optional.of("'Issued at' claim ('iat') must be an Integer representing the"
                        + " time that the assertion was issued.");
            }
            if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant()
                    .isAfter(now)) {
                return Optional.of("'Expiration time' claim ('exp') must be a numeric value"
                        + " representing the future time at which the assertion expires.");
            }
            if (claims.getExpirationTime().toInstant().isAfter(now.plus(Duration.ofMinutes(10)))) {
                return Optional.of("'Expiration time' claim ('exp') is too far in the future.");
            }
            return Optional.empty();
        } catch (ParseException | JOSEException e) {
            return Optional.of("A JSON web token could not be decoded");
        }
    }

    private MockResponse mint(String target, String body) {
        long installationId = Long.parseLong(target.replaceAll("\\D+", " ").trim());
        if (!installations.containsValue(installationId)) {
            return json(404, error("Not Found"));
        }
        if (suspended.contains(installationId)) {
            return json(403, error("This installation has been suspended"));
        }
        JsonNode request = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        List<String> repositories = new ArrayList<>();
        request.path("repositories").forEach(node -> repositories.add(node.asString()
                .toLowerCase()));
        for (String repository : repositories) {
            boolean inInstallation = installations.entrySet().stream().anyMatch(
                    e -> e.getValue() == installationId && e.getKey().endsWith("/" + repository));
            if (!inInstallation) {
                return json(422, error("There is at least one repository that does not exist or"
                        + " is not accessible to the parent installation."));
            }
        }
        Map<String, String> permissions = new TreeMap<>();
        request.path("permissions").properties().forEach(e -> permissions.put(e.getKey(), e
                .getValue().asString()));
        // Tokens are opaque and of varying length: never 40 characters here.
        String token = "ghs_" + tokenCounter.incrementAndGet() + "x" + "A".repeat(60
                + (int) (tokenCounter.get() % 7));
        Instant expiresAt = now().plus(tokenLifetime);
        Mint mint = new Mint(installationId, List.copyOf(repositories), Map.copyOf(permissions),
                token, expiresAt);
        mints.add(mint);
        liveTokens.put(token, mint);
        ObjectNode answer = JSON.createObjectNode().put("token", token).put("expires_at",
                expiresAt.toString()).put("repository_selection",
                        repositories.isEmpty()
                                ? "all"
                                : "selected");
        ObjectNode granted = answer.putObject("permissions");
        permissions.forEach(granted::put);
        return json(201, answer);
    }

    /** Suspends an installation: listed with {@code suspended_at}, and no token is minted. */
    public void suspend(long installationId) {
        suspended.add(installationId);
    }

    /**
     * A review comment on line {@code line} of {@code path} in pull request {@code pull}, as a
     * reviewer leaves it (with the diff hunk it sits on).
     */
    public ObjectNode reviewComment(String owner, String name, long pull, String path, int line,
            String diffHunk, String body, String author) {
        ObjectNode comment = JSON.createObjectNode().put("id", ids.incrementAndGet()).put("path",
                path).put("line", line).put("side", "RIGHT").put("diff_hunk", diffHunk).put(
                        "body", body)
                .put("created_at", now().toString()).put("commit_id", sha(
                        "head"))
                .put("html_url", "https://github.com/" + owner + "/" + name + "/pull/" + pull
                        + "#discussion_r" + ids.get());
        comment.putObject("user").put("login", author);
        repo(owner, name).reviewComments.computeIfAbsent(pull, k -> new CopyOnWriteArrayList<>())
                .add(comment);
        return comment;
    }

    /**
     * {@code POST /graphql}, the one mutation Tollgate uses: markPullRequestReadyForReview. As
     * GitHub does, it answers 200 with {@code errors} (type and message) when the node is not
     * visible to the token or the token lacks pull_requests: write.
     */
    private MockResponse graphql(Mint mint, String body) {
        JsonNode request = JSON.readTree(body);
        String query = request.path("query").asString("");
        if (!query.contains("markPullRequestReadyForReview")) {
            return json(200, "{\"errors\":[{\"message\":\"the stand-in knows one mutation\"}]}");
        }
        String id = request.path("variables").path("id").asString("");
        String[] node = id.startsWith("PR_")
                ? new String(Base64.getUrlDecoder().decode(id.substring(3)),
                        StandardCharsets.UTF_8).split("[/#]")
                : new String[0];
        Repo repo = node.length == 3 ? repos.get((node[0] + "/" + node[1]).toLowerCase()) : null;
        ObjectNode pull = repo == null || !mint.repositories().contains(repo.name.toLowerCase())
                ? null
                : repo.pulls().stream().filter(p -> p.path("number").asLong() == Long
                        .parseLong(node[2])).findFirst().orElse(null);
        if (pull == null) {
            return json(200, "{\"data\":{\"markPullRequestReadyForReview\":null},\"errors\":"
                    + "[{\"type\":\"NOT_FOUND\",\"path\":[\"markPullRequestReadyForReview\"],"
                    + "\"message\":\"Could not resolve to a node with the global id of '" + id
                    + "'\"}]}");
        }
        if (!"write".equals(mint.permissions().get("pull_requests"))) {
            return json(200, "{\"data\":{\"markPullRequestReadyForReview\":null},\"errors\":"
                    + "[{\"type\":\"FORBIDDEN\",\"path\":[\"markPullRequestReadyForReview\"],"
                    + "\"message\":\"Resource not accessible by integration\"}]}");
        }
        pull.put("draft", false);
        ObjectNode answer = JSON.createObjectNode();
        answer.putObject("data").putObject("markPullRequestReadyForReview").putObject(
                "pullRequest").put("number", pull.path("number").asLong()).put("isDraft", false)
                .put("url", pull.path("html_url").asString());
        return json(200, answer);
    }

    /** A private repository's raw URL, with its own short-lived token as GitHub gives it. */
    private String downloadUrl(Repo repo, String path) {
        String token = "A" + Long.toString(tokenCounter.incrementAndGet(), 36).toUpperCase(
                java.util.Locale.ROOT) + "RAW"
                + java.util.UUID.randomUUID().toString().replace(
                        "-", "").toUpperCase(java.util.Locale.ROOT);
        downloadTokens.add(token);
        return "https://raw.githubusercontent.com/" + repo.owner + "/" + repo.name + "/"
                + repo.defaultBranch + "/" + path + "?token=" + token;
    }

    private int page(String target) {
        Map<String, String> params = params(target.contains("?")
                ? target.substring(target.indexOf('?') + 1)
                : "");
        return Integer.parseInt(params.getOrDefault("page", "1"));
    }

    private int perPage(String target) {
        Map<String, String> params = params(target.contains("?")
                ? target.substring(target.indexOf('?') + 1)
                : "");
        return Math.min(100, Integer.parseInt(params.getOrDefault("per_page", "30")));
    }

    /** {@code GET /app/installations}: every installation, its account the owner of its repos. */
    /**
     * GitHub's code and issue search, as far as the tools use it: a query of words (each must
     * match, case-insensitively), "phrases", {@code repo:owner/name} (a repository the token cannot
     * see is a 422, as on GitHub), {@code path:} for code, {@code is:open|closed|issue|pr} and
     * {@code label:} for issues. Without {@code repo:} it searches every repository the token sees
     * and every public one, as GitHub does. Code search reads text files only.
     */
    private MockResponse search(Mint mint, String target) {
        boolean code = target.startsWith("/search/code?");
        Map<String, String> params = params(target.substring(target.indexOf('?') + 1));
        List<String> terms = new ArrayList<>();
        List<String> scoped = new ArrayList<>();
        Map<String, List<String>> qualifiers = new HashMap<>();
        Matcher token = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(params.getOrDefault("q",
                ""));
        while (token.find()) {
            String word = token.group(1) != null ? token.group(1) : token.group(2);
            int colon = word.indexOf(':');
            if (token.group(1) == null && colon > 0) {
                String key = word.substring(0, colon).toLowerCase();
                String value = word.substring(colon + 1);
                if (key.equals("repo")) {
                    scoped.add(value.toLowerCase());
                } else {
                    qualifiers.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                }
            } else {
                terms.add(word.toLowerCase());
            }
        }
        List<Repo> searched = new ArrayList<>();
        for (String name : scoped) {
            Repo repo = repos.get(name);
            if (repo == null || !(repo.publicRepo || visible(mint, repo))) {
                return json(422, "{\"message\":\"Validation Failed\",\"errors\":[{\"message\":"
                        + "\"The listed users and repositories cannot be searched either because "
                        + "the resources do not exist or you do not have permission to view "
                        + "them.\",\"resource\":\"Search\",\"field\":\"q\",\"code\":\"invalid\"}]}");
            }
            searched.add(repo);
        }
        if (scoped.isEmpty()) {
            repos.values().stream().filter(repo -> repo.publicRepo || visible(mint, repo))
                    .forEach(searched::add);
        }
        List<ObjectNode> items = new ArrayList<>();
        for (Repo repo : searched) {
            ObjectNode repository = JSON.createObjectNode().put("id", Math.abs((repo.owner + "/"
                    + repo.name).hashCode())).put("name", repo.name).put("full_name", repo.owner
                            + "/" + repo.name)
                    .put("private", !repo.publicRepo);
            if (code) {
                new TreeMap<>(repo.files).forEach((path, content) -> {
                    String lower = content.toLowerCase();
                    boolean pathMatches = qualifiers.getOrDefault("path", List.of()).stream()
                            .allMatch(prefix -> path.startsWith(prefix));
                    if (pathMatches && terms.stream().allMatch(lower::contains)) {
                        ObjectNode item = JSON.createObjectNode().put("name", path.substring(path
                                .lastIndexOf('/') + 1)).put("path", path).put("sha", sha(content))
                                .put("url", apiUrlText() + "/repos/" + repo.owner + "/" + repo.name
                                        + "/contents/" + path)
                                .put("html_url", "https://github.com/" + repo.owner + "/"
                                        + repo.name + "/blob/main/" + path)
                                .put("score", 1.0);
                        item.set("repository", repository);
                        items.add(item);
                    }
                });
            } else {
                for (ObjectNode issue : repo.issues) {
                    String text = (issue.path("title").asString("") + " " + issue.path("body")
                            .asString("")).toLowerCase();
                    boolean matches = terms.stream().allMatch(text::contains);
                    for (String is : qualifiers.getOrDefault("is", List.of())) {
                        matches &= switch (is) {
                            case "open", "closed" -> is.equals(issue.path("state").asString());
                            case "pr" -> issue.has("pull_request");
                            case "issue" -> !issue.has("pull_request");
                            default -> true;
                        };
                    }
                    for (String label : qualifiers.getOrDefault("label", List.of())) {
                        boolean has = false;
                        for (JsonNode one : issue.path("labels")) {
                            has |= one.path("name").asString("").equalsIgnoreCase(label);
                        }
                        matches &= has;
                    }
                    if (matches) {
                        ObjectNode item = issue.deepCopy().put("repository_url", apiUrlText()
                                + "/repos/" + repo.owner + "/" + repo.name).put("score", 1.0);
                        items.add(item);
                    }
                }
            }
        }
        int perPage = perPage(target);
        int page = page(target);
        ObjectNode answer = JSON.createObjectNode().put("total_count", items.size()).put(
                "incomplete_results", false);
        ArrayNode pageItems = answer.putArray("items");
        items.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(pageItems::add);
        return json(200, answer);
    }

    private boolean visible(Mint mint, Repo repo) {
        Long installation = installations.get((repo.owner + "/" + repo.name).toLowerCase());
        return installation != null && installation == mint.installationId() && mint
                .repositories().contains(repo.name.toLowerCase());
    }

    private MockResponse listInstallations(String target) {
        Map<Long, String> accounts = new TreeMap<>();
        installations.forEach((repo, id) -> accounts.putIfAbsent(id, repo.split("/")[0]));
        List<Map.Entry<Long, String>> all = new ArrayList<>(accounts.entrySet());
        int size = perPage(target);
        int from = Math.min(all.size(), (page(target) - 1) * size);
        tools.jackson.databind.node.ArrayNode list = JSON.createArrayNode();
        for (Map.Entry<Long, String> entry : all.subList(from, Math.min(all.size(), from
                + size))) {
            ObjectNode installation = list.addObject().put("id", entry.getKey()).put("app_id",
                    appId).put("repository_selection", "selected").put("target_type",
                            "Organization");
            installation.putObject("account").put("login", entry.getValue()).put("type",
                    "Organization");
            installation.putObject("permissions").put("contents", "write").put("metadata",
                    "read");
            if (suspended.contains(entry.getKey())) {
                installation.put("suspended_at", now().toString());
            } else {
                installation.putNull("suspended_at");
            }
        }
        return json(200, list);
    }

    /** {@code GET /installation/repositories}: the repositories the token's installation has. */
    private MockResponse listRepositories(Mint mint, String target) {
        List<String> names = installations.entrySet().stream().filter(e -> e
                .getValue() == mint.installationId()).map(Map.Entry::getKey).sorted().toList();
        int size = perPage(target);
        int from = Math.min(names.size(), (page(target) - 1) * size);
        ObjectNode answer = JSON.createObjectNode().put("total_count", names.size());
        tools.jackson.databind.node.ArrayNode list = answer.putArray("repositories");
        for (String name : names.subList(from, Math.min(names.size(), from + size))) {
            list.addObject().put("full_name", name).put("name", name.split("/")[1]);
        }
        return json(200, answer);
    }

    /** What the signed download URLs handed out so far serve, by key. */
    private final Map<String, String> signed = new ConcurrentHashMap<>();

    /** A signed URL: the signature is the credential, an Authorization header is not needed. */
    private MockResponse signedDownload(String method, String target) {
        String key = target.replaceFirst("^/_signed/job-logs/", "").replaceFirst("\\?.*$", "");
        String text = signed.get(key);
        if (!method.equals("GET") || text == null || !target.contains("?sig=")) {
            return new MockResponse.Builder().code(403).addHeader("Content-Type",
                    "application/xml").body("<Error><Code>AuthenticationFailed</Code></Error>")
                    .build();
        }
        return new MockResponse.Builder().code(200).addHeader("Content-Type",
                "text/plain; charset=utf-8").body(text).build();
    }

    // ---- the in-memory GitHub ----------------------------------------------------------------

    private MockResponse model(String method, Repo repo, String rest, String query,
            String body) {
        String route = method + " " + rest;
        Map<String, String> params = params(query);
        if (route.equals("GET ")) {
            return json(200, JSON.createObjectNode().put("id", 1).put("name", repo.name).put(
                    "full_name", repo.owner + "/" + repo.name).put("private", true).put("fork",
                            repo.fork)
                    .put("default_branch", repo.defaultBranch).put("visibility",
                            "private")
                    .put("description", "a repository").put("html_url",
                            "https://github.com/" + repo.owner + "/" + repo.name)
                    .put("node_id", "R_x").put("stargazers_count", 3));
        }
        if (route.startsWith("GET /contents")) {
            String path = rest.substring("/contents".length()).replaceFirst("^/", "");
            if (path.isEmpty()) {
                ArrayNode listing = JSON.createArrayNode();
                new TreeSet<>(repo.files.keySet()).forEach(file -> listing.addObject().put("name",
                        file.contains("/") ? file.substring(0, file.indexOf('/')) : file).put(
                                "path", file)
                        .put("type", file.contains("/") ? "dir" : "file")
                        .put("sha", sha(file)).put("_links", "x").put("download_url",
                                file.contains("/") ? null : downloadUrl(repo, file)));
                return json(200, listing);
            }
            String name = URLDecoder.decode(path, StandardCharsets.UTF_8);
            if (repo.symlinks.containsKey(name)) {
                name = repo.symlinks.get(name);
                path = name;
            }
            String text = repo.files.get(name);
            byte[] content = text != null
                    ? text.getBytes(StandardCharsets.UTF_8)
                    : repo.binaryFiles.get(name);
            if (content == null) {
                return json(404, error("Not Found"));
            }
            return json(200, JSON.createObjectNode().put("type", "file").put("encoding", "base64")
                    .put("size", content.length).put("name", path).put("path", name).put(
                            "sha",
                            sha(text != null ? text : Base64.getEncoder().encodeToString(content)))
                    .put("content", Base64.getMimeEncoder().encodeToString(content))
                    .put("url", "x").put("download_url", downloadUrl(repo, name))
                    .put("html_url", "https://github.com/" + repo.owner + "/" + repo.name
                            + "/blob/main/" + path));
        }
        if (route.equals("GET /pulls")) {
            ArrayNode list = JSON.createArrayNode();
            repo.pulls().reversed().stream().filter(p -> !params.containsKey("base") || params
                    .get("base").equals(p.path("base").path("ref").asString())).forEach(list::add);
            return json(200, list);
        }
        if (route.equals("POST /issues") || route.equals("POST /pulls")) {
            JsonNode request = JSON.readTree(body);
            if (request.path("title").asString("").isEmpty()) {
                return json(422, "{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
                        + "\"Issue\",\"code\":\"missing_field\",\"field\":\"title\"}]}");
            }
            long number = repo.issues.size() + 1;
            ObjectNode issue = JSON.createObjectNode().put("id", ids.incrementAndGet()).put(
                    "number", number).put("title", request.path("title").asString()).put("body",
                            request.path("body").asString(null))
                    .put("state", "open").put(
                            "html_url", "https://github.com/" + repo.owner + "/"
                                    + repo.name + (route.endsWith("pulls")
                                            ? "/pull/"
                                            : "/issues/")
                                    + number)
                    .put("node_id", (route.endsWith("pulls") ? "PR_" : "I_") + Base64
                            .getUrlEncoder().withoutPadding().encodeToString((repo.owner + "/"
                                    + repo.name + "#" + number).getBytes(
                                            StandardCharsets.UTF_8)));
            issue.putObject("user").put("login", "tollgate[bot]");
            if (route.endsWith("pulls")) {
                issue.put("draft", request.path("draft").asBoolean(false));
                issue.putObject("pull_request").put("url", "x");
                // head is a branch here, or owner:branch in another repository of the network
                String head = request.path("head").asString();
                int colon = head.indexOf(':');
                ObjectNode headNode = issue.putObject("head").put("ref", head.substring(colon + 1))
                        .put("label", colon < 0 ? repo.owner + ":" + head : head);
                headNode.putObject("repo").put("full_name", colon < 0
                        ? repo.owner + "/" + repo.name
                        : head.substring(0, colon) + "/" + request.path("head_repo").asString(
                                repo.name));
                issue.putObject("base").put("ref", request.path("base").asString());
            }
            setLabelsAndAssignees(issue, request);
            repo.issues.add(issue);
            return json(201, issue);
        }
        Matcher reviewers = Pattern.compile("^POST /pulls/(\\d+)/requested_reviewers$").matcher(
                route);
        if (reviewers.matches()) {
            int number = Integer.parseInt(reviewers.group(1));
            if (number < 1 || number > repo.issues.size() || !repo.issues.get(number - 1).has(
                    "pull_request")) {
                return json(404, error("Not Found"));
            }
            ObjectNode pull = repo.issues.get(number - 1);
            String author = pull.path("user").path("login").asString();
            ArrayNode requested = pull.has("requested_reviewers")
                    ? (ArrayNode) pull.get("requested_reviewers")
                    : pull.putArray("requested_reviewers");
            for (JsonNode login : JSON.readTree(body).path("reviewers")) {
                if (login.asString().equalsIgnoreCase(author)) {
                    // as GitHub answers it
                    return json(422, error(
                            "Review cannot be requested from pull request author."));
                }
                boolean asked = false;
                for (JsonNode user : requested) {
                    asked |= user.path("login").asString().equalsIgnoreCase(login.asString());
                }
                if (!asked) {
                    requested.addObject().put("login", login.asString()).put("type", "User");
                }
            }
            return json(201, pull);
        }
        Matcher updateBranch = Pattern.compile("^PUT /pulls/(\\d+)/update-branch$").matcher(
                route);
        if (updateBranch.matches()) {
            return updatePullRequestBranch(repo, Integer.parseInt(updateBranch.group(1)), body);
        }
        Matcher oneIssue = Pattern.compile("^(GET|PATCH) /(issues|pulls)/(\\d+)$").matcher(route);
        if (oneIssue.matches()) {
            int number = Integer.parseInt(oneIssue.group(3));
            if (number > repo.issues.size() || number < 1 || (oneIssue.group(2).equals("pulls")
                    && !repo.issues.get(number - 1).has("pull_request"))) {
                return json(404, error("Not Found"));
            }
            ObjectNode issue = repo.issues.get(number - 1);
            if (issue.has("pull_request")) {
                withShas(repo, issue);
            }
            if (method.equals("PATCH")) {
                JsonNode request = JSON.readTree(body);
                for (String field : List.of("title", "body", "state")) {
                    if (request.has(field)) {
                        issue.put(field, request.get(field).asString());
                    }
                }
                setLabelsAndAssignees(issue, request);
            }
            return json(200, issue);
        }
        if (route.equals("GET /issues")) {
            ArrayNode list = JSON.createArrayNode();
            repo.issues.reversed().forEach(list::add);
            return json(200, list);
        }
        Matcher comments = Pattern.compile("^(GET|POST) /issues/(\\d+)/comments$").matcher(route);
        if (comments.matches()) {
            long number = Long.parseLong(comments.group(2));
            if (number > repo.issues.size()) {
                return json(404, error("Not Found"));
            }
            List<ObjectNode> list = repo.comments.computeIfAbsent(number,
                    k -> new CopyOnWriteArrayList<>());
            if (method.equals("GET")) {
                // oldest first; since= keeps those updated at or after it; one page at a time
                Instant since = params.containsKey("since")
                        ? Instant.parse(decode(params.get("since")))
                        : Instant.EPOCH;
                List<ObjectNode> kept = list.stream().filter(c -> !Instant.parse(c.path(
                        "updated_at").asString(Instant.EPOCH.toString())).isBefore(since))
                        .toList();
                int size = Math.min(100, Integer.parseInt(params.getOrDefault("per_page", "30")));
                int from = Math.min(kept.size(), (Integer.parseInt(params.getOrDefault("page",
                        "1")) - 1) * size);
                ArrayNode array = JSON.createArrayNode();
                kept.subList(from, Math.min(kept.size(), from + size)).forEach(array::add);
                return json(200, array);
            }
            ObjectNode comment = JSON.createObjectNode().put("id", ids.incrementAndGet()).put(
                    "body", JSON.readTree(body).path("body").asString()).put("html_url",
                            "https://github.com/" + repo.owner + "/" + repo.name + "/pull/"
                                    + number + "#issuecomment-" + ids.get())
                    .put("created_at", now().toString()).put("updated_at", now().toString());
            list.add(comment);
            return json(201, comment);
        }
        Matcher reviewComments = Pattern.compile("^GET /pulls/(\\d+)/comments$").matcher(route);
        if (reviewComments.matches()) {
            long number = Long.parseLong(reviewComments.group(1));
            if (number < 1 || number > repo.issues.size() || !repo.issues.get((int) number - 1)
                    .has("pull_request")) {
                return json(404, error("Not Found"));
            }
            List<ObjectNode> all = new ArrayList<>(repo.reviewComments.getOrDefault(number,
                    List.of()));
            // ascending by ID; sort=created&direction=desc gives the newest first
            if (params.containsKey("sort") && "desc".equals(params.get("direction"))) {
                java.util.Collections.reverse(all);
            }
            int size = Math.min(100, Integer.parseInt(params.getOrDefault("per_page", "30")));
            int from = Math.min(all.size(), (Integer.parseInt(params.getOrDefault("page", "1"))
                    - 1) * size);
            ArrayNode array = JSON.createArrayNode();
            all.subList(from, Math.min(all.size(), from + size)).forEach(array::add);
            return json(200, array);
        }
        Matcher reply = Pattern.compile("^POST /pulls/(\\d+)/comments/(\\d+)/replies$").matcher(
                route);
        if (reply.matches()) {
            long number = Long.parseLong(reply.group(1));
            long id = Long.parseLong(reply.group(2));
            ObjectNode original = repo.reviewComments.getOrDefault(number, List.of()).stream()
                    .filter(comment -> comment.path("id").asLong() == id).findFirst().orElse(
                            null);
            if (original == null) {
                return json(404, error("Not Found"));
            }
            if (original.has("in_reply_to_id")) {
                // GitHub documents it: replies to replies are not supported
                return json(422, error("Validation Failed"));
            }
            ObjectNode comment = original.deepCopy().put("id", ids.incrementAndGet()).put("body",
                    JSON.readTree(body).path("body").asString()).put("in_reply_to_id", id).put(
                            "created_at", now().toString())
                    .put("html_url", "https://github.com/"
                            + repo.owner + "/" + repo.name + "/pull/" + number
                            + "#discussion_r" + ids.get());
            comment.putObject("user").put("login", "tollgate[bot]");
            repo.reviewComments.get(number).add(comment);
            return json(201, comment);
        }
        Matcher oneReview = Pattern.compile(
                "^(GET|PUT|DELETE|POST) /pulls/(\\d+)/reviews/(\\d+)(/events)?$").matcher(route);
        if (oneReview.matches()) {
            String verb = oneReview.group(1);
            boolean events = oneReview.group(4) != null;
            if (events != verb.equals("POST")) {
                return json(404, error("Not Found"));
            }
            long id = Long.parseLong(oneReview.group(3));
            List<ObjectNode> list = repo.reviews.getOrDefault(Long.parseLong(oneReview.group(2)),
                    List.of());
            ObjectNode review = list.stream().filter(r -> r.path("id").asLong() == id)
                    .findFirst().orElse(null);
            if (review == null) {
                return json(404, error("Not Found"));
            }
            boolean pending = review.path("state").asString().equals("PENDING");
            switch (verb) {
                case "GET" -> {
                    return json(200, review);
                }
                case "PUT" -> {
                    review.put("body", JSON.readTree(body).path("body").asString(""));
                    return json(200, review);
                }
                case "DELETE" -> {
                    if (!pending) {
                        return json(422, "{\"message\":\"Unprocessable Entity\",\"errors\":"
                                + "[\"Can not delete a non-pending pull request review\"]}");
                    }
                    list.remove(review);
                    return json(200, review);
                }
                default -> {
                    JsonNode request = JSON.readTree(body);
                    String event = request.path("event").asString("");
                    if (!pending) {
                        return json(422, error("Can not submit a non-pending review"));
                    }
                    if (!List.of("APPROVE", "REQUEST_CHANGES", "COMMENT").contains(event)
                            || (!event.equals("APPROVE") && request.path("body").asString("")
                                    .isEmpty())) {
                        return json(422, error("Validation Failed"));
                    }
                    review.put("state", switch (event) {
                        case "APPROVE" -> "APPROVED";
                        case "REQUEST_CHANGES" -> "CHANGES_REQUESTED";
                        default -> "COMMENTED";
                    }).put("body", request.path("body").asString());
                    return json(200, review);
                }
            }
        }
        Matcher reviews = Pattern.compile("^(GET|POST) /pulls/(\\d+)/reviews$").matcher(route);
        if (reviews.matches()) {
            long number = Long.parseLong(reviews.group(2));
            List<ObjectNode> list = repo.reviews.computeIfAbsent(number,
                    k -> new CopyOnWriteArrayList<>());
            if (method.equals("GET")) {
                // Oldest first, paged, with GitHub's Link header; no sort, no since.
                int size = Math.min(100, Integer.parseInt(params.getOrDefault("per_page", "30")));
                int page = Integer.parseInt(params.getOrDefault("page", "1"));
                int from = Math.min(list.size(), (page - 1) * size);
                ArrayNode array = JSON.createArrayNode();
                list.subList(from, Math.min(list.size(), from + size)).forEach(array::add);
                int last = Math.max(1, (list.size() + size - 1) / size);
                MockResponse answer = json(200, array);
                if (last > 1) {
                    String url = apiUrlText() + "/repos/" + repo.owner + "/" + repo.name
                            + "/pulls/" + number + "/reviews?per_page=" + size + "&page=";
                    List<String> links = new ArrayList<>();
                    if (page < last) {
                        links.add("<" + url + (page + 1) + ">; rel=\"next\"");
                    }
                    links.add("<" + url + last + ">; rel=\"last\"");
                    answer = answer.newBuilder().addHeader("Link", String.join(", ", links))
                            .build();
                }
                return answer;
            }
            JsonNode request = JSON.readTree(body);
            if (request.has("event")) {
                return json(422, error("a pending review must not name an event"));
            }
            ObjectNode review = JSON.createObjectNode().put("id", ids.incrementAndGet()).put(
                    "state", "PENDING").put("body", request.path("body").asString("")).put(
                            "html_url", "https://github.com/x/pull/" + number + "#review");
            review.set("comments_sent", request.path("comments"));
            list.add(review);
            return json(200, review);
        }
        if (route.equals("POST /check-runs")) {
            JsonNode request = JSON.readTree(body);
            ObjectNode run = JSON.createObjectNode().put("id", ids.incrementAndGet()).put("name",
                    request.path("name").asString()).put("head_sha",
                            request.path("head_sha")
                                    .asString())
                    .put("status", request.path("status").asString(
                            "queued"))
                    .put("conclusion", request.path("conclusion")
                            .asString(null))
                    .put("external_id", request.path(
                            "external_id").asString(null))
                    .put("html_url",
                            "https://github.com/x/runs/1");
            repo.checkRuns.add(run);
            return json(201, run);
        }
        Matcher combined = Pattern.compile("^GET /commits/([^/]+)/status$").matcher(route);
        if (combined.matches()) {
            String ref = decode(combined.group(1));
            String sha = repo.refs.getOrDefault(ref, ref);
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode list = answer.putArray("statuses");
            repo.statuses.stream().filter(status -> status.path("sha").asString().equals(sha))
                    .forEach(status -> list.add(status.deepCopy()));
            boolean failed = repo.statuses.stream().anyMatch(status -> status.path("sha")
                    .asString().equals(sha)
                    && Set.of("failure", "error").contains(status.path(
                            "state").asString()));
            boolean allSucceeded = !list.isEmpty() && repo.statuses.stream().filter(status -> status
                    .path("sha").asString().equals(sha)).allMatch(status -> status.path("state")
                            .asString().equals("success"));
            // As GitHub: failure if any failed, success if all succeeded, else (or none) pending.
            answer.put("state", failed ? "failure" : allSucceeded ? "success" : "pending").put(
                    "sha", sha).put("total_count", list.size());
            return json(200, answer);
        }
        if (route.equals("GET /actions/runs")) {
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode runs = answer.putArray("workflow_runs");
            repo.workflowRuns.stream().filter(run -> (params.get("branch") == null || params.get(
                    "branch").equals(run.path("head_branch").asString()))
                    && (params.get(
                            "head_sha") == null || params.get("head_sha").equals(
                                    run.path(
                                            "head_sha").asString()))
                    && (params.get("status") == null || params.get("status").equals(run.path(
                            "status").asString()) || params.get("status").equals(run.path(
                                    "conclusion").asString())))
                    .forEach(runs::add);
            answer.put("total_count", runs.size());
            return json(200, answer);
        }
        Matcher runJobs = Pattern.compile("^GET /actions/runs/(\\d+)/jobs$").matcher(route);
        if (runJobs.matches()) {
            List<ObjectNode> jobs = repo.workflowJobs.get(Long.parseLong(runJobs.group(1)));
            if (jobs == null) {
                return json(404, error("Not Found"));
            }
            ObjectNode answer = JSON.createObjectNode().put("total_count", jobs.size());
            answer.putArray("jobs").addAll(jobs);
            return json(200, answer);
        }
        Matcher jobLog = Pattern.compile("^GET /actions/jobs/(\\d+)/logs$").matcher(route);
        if (jobLog.matches()) {
            long job = Long.parseLong(jobLog.group(1));
            if (!repo.jobLogs.containsKey(job)) {
                return json(404, error("Not Found"));
            }
            String key = repo.owner + "/" + repo.name + "/" + job;
            signed.put(key, repo.jobLogs.get(job));
            // As GitHub: 302 to a short-lived signed URL that needs no Authorization header.
            return new MockResponse.Builder().code(302).addHeader("Location", apiUrlText()
                    + "/_signed/job-logs/" + key + "?sig=signed-" + job).build();
        }
        Matcher commitRuns = Pattern.compile("^GET /commits/([^/]+)/check-runs$").matcher(route);
        if (commitRuns.matches()) {
            ObjectNode answer = JSON.createObjectNode();
            ArrayNode runs = answer.putArray("check_runs");
            repo.checkRuns.stream().filter(r -> r.path("head_sha").asString().equals(commitRuns
                    .group(1))).forEach(runs::add);
            answer.put("total_count", runs.size());
            return json(200, answer);
        }
        if (route.equals("GET /branches")) {
            ArrayNode branches = JSON.createArrayNode();
            new java.util.TreeMap<>(repo.refs).forEach((name, sha) -> {
                boolean isProtected = repo.protectedBranches.contains(name);
                if (params.get("protected") == null || params.get("protected").equals(String
                        .valueOf(isProtected))) {
                    ObjectNode branch = branches.addObject().put("name", name).put("protected",
                            isProtected);
                    branch.putObject("commit").put("sha", sha);
                }
            });
            return json(200, branches);
        }
        Matcher branch = Pattern.compile("^GET /branches/(.+)$").matcher(route);
        if (branch.matches()) {
            String name = decode(branch.group(1));
            String sha = repo.refs.get(name);
            if (sha == null) {
                return json(404, error("Branch not found"));
            }
            ObjectNode answer = JSON.createObjectNode().put("name", name).put("protected",
                    repo.protectedBranches.contains(name));
            answer.putObject("commit").put("sha", sha);
            return json(200, answer);
        }
        Matcher getRef = Pattern.compile("^GET /git/ref/heads/(.+)$").matcher(route);
        if (getRef.matches()) {
            String name = decode(getRef.group(1));
            String sha = repo.refs.get(name);
            return sha == null ? json(404, error("Not Found")) : json(200, ref(name, sha));
        }
        if (route.equals("POST /git/refs")) {
            JsonNode request = JSON.readTree(body);
            String name = request.path("ref").asString().replaceFirst("^refs/heads/", "");
            String sha = request.path("sha").asString();
            if (!repo.commits.containsKey(sha)) {
                return json(422, error("Object does not exist"));
            }
            if (repo.refs.putIfAbsent(name, sha) != null) {
                return json(422, error("Reference already exists"));
            }
            return json(201, ref(name, sha));
        }
        Matcher patchRef = Pattern.compile("^PATCH /git/refs/heads/(.+)$").matcher(route);
        if (patchRef.matches()) {
            String name = decode(patchRef.group(1));
            JsonNode request = JSON.readTree(body);
            String sha = request.path("sha").asString();
            String current = repo.refs.get(name);
            if (current == null) {
                return json(422, error("Reference does not exist"));
            }
            if (request.path("force").asBoolean(false)) {
                repo.forcedUpdates.add(name);
            } else if (!ancestors(repo, sha).contains(current)) {
                return json(422, error("Update is not a fast forward"));
            }
            repo.refs.put(name, sha);
            return json(200, ref(name, sha));
        }
        if (route.equals("POST /git/blobs")) {
            JsonNode request = JSON.readTree(body);
            String sha = sha("blob-" + request.path("content").asString());
            return json(201, JSON.createObjectNode().put("sha", sha).put("url", "x"));
        }
        if (route.equals("POST /git/trees")) {
            // As GitHub: each entry has a known mode and type, and either a SHA, content, or
            // a null SHA (which deletes the path); never both.
            for (JsonNode entry : JSON.readTree(body).path("tree")) {
                boolean hasContent = entry.has("content");
                boolean hasSha = entry.has("sha");
                if (!Set.of("100644", "100755", "040000", "160000", "120000").contains(entry
                        .path("mode").asString()) || hasContent == hasSha || (hasContent
                                && !entry.path("content").isString())) {
                    return json(422, error("tree.sha or tree.content, and a valid mode, for "
                            + entry.path("path").asString()));
                }
            }
            String sha = sha("tree-" + body);
            ObjectNode answer = JSON.createObjectNode().put("sha", sha);
            answer.set("tree", JSON.readTree(body).path("tree"));
            return json(201, answer);
        }
        if (route.equals("POST /git/commits")) {
            JsonNode request = JSON.readTree(body);
            String sha = sha("commit-" + body + ids.incrementAndGet());
            ObjectNode commit = JSON.createObjectNode().put("sha", sha).put("message", request
                    .path("message").asString()).put("html_url", "https://github.com/x/commit/"
                            + sha);
            commit.putObject("tree").put("sha", request.path("tree").asString());
            commit.set("parents", JSON.createArrayNode());
            request.path("parents").forEach(p -> ((ArrayNode) commit.get("parents")).addObject()
                    .put("sha", p.asString()));
            repo.commits.put(sha, commit);
            return json(201, commit);
        }
        Matcher getCommit = Pattern.compile("^GET /git/commits/([0-9a-f]+)$").matcher(route);
        if (getCommit.matches()) {
            ObjectNode commit = repo.commits.get(getCommit.group(1));
            return commit == null ? json(404, error("Not Found")) : json(200, commit);
        }
        if (route.startsWith("GET /issues/") || route.startsWith("GET /commits")) {
            return json(200, JSON.createObjectNode().put("passthrough", rest));
        }
        return json(404, error("Not Found"));
    }

    /** A pull request's head and base commits, as its branches stand now (same repository). */
    private static void withShas(Repo repo, ObjectNode pull) {
        ObjectNode head = (ObjectNode) pull.path("head");
        if (head.path("repo").path("full_name").asString().equals(repo.owner + "/" + repo.name)
                && repo.refs.containsKey(head.path("ref").asString())) {
            head.put("sha", repo.refs.get(head.path("ref").asString()));
        }
        ObjectNode base = (ObjectNode) pull.path("base");
        if (repo.refs.containsKey(base.path("ref").asString())) {
            base.put("sha", repo.refs.get(base.path("ref").asString()));
        }
    }

    /**
     * GitHub's "Update branch": the base merged into the head (a merge commit whose first parent
     * is the head), answered 202; 422 when {@code expected_head_sha} is not the head, or the head
     * already holds the base.
     */
    private MockResponse updatePullRequestBranch(Repo repo, int number, String body) {
        if (number < 1 || number > repo.issues.size() || !repo.issues.get(number - 1).has(
                "pull_request")) {
            return json(404, error("Not Found"));
        }
        ObjectNode pull = repo.issues.get(number - 1);
        withShas(repo, pull);
        String headRef = pull.path("head").path("ref").asString();
        String head = pull.path("head").path("sha").asString(null);
        String base = pull.path("base").path("sha").asString(null);
        if (head == null || base == null) {
            return json(422, error("Head or base branch not found"));
        }
        JsonNode request = body == null || body.isEmpty()
                ? JSON.createObjectNode()
                : JSON.readTree(body);
        if (request.has("expected_head_sha") && !request.path("expected_head_sha").asString()
                .equals(head)) {
            return json(422, error("expected head sha didn't match current head ref."));
        }
        if (ancestors(repo, head).contains(base)) {
            return json(422, error("There are no new commits on the base branch."));
        }
        String merge = sha("merge-" + head + "-" + base + ids.incrementAndGet());
        ObjectNode commit = JSON.createObjectNode().put("sha", merge).put("message",
                "Merge branch '" + pull.path("base").path("ref").asString() + "' into "
                        + headRef);
        commit.putObject("tree").put("sha", sha("tree-" + merge));
        ArrayNode parents = commit.putArray("parents");
        parents.addObject().put("sha", head);
        parents.addObject().put("sha", base);
        repo.commits.put(merge, commit);
        repo.refs.put(headRef, merge);
        return json(202, JSON.createObjectNode().put("message", "Updating pull request branch.")
                .put("url", "https://github.com/repos/" + repo.owner + "/" + repo.name + "/pulls/"
                        + number));
    }

    private static Set<String> ancestors(Repo repo, String sha) {
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new java.util.ArrayDeque<>(List.of(sha));
        while (!todo.isEmpty()) {
            String next = todo.pop();
            if (seen.add(next) && repo.commits.containsKey(next)) {
                repo.commits.get(next).path("parents").forEach(p -> todo.push(p.path("sha")
                        .asString()));
            }
        }
        return seen;
    }

    private static ObjectNode ref(String name, String sha) {
        ObjectNode ref = JSON.createObjectNode().put("ref", "refs/heads/" + name);
        ref.putObject("object").put("sha", sha).put("type", "commit");
        return ref;
    }

    /** Labels and assignees as GitHub answers them: objects with a name, users with a login. */
    private static void setLabelsAndAssignees(ObjectNode issue, JsonNode request) {
        if (request.has("labels")) {
            ArrayNode labels = issue.putArray("labels");
            request.get("labels").forEach(name -> labels.addObject().put("name", name
                    .asString()).put("color", "ededed"));
        }
        if (request.has("assignees")) {
            ArrayNode assignees = issue.putArray("assignees");
            request.get("assignees").forEach(login -> assignees.addObject().put("login", login
                    .asString()));
        }
    }

    private static Map<String, String> params(String query) {
        Map<String, String> params = new HashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
            }
        }
        return Collections.unmodifiableMap(params);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    public static String sha(String text) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Handy for assertions: the bodies GitHub stored, by kind. */
    public static Map<String, Object> summary(Repo repo) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("issues", repo.plainIssues().size());
        summary.put("pulls", repo.pulls().size());
        summary.put("checkRuns", repo.checkRuns.size());
        return summary;
    }
}
