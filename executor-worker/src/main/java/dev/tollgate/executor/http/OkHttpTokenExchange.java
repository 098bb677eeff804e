package dev.tollgate.executor.http;

import dev.tollgate.executor.core.ResponseHeaders;
import dev.tollgate.executor.core.TokenExchange;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs token requests on OkHttp: no redirect is followed (OkHttp would send the form, and the
 * client secret in it, on to wherever a 307 points), and no answer is read past 64 KiB (a token
 * response is a few hundred bytes).
 */
public final class OkHttpTokenExchange implements TokenExchange {

    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
    private static final long MOST_READ = 64 * 1024;

    private final OkHttpClient client;

    public OkHttpTokenExchange(OkHttpClient client) {
        this.client = client.newBuilder().followRedirects(false).followSslRedirects(false)
                .build();
    }

    /** On the executor's default client (its timeouts). */
    public static OkHttpTokenExchange withDefaults() {
        return new OkHttpTokenExchange(OkHttpTransport.defaultClient());
    }

    @Override
    public Answer post(URI endpoint, Map<String, List<String>> headers, String form)
            throws IOException {
        Request.Builder request = new Request.Builder().url(endpoint.toString()).post(RequestBody
                .create(form, FORM)).header("User-Agent", OkHttpTransport.USER_AGENT).header(
                        "Accept", "application/json");
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-type")) {
                values.forEach(value -> request.addHeader(name, value));
            }
        });
        try (Response response = client.newCall(request.build()).execute()) {
            okio.BufferedSource source = response.body().source();
            boolean tooLarge = source.request(MOST_READ + 1);
            String text = tooLarge ? "" : source.getBuffer().readUtf8();
            return new Answer(response.code(), ResponseHeaders.of(response.headers()
                    .toMultimap()), text);
        }
    }
}
