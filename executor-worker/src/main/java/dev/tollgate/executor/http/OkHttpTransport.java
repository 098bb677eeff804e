package dev.tollgate.executor.http;

import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.ResponseHeaders;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

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
 * <li><b>Writes</b> are never repeated by OkHttp ({@code retryOnConnectionFailure(false)}), and
 * each goes on a connection of its own, opened for it and closed after it: a write never meets a
 * connection the server has closed behind our back, so it fails only when GitHub is unreachable
 * (no connection could be made: nothing was sent, and {@code ResilientTransport} may retry) or
 * when the exchange itself broke after sending began, which may have reached GitHub and is
 * reported, never repeated. HTTP/1.1 gives a client no proof that a request sent on a connection
 * the server then closed was not processed, so at most once leaves no other choice. The cost is
 * a connection (TLS handshake) per write; writes are paced to about one a second per installation
 * anyway.
 * </ul>
 */
public final class OkHttpTransport implements GitHubTransport {

    public static final String API_VERSION = "2022-11-28";
    public static final String USER_AGENT = "tollgate-executor-worker/0.1";
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** Larger answers are cut: agents get trimmed results anyway. */
    private static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

    private final String apiUrl;
    private final OkHttpClient repeatable;
    private final OkHttpClient writes;

    /**
     * @param client the shared client (pool, dispatcher, timeouts); its retry setting is replaced
     *        per request as described above
     */
    public OkHttpTransport(URI apiUrl, OkHttpClient client) {
        String text = apiUrl.toString();
        this.apiUrl = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.repeatable = client.newBuilder().retryOnConnectionFailure(true).build();
        this.writes = client.newBuilder().retryOnConnectionFailure(false).connectionPool(
                new ConnectionPool(0, 1, TimeUnit.SECONDS)).build();
    }

    /** The client a request goes out on: see the class comment. */
    OkHttpClient clientFor(GitHubRequest request) {
        return request.safeToRepeat() ? repeatable : writes;
    }

    /** A client with a shared pool and timeouts suited to GitHub (it stops requests at 10 s). */
    public static OkHttpClient defaultClient() {
        return new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).readTimeout(
                Duration.ofSeconds(11)).writeTimeout(Duration.ofSeconds(10)).callTimeout(Duration
                        .ofSeconds(15))
                .connectionPool(new ConnectionPool(32, 5, TimeUnit.MINUTES))
                .followRedirects(true).build();
    }

    @Override
    public GitHubResponse send(GitHubRequest request) throws IOException {
        RequestBody body = request.jsonBody().map(json -> RequestBody.create(json, JSON))
                .orElse(request.isWrite() ? RequestBody.create("", JSON) : null);
        Request http = new Request.Builder().url(apiUrl + request.path()).method(request.method(),
                body).header("Accept", "application/vnd.github+json").header(
                        "X-GitHub-Api-Version", API_VERSION)
                .header("User-Agent", USER_AGENT)
                .header("Authorization", request.credential().authorization()).build();
        try (Response response = clientFor(request).newCall(http).execute()) {
            ResponseBody responseBody = response.body();
            String text = responseBody.source().request(MAX_BODY_BYTES)
                    ? responseBody.source().readUtf8(MAX_BODY_BYTES)
                    : responseBody.string();
            return new GitHubResponse(response.code(), ResponseHeaders.of(response.headers()
                    .toMultimap()), text);
        }
    }
}
