package dev.tollgate.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** Plain HTTP calls for tests of the token API and of raw MCP requests. */
public final class HttpCalls {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private HttpCalls() {
    }

    /**
     * A gateway token for {@code agent} in environment {@code ci}, minted with the tests' admin
     * key at {@code baseUrl} (an ingress or a proxy in front of it); anything but 200 fails.
     */
    public static String mint(String baseUrl, String agent) {
        return mint(baseUrl, agent, "ci");
    }

    /** As {@link #mint(String, String)}, for {@code agent} in {@code environment}. */
    public static String mint(String baseUrl, String agent, String environment) {
        HttpResponse<String> response = post(baseUrl + "/admin/tokens", TestConfig.ADMIN_KEY,
                "{\"agent\": \"" + agent + "\", \"environment\": \"" + environment + "\"}");
        org.assertj.core.api.Assertions.assertThat(response.statusCode()).as(response.body())
                .isEqualTo(200);
        return (String) json(response).get("token");
    }

    public static HttpResponse<String> post(String url, String bearer, String body,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        headers.forEach(request::header);
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A GET with the bearer credential (none when null). */
    public static HttpResponse<String> get(String url, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<String> post(String url, String bearer, String body) {
        return post(url, bearer, body, Map.of());
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> json(HttpResponse<String> response) {
        return JSON.readValue(response.body(), Map.class);
    }
}
