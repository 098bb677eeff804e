package dev.tollgate.executor.core;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The executor's GitHub App settings. {@link #toString()} never shows the key or the static token.
 *
 * @param apiUrl {@code https://api.github.com}, or {@code https://HOST/api/v3} for GitHub Enterprise
 *        Server; never plain http except on loopback (a stand-in)
 * @param appId the App ID or client ID (the JWT's {@code iss})
 * @param privateKey the App's private key
 * @param staticFallbackToken a token used only when the App exchange fails; empty unless enabled
 */
public record GitHubAppConfig(URI apiUrl, String appId, RSAPrivateKey privateKey,
        Optional<String> staticFallbackToken) {

    public static final String API_URL = "tollgate.github.api-url";
    public static final String APP_ID = "tollgate.github.app-id";
    public static final String PRIVATE_KEY_FILE = "tollgate.github.private-key-file";
    public static final String STATIC_FALLBACK_ENABLED = "tollgate.github.static-token-fallback.enabled";
    public static final String STATIC_TOKEN_FILE = "tollgate.github.static-token-file";
    public static final String DEFAULT_API_URL = "https://api.github.com";

    public GitHubAppConfig {
        Objects.requireNonNull(apiUrl, "apiUrl");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(privateKey, "privateKey");
        staticFallbackToken = Objects.requireNonNullElse(staticFallbackToken, Optional.empty());
    }

    /** The host the circuit breaker is kept for, e.g. {@code api.github.com}. */
    public String host() {
        return apiUrl.getHost() + (apiUrl.getPort() > 0 ? ":" + apiUrl.getPort() : "");
    }

    /**
     * True for a loopback host written as such: {@code localhost} or a loopback IP literal
     * ({@code 127.0.0.0/8}, {@code ::1}). Names are never resolved here.
     */
    public static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1)
                : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        boolean ipLiteral = bare.contains(":") || bare.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!ipLiteral) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(bare).isLoopbackAddress(); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "GitHubAppConfig[apiUrl=" + apiUrl + ", appId=" + appId
                + ", privateKey=redacted, staticFallback=" + staticFallbackToken.isPresent()
                + "]";
    }

    /**
     * True when any of the App's settings is given (as a property, an environment variable or an
     * environment variable's {@code _FILE}), even one that cannot be read: the App is then meant
     * to run, and {@link #resolve} must succeed or start-up fails. False only for a wholly
     * unconfigured App (the standalone run's try-it mode).
     */
    public static boolean anySettingGiven(Function<String, String> properties,
            Map<String, String> environment) {
        for (String key : java.util.List.of(APP_ID, PRIVATE_KEY_FILE, API_URL,
                STATIC_FALLBACK_ENABLED, STATIC_TOKEN_FILE)) {
            String property = properties.apply(key);
            String variable = environment.get(Settings.envName(key));
            String file = environment.get(Settings.envName(key) + "_FILE");
            if (property != null && !property.isBlank() || variable != null && !variable
                    .isBlank() || file != null && !file.isBlank()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Resolves the settings from properties (Spring-style keys) and the environment: for a key
     * {@code tollgate.github.app-id} the property wins, then {@code TOLLGATE_GITHUB_APP_ID}, then the
     * file named by {@code TOLLGATE_GITHUB_APP_ID_FILE}. Fails with a message naming what to set.
     */
    public static GitHubAppConfig resolve(Function<String, String> properties,
            Map<String, String> environment) {
        Settings settings = new Settings(properties, environment);
        String apiUrlText = settings.get(API_URL).orElse(DEFAULT_API_URL).trim();
        URI apiUrl;
        try {
            apiUrl = new URI(apiUrlText.endsWith("/")
                    ? apiUrlText.substring(0, apiUrlText.length() - 1)
                    : apiUrlText);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(API_URL + " (" + Settings.envName(API_URL)
                    + ") is not a URL: " + apiUrlText
                    + "; use https://api.github.com or https://HOST/api/v3");
        }
        if (apiUrl.getScheme() == null || apiUrl.getHost() == null || !(apiUrl.getScheme()
                .equals("https") || apiUrl.getScheme().equals("http"))) {
            throw new ConfigurationException(API_URL + " (" + Settings.envName(API_URL)
                    + ") must be an http(s) URL such as https://api.github.com or"
                    + " https://HOST/api/v3, not " + apiUrlText);
        }
        if (apiUrl.getScheme().equals("http") && !isLoopback(apiUrl.getHost())) {
            throw new ConfigurationException(API_URL + " (" + Settings.envName(API_URL)
                    + ") must use https: every call on it carries the App's JWT or an"
                    + " installation token. Use https://api.github.com or https://HOST/api/v3"
                    + " (plain http is accepted only for a stand-in on loopback: localhost,"
                    + " 127.0.0.1, ::1), not " + apiUrlText);
        }
        String appId = settings.require(APP_ID, "the GitHub App's ID or client ID").trim();
        String keyFile = settings.require(PRIVATE_KEY_FILE,
                "the path of the GitHub App's private key (.pem)").trim();
        RSAPrivateKey key = PrivateKeys.read(Path.of(keyFile), PRIVATE_KEY_FILE + " ("
                + Settings.envName(PRIVATE_KEY_FILE) + ")");
        Optional<String> fallback = Optional.empty();
        if (settings.get(STATIC_FALLBACK_ENABLED).map(v -> v.trim().equalsIgnoreCase("true"))
                .orElse(false)) {
            String tokenFile = settings.require(STATIC_TOKEN_FILE, "the file holding the static"
                    + " fallback token (or disable " + STATIC_FALLBACK_ENABLED + ")").trim();
            try {
                String token = Files.readString(Path.of(tokenFile), StandardCharsets.UTF_8).trim();
                if (token.isEmpty()) {
                    throw new ConfigurationException(STATIC_TOKEN_FILE + " (" + tokenFile
                            + ") is empty");
                }
                fallback = Optional.of(token);
            } catch (IOException e) {
                throw new ConfigurationException(STATIC_TOKEN_FILE + " points to " + tokenFile
                        + ", which cannot be read: set it to the static token's file");
            }
        }
        return new GitHubAppConfig(apiUrl, appId, key, fallback);
    }
}
