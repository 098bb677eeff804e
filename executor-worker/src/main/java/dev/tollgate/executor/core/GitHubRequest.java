package dev.tollgate.executor.core;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One HTTP call to the GitHub REST API, relative to the configured API URL. The credential is
 * carried as a {@link Credential} whose {@code toString} never shows its value.
 *
 * @param method GET, POST, PATCH, ...
 * @param path the path and query under the API URL, starting with {@code /}
 * @param credential what goes in {@code Authorization}
 * @param jsonBody the JSON body, if any
 * @param caller whom the call is made for: its installation and agent, so that one agent's
 *        failures and bursts are kept to that agent (circuit breakers, write pacing)
 * @param account the call that keeps the answer's bytes ({@link ResponseBudget}) until it has
 *        built its own answer, or null: the transport then gives them back once it has read them
 */
public record GitHubRequest(String method, String path, Credential credential,
        Optional<String> jsonBody, Caller caller, ResponseBudget.Account account) {

    public GitHubRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(credential, "credential");
        jsonBody = Objects.requireNonNullElse(jsonBody, Optional.empty());
        caller = caller != null ? caller : Caller.of(credential);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /: " + path);
        }
    }

    /**
     * A request whose caller is what its credential says (the token's installation, no agent) and
     * whose answer's bytes are held only while the transport reads them.
     */
    public GitHubRequest(String method, String path, Credential credential,
            Optional<String> jsonBody) {
        this(method, path, credential, jsonBody, null, null);
    }

    /** A request made for {@code caller}, its answer's bytes held only while they are read. */
    public GitHubRequest(String method, String path, Credential credential,
            Optional<String> jsonBody, Caller caller) {
        this(method, path, credential, jsonBody, caller, null);
    }

    /** The same request, its answer's bytes kept by {@code holder} until it closes. */
    public GitHubRequest heldBy(ResponseBudget.Account holder) {
        return new GitHubRequest(method, path, credential, jsonBody, caller, holder);
    }

    /**
     * Whom a call is made for. Not a secret.
     *
     * @param installationId the installation whose token the call uses or mints; 0 for the App's
     *        own calls that concern no installation yet (installation discovery, listings)
     * @param agentId the agent whose request needs the call; null for the App's own calls
     */
    public record Caller(long installationId, String agentId) {

        /** The App itself, for no installation and no agent. */
        public static final Caller APP = new Caller(0, null);

        /** What a credential alone tells: a token's installation, else the App. */
        static Caller of(Credential credential) {
            return credential instanceof Credential.Token t
                    ? new Caller(t.token().scope().installationId(), null)
                    : APP;
        }

        /** A short, stable key: {@code installation 42, agent bot} (no secret in it). */
        public String key() {
            return installationId == 0 && agentId == null
                    ? "app"
                    : "installation " + installationId + (agentId == null
                            ? ""
                            : ", agent " + agentId);
        }
    }

    public static GitHubRequest get(String path, Credential credential) {
        return new GitHubRequest("GET", path, credential, Optional.empty());
    }

    public static GitHubRequest post(String path, Credential credential, String json) {
        return new GitHubRequest("POST", path, credential, Optional.of(json));
    }

    public static GitHubRequest patch(String path, Credential credential, String json) {
        return new GitHubRequest("PATCH", path, credential, Optional.of(json));
    }

    public boolean isWrite() {
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /**
     * True when sending this again is harmless even if GitHub carried out an earlier attempt
     * whose answer was lost (a 5xx, a timeout or a reset after sending): reads, and the App's
     * token mint ({@code POST /app/installations/{id}/access_tokens}). A repeated mint at worst
     * leaves GitHub with a token nobody ever received, which expires unused within the hour; the
     * token the executor keeps, caches and audits is the one it received.
     */
    public boolean safeToRepeat() {
        return !isWrite() || (method.equals("POST") && credential instanceof Credential.AppJwt
                && ACCESS_TOKENS.matcher(path).matches());
    }

    private static final java.util.regex.Pattern ACCESS_TOKENS = java.util.regex.Pattern.compile(
            "^/app/installations/\\d+/access_tokens$");

    public GitHubRequest withCredential(Credential other) {
        return new GitHubRequest(method, path, other, jsonBody, caller, account);
    }

    /** The {@code Authorization} header value: a secret, held only for the call. */
    public sealed interface Credential {

        /** {@code Authorization: Bearer ...}; never printed. */
        String authorization();

        /**
         * The App's JWT, signed afresh each time a request is sent ({@code authorization()} is
         * read once per attempt), so a retried App call never presents an expired JWT and always
         * carries the current clock-skew correction.
         */
        record AppJwt(Supplier<String> signer) implements Credential {

            /** A JWT signed already: every attempt presents this same one. */
            public AppJwt(String jwt) {
                this(() -> jwt);
            }

            @Override
            public String authorization() {
                return "Bearer " + signer.get();
            }

            @Override
            public String toString() {
                return "AppJwt[redacted]";
            }
        }

        /**
         * A {@code metadata: read} token covering every repository of an installation, minted by
         * the registry sync only to call {@code GET /installation/repositories}: never cached and
         * never used for a tool call (which always gets a token narrowed to its repositories).
         */
        record RepositoryListing(String value) implements Credential {
            @Override
            public String authorization() {
                return "Bearer " + value;
            }

            @Override
            public String toString() {
                return "RepositoryListing[redacted]";
            }
        }

        /**
         * A forge host's access token, read from its file at start and held only in the
         * executor's memory: {@code Authorization: token ...} on Forgejo/Gitea,
         * {@code Authorization: Bearer ...} on GitLab (personal, project or group access tokens
         * and OAuth tokens alike).
         *
         * @param host the host it is for (not a secret)
         * @param scheme what precedes it in {@code Authorization}
         * @param value the token
         */
        record HostToken(String host, String scheme, String value) implements Credential {

            /** A Forgejo/Gitea token. */
            public static HostToken forgejo(String host, String value) {
                return new HostToken(host, "token", value);
            }

            /** A GitLab token. */
            public static HostToken gitlab(String host, String value) {
                return new HostToken(host, "Bearer", value);
            }

            @Override
            public String authorization() {
                return scheme + " " + value;
            }

            @Override
            public String toString() {
                return "HostToken[" + host + ", redacted]";
            }
        }

        /**
         * The JIRA site's credential, read from its file at start and held only in the
         * executor's memory, and which JIRA it is for: Cloud (whose search is
         * {@code /search/jql}) or Data Center ({@code /search}).
         *
         * @param scheme {@code Basic} (an account's e-mail address and API token) or
         *        {@code Bearer} (a Data Center personal access token; on Cloud an OAuth 2.0
         *        access token)
         * @param value what follows the scheme
         * @param cloud whether the site is JIRA Cloud
         */
        record JiraToken(String scheme, String value, boolean cloud) implements Credential {

            /** An account's e-mail address and API token, as HTTP Basic. */
            public static JiraToken basic(String email, String apiToken, boolean cloud) {
                return new JiraToken("Basic", java.util.Base64.getEncoder().encodeToString((email
                        + ":" + apiToken).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        cloud);
            }

            /** A bearer token: a Data Center personal access token, or a Cloud OAuth token. */
            public static JiraToken bearer(String token, boolean cloud) {
                return new JiraToken("Bearer", token, cloud);
            }

            @Override
            public String authorization() {
                return scheme + " " + value;
            }

            @Override
            public String toString() {
                return "JiraToken[" + scheme + ", " + (cloud ? "cloud" : "data center")
                        + ", redacted]";
            }
        }

        /** An installation token (or the static fallback token). */
        record Token(InstallationToken token) implements Credential {
            @Override
            public String authorization() {
                return "Bearer " + token.value();
            }

            @Override
            public String toString() {
                return "Token[" + token + "]";
            }
        }
    }
}
