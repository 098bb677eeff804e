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
 * The GitHub REST transport on OkHttp: pooled connections, timeouts inside GitHub's own 10 s cut,
 * GitHub's media type and API version, a User-Agent. Translates only; no retries here (OkHttp's
 * silent retry on connection failure is off, so a write is never sent twice behind our back).
 */
public final class OkHttpTransport implements GitHubTransport {

    public static final String API_VERSION = "2022-11-28";
    public static final String USER_AGENT = "tollgate-executor-worker/0.1";
    private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    /** Larger answers are cut: agents get trimmed results anyway. */
    private static final long MAX_BODY_BYTES = 8L * 1024 * 1024;

    private final String apiUrl;
    private final OkHttpClient client;

    public OkHttpTransport(URI apiUrl, OkHttpClient client) {
        String text = apiUrl.toString();
        this.apiUrl = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.client = client;
    }

    /** A client with a shared pool and timeouts suited to GitHub (it stops requests at 10 s). */
    public static OkHttpClient defaultClient() {
        return new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(5)).readTimeout(
                Duration.ofSeconds(11)).writeTimeout(Duration.ofSeconds(10)).callTimeout(Duration
                        .ofSeconds(15))
                .connectionPool(new ConnectionPool(32, 5, TimeUnit.MINUTES))
                .retryOnConnectionFailure(false).followRedirects(true).build();
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
        try (Response response = client.newCall(http).execute()) {
            ResponseBody responseBody = response.body();
            String text = responseBody.source().request(MAX_BODY_BYTES)
                    ? responseBody.source().readUtf8(MAX_BODY_BYTES)
                    : responseBody.string();
            return new GitHubResponse(response.code(), ResponseHeaders.of(response.headers()
                    .toMultimap()), text);
        }
    }
}
