package dev.tollgate.executor.http;

import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.RedirectTarget;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.ResponseHeaders;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * The GitHub REST transport on OkHttp: timeouts inside GitHub's own 10 s cut, GitHub's media type
 * and API version, a User-Agent. Translates only; the retries that wait are
 * {@code ResilientTransport}'s. What OkHttp itself may do again depends on the request:
 *
 * <ul>
 * <li><b>Requests safe to repeat</b> ({@link GitHubRequest#safeToRepeat()}: reads, the token
 * mint) use pooled connections, and OkHttp retries them at once on another connection when a
 * connection fails: a pooled connection GitHub closed while it was idle (which GitHub, like any
 * server, does) fails the first write or read on it ("unexpected end of stream") although the
 * request never reached GitHub. Repeating a read is harmless even if it did.
 * <li><b>Writes</b> are never repeated by OkHttp ({@code retryOnConnectionFailure(false)}, and
 * a one-shot body, so no follow-up of a 503 {@code Retry-After: 0}, 408 or 421 either), and
 * each goes on a connection of its own, opened for it and closed after it: a write never meets a
 * connection the server has closed behind our back, so it fails only when GitHub is unreachable
 * (no connection could be made: nothing was sent, and {@code ResilientTransport} may retry) or
 * when the exchange itself broke after sending began, which may have reached GitHub and is
 * reported, never repeated. HTTP/1.1 gives a client no proof that a request sent on a connection
 * the server then closed was not processed, so at most once leaves no other choice. The cost is
 * a connection (TLS handshake) per write; writes are paced to about one a second per installation
 * anyway.
 * </ul>
 *
 * <p><b>No redirect is followed</b>, by either client ({@code followRedirects(false)},
 * {@code followSslRedirects(false)}, whatever client is given): OkHttp would follow one to the
 * same host with the {@code Authorization} header, so a GitLab release link pointing at another
 * project's {@code /variables} would be read with the host's token. A 3xx is returned as it is
 * and classified {@code redirect_not_followed}. The one redirect followed by hand, a job's log,
 * goes through {@link #fetchRedirect}: once, without {@code Authorization}, where
 * {@link RedirectTarget} allows (the host checked again as OkHttp reads it), on a client without
 * a proxy whose resolver refuses a name that resolves to a local address: in the very list of
 * addresses OkHttp then connects to, so a rebinding DNS has no second lookup to answer. Such a
 * refusal is {@code redirect_not_followed}, like a local address literal.
 *
 * <p>Bodies are streamed into memory a chunk at a time, each chunk reserved in the replica's
 * {@link ResponseBudget} before it is read, and never past the most read of one answer: a larger
 * body is not read at all (its declared length says so) or abandoned at the limit, and answered as
 * too large.
 */
public final class OkHttpTransport implements GitHubTransport {

    public static final String API_VERSION = "2022-11-28";
    public static final String USER_AGENT = "tollgate-executor-worker/0.1";
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** How long a connection may take to open. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a whole call may take: GitHub cuts its own at 10 s. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final String apiUrl;
    /** Whether the API is GitHub's: its media type and API version are sent, else plain JSON. */
    private final boolean gitHub;
    private final OkHttpClient repeatable;
    private final OkHttpClient writes;
    /**
     * The one redirect followed by hand, anywhere but the API's own origin: no credential, no
     * proxy, no name that resolves to a local address.
     */
    private final OkHttpClient redirects;
    /** The API's URL as OkHttp reads it: a redirect to its origin goes out as a read does. */
    private final HttpUrl api;
    private final ResponseBudget budget;

    /** A transport with a budget of its own, sized for this JVM's heap (tests, tools). */
    public OkHttpTransport(URI apiUrl, OkHttpClient client) {
        this(apiUrl, client, ResponseBudget.forHeap(Runtime.getRuntime().maxMemory()));
    }

    /**
     * @param budget the replica's budget for GitHub's answers, shared by all its transports
     */
    public OkHttpTransport(URI apiUrl, OkHttpClient client, ResponseBudget budget) {
        this(apiUrl, client, budget, true);
    }

    /**
     * A transport for a forge other than GitHub (Forgejo, GitLab, JIRA): {@code Accept:
     * application/json} and no GitHub API version, since a server that produces JSON only may
     * refuse GitHub's media type (JIRA answers it 406).
     */
    public static OkHttpTransport forge(URI apiUrl, OkHttpClient client, ResponseBudget budget) {
        return new OkHttpTransport(apiUrl, client, budget, false);
    }

    private OkHttpTransport(URI apiUrl, OkHttpClient client, ResponseBudget budget,
            boolean gitHub) {
        this.gitHub = gitHub;
        String text = apiUrl.toString();
        this.apiUrl = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        OkHttpClient unredirected = client.newBuilder().followRedirects(false)
                .followSslRedirects(false).build();
        this.repeatable = unredirected.newBuilder().retryOnConnectionFailure(true).build();
        this.writes = unredirected.newBuilder().retryOnConnectionFailure(false).connectionPool(
                new ConnectionPool(0, 1, TimeUnit.SECONDS)).build();
        this.api = HttpUrl.parse(this.apiUrl + "/"); // null: no origin a redirect may share
        // A name is resolved once, by the client's own resolver, and checked in the list OkHttp
        // then connects to: no second lookup that a rebinding DNS could answer differently. No
        // proxy: one would resolve the name itself, past the check.
        Dns resolver = client.dns();
        this.redirects = repeatable.newBuilder().proxy(Proxy.NO_PROXY).dns(hostname -> {
            List<InetAddress> addresses = List.copyOf(resolver.lookup(hostname));
            if (addresses.stream().anyMatch(RedirectTarget::isLocal)) {
                throw new LocalAddress(hostname);
            }
            return addresses;
        }).build();
        this.budget = budget;
    }

    /**
     * The URL of {@code path}: under the REST API's URL, except GraphQL's {@code /graphql}, which
     * is {@code https://api.github.com/graphql} beside REST on github.com and
     * {@code https://HOST/api/graphql} beside {@code /api/v3} on GitHub Enterprise Server.
     */
    String urlOf(String path) {
        if (path.equals("/graphql") && apiUrl.endsWith("/api/v3")) {
            return apiUrl.substring(0, apiUrl.length() - "/v3".length()) + "/graphql";
        }
        return apiUrl + path;
    }

    /** The client a request goes out on: see the class comment. */
    OkHttpClient clientFor(GitHubRequest request) {
        return request.safeToRepeat() ? repeatable : writes;
    }

    /**
     * A client with a shared pool and timeouts suited to GitHub (it stops requests at 10 s): the
     * connection must open within {@link #CONNECT_TIMEOUT}, and the whole call — writing the
     * request, waiting, reading the answer, however slowly it drips — must end within
     * {@link #CALL_TIMEOUT}, or its socket is closed and the call fails as not answered in time.
     * No separate read or write timeout: the call's bounds every read and write already, and okio
     * keeps each timeout in one queue under one lock, whose watchdog thread was woken for nearly
     * every read (a read's deadline comes before its call's) — 3 % of the standalone system's CPU
     * samples at 8 calls in flight, in {@code RealCall.timeoutExit}.
     */
    public static OkHttpClient defaultClient() {
        return new OkHttpClient.Builder().connectTimeout(CONNECT_TIMEOUT).readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO).callTimeout(CALL_TIMEOUT)
                .connectionPool(new ConnectionPool(32, 5, TimeUnit.MINUTES))
                .followRedirects(false).followSslRedirects(false).build();
    }

    @Override
    public GitHubResponse send(GitHubRequest request) throws IOException {
        RequestBody body = request.isWrite() && !request.safeToRepeat()
                ? new OneShot(request.jsonBody().orElse(""))
                : request.jsonBody().map(json -> RequestBody.create(json, JSON)).orElse(
                        request.isWrite() ? RequestBody.create("", JSON) : null);
        Request.Builder builder = new Request.Builder().url(urlOf(request.path())).method(request
                .method(), body).header("User-Agent", USER_AGENT).header("Authorization", request
                        .credential().authorization());
        Request http = (gitHub
                ? builder.header("Accept", "application/vnd.github+json").header(
                        "X-GitHub-Api-Version", API_VERSION)
                : builder.header("Accept", "application/json")).build();
        return exchange(clientFor(request), http, request.account());
    }

    @Override
    public GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
            GitHubRequest.Caller caller, ResponseBudget.Account holder) throws IOException {
        int status = redirect.status();
        URI target = RedirectTarget.of(URI.create(apiUrl), URI.create(urlOf(path)), status,
                redirect.headers().first("location").orElse(null));
        // The host OkHttp connects to, as OkHttp reads the URL (it reads an address literal
        // without asking the resolver): checked again, so no difference between two parsers
        // of one URL leads elsewhere.
        HttpUrl url = HttpUrl.parse(target.toASCIIString());
        if (url == null) {
            throw RedirectTarget.refusedMalformed(status);
        }
        boolean apiOrigin = api != null && url.scheme().equals(api.scheme()) && url.host()
                .equals(api.host()) && url.port() == api.port();
        if (!apiOrigin && RedirectTarget.isLocalAddress(url.host())) {
            throw RedirectTarget.refusedLocalAddress(status, url.host());
        }
        Request http = new Request.Builder().url(url).get().header("User-Agent", USER_AGENT)
                .build(); // no Authorization: the signed URL is its own credential
        try {
            return exchange(apiOrigin ? repeatable : redirects, http, holder);
        } catch (IOException e) {
            if (refusedByResolver(e)) {
                // Where the redirect leads, not a store that failed: refused, never retried,
                // not counted on the store's breaker.
                throw RedirectTarget.refusedLocalName(status, url.host());
            }
            throw e;
        }
    }

    /** Nothing refuses a redirect before it is seen here: {@link #fetchRedirect} checks it. */
    @Override
    public Optional<GitHubError> redirectRefusal() {
        return Optional.empty();
    }

    /** Whether {@code e} is, or carries, the resolver's refusal of a local address. */
    private static boolean refusedByResolver(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LocalAddress) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed instanceof LocalAddress) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The resolver's refusal of a name that resolves to a local address. */
    private static final class LocalAddress extends UnknownHostException {

        private static final long serialVersionUID = 1L;

        LocalAddress(String hostname) {
            super(hostname + " resolves to an address of this machine or its network, where"
                    + " Tollgate does not follow a redirect");
        }
    }

    private GitHubResponse exchange(OkHttpClient client, Request http,
            ResponseBudget.Account holder) throws IOException {
        ResponseBudget.Account own = holder == null ? budget.account() : null;
        ResponseBudget.Account account = own != null ? own : holder;
        try {
            // The first chunk is reserved before anything is sent: a call that finds no room
            // fails having done nothing on GitHub.
            account.reserve(ResponseBudget.CHUNK_BYTES);
            long reserved = ResponseBudget.CHUNK_BYTES;
            try (Response response = client.newCall(http).execute()) {
                Read read = read(response, account, reserved);
                reserved = read.reserved();
                account.release(reserved - read.kept());
                reserved = read.kept();
                ResponseHeaders headers = ResponseHeaders.of(response.headers().toMultimap());
                return read.text() == null
                        ? GitHubResponse.tooLarge(response.code(), headers, read.atLeast(), budget
                                .maxResponseBytes())
                        : new GitHubResponse(response.code(), headers, read.text());
            } catch (IOException | RuntimeException e) {
                account.release(reserved);
                throw e;
            }
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    /**
     * A write's body, empty included: one-shot, so OkHttp never sends the write a second time by
     * itself. Without it, OkHttp's follow-ups repeat a request whose body can be written again: a
     * {@code 503} with {@code Retry-After: 0} (whatever {@code retryOnConnectionFailure} says), a
     * {@code 408}, a {@code 421}, and would a redirect; a proxy answering 503 after GitHub took
     * the write would have had it performed twice inside one {@code execute()}, the 503 never
     * seen. With it the first answer is returned as it is, and a 5xx on a write is reported
     * {@code outcome_unknown}.
     */
    private static final class OneShot extends RequestBody {

        private final byte[] bytes;

        OneShot(String json) {
            this.bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public MediaType contentType() {
            return JSON;
        }

        @Override
        public long contentLength() {
            return bytes.length;
        }

        @Override
        public void writeTo(okio.BufferedSink sink) throws IOException {
            sink.write(bytes);
        }

        @Override
        public boolean isOneShot() {
            return true;
        }
    }

    /**
     * A body as read: its text (null when too large), at least how many bytes it has, the bytes
     * reserved for it and those it keeps.
     */
    private record Read(String text, long atLeast, long reserved, long kept) {
    }

    private Read read(Response response, ResponseBudget.Account account, long reserved)
            throws IOException {
        long limit = budget.maxResponseBytes();
        ResponseBody body = response.body();
        long declared = body.contentLength(); // -1 when unknown (chunked, or gzip decoded)
        if (declared > limit) {
            return new Read(null, declared, reserved, 0); // not a byte of it read
        }
        BufferedSource source = body.source();
        Buffer buffer = new Buffer();
        while (declared < 0 || buffer.size() < declared) {
            if (buffer.size() >= reserved) {
                if (reserved > limit) {
                    return new Read(null, buffer.size(), reserved, 0); // past the limit: abandon
                }
                long more = declared >= 0
                        ? declared - reserved
                        : Math.min(ResponseBudget.CHUNK_BYTES, limit + 1 - reserved);
                account.reserve(more);
                reserved += more;
            }
            if (source.read(buffer, reserved - buffer.size()) == -1) {
                break;
            }
        }
        long size = buffer.size();
        return new Read(buffer.readUtf8(), size, reserved, size);
    }
}
