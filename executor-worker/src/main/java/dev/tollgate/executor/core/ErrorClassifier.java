package dev.tollgate.executor.core;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one function that turns GitHub's answer into an {@link GitHubError}: pure, over status,
 * headers and body, with the time of the answer injected. Rules follow GitHub's documentation on
 * rate limits and the behaviour of {@code @octokit/plugin-throttling}.
 */
public final class ErrorClassifier {

    /** GitHub says "secondary rate limit"; older answers said "abuse detection mechanism". */
    private static final Pattern SECONDARY = Pattern.compile("\\bsecondary rate\\b|\\babuse\\b",
            Pattern.CASE_INSENSITIVE);
    /** The least GitHub asks us to wait after a secondary limit that names no time. */
    public static final Duration SECONDARY_MINIMUM_WAIT = Duration.ofSeconds(60);
    /** Without a reset header, wait this long before trying a primary-limited call again. */
    private static final Duration PRIMARY_FALLBACK_WAIT = Duration.ofSeconds(60);
    private static final int MAX_MESSAGE = 500;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A URL's scheme and host, then the rest of it (path, query), up to white space. */
    private static final Pattern URL_PAST_HOST = Pattern.compile(
            "(?i)\\b([a-z][a-z0-9+.-]*://[^/?#\\s]*)[^\\s]*");

    private ErrorClassifier() {
    }

    /**
     * Classifies a non-2xx answer.
     *
     * @param status the HTTP status (not 2xx)
     * @param headers the response headers
     * @param body the response body, possibly empty or not JSON
     * @param now when the answer was received
     */
    public static GitHubError classify(int status, ResponseHeaders headers, String body,
            Instant now) {
        return classify("GitHub", status, headers, body, now);
    }

    /**
     * The same for an answer of {@code upstream} (a forge's host, "JIRA"): when the body says
     * nothing, the message names it, not GitHub.
     */
    public static GitHubError classify(String upstream, int status, ResponseHeaders headers,
            String body, Instant now) {
        if (status >= 200 && status < 300) {
            throw new IllegalArgumentException("HTTP " + status + " is a success, not an error");
        }
        Body parsed = Body.parse(body, status, upstream);
        Optional<String> remaining = headers.first("x-ratelimit-remaining").map(String::trim);
        Optional<Instant> retryAfter = retryAfter(headers, now);

        if ((status == 403 || status == 429) && SECONDARY.matcher(parsed.message).find()) {
            // GitHub names the secondary limit in the message: honour retry-after, else >= 60 s.
            return error(ErrorClass.SECONDARY_RATE_LIMITED, status, parsed, headers,
                    retryAfter.orElse(now.plus(SECONDARY_MINIMUM_WAIT)));
        }
        if ((status == 403 || status == 429) && remaining.filter("0"::equals).isPresent()) {
            // Primary limit: the budget is spent until x-ratelimit-reset (+1 s for clock edges).
            return error(ErrorClass.RATE_LIMITED, status, parsed, headers, resetAt(headers)
                    .map(reset -> reset.plusSeconds(1)).orElse(now.plus(PRIMARY_FALLBACK_WAIT)));
        }
        if ((status == 403 || status == 429) && retryAfter.isPresent()) {
            // A retry-after without the primary budget exhausted is how secondary limits look.
            return error(ErrorClass.SECONDARY_RATE_LIMITED, status, parsed, headers, retryAfter
                    .get());
        }
        if (status == 429) {
            // 429 always means "too many": treat as secondary, waiting at least the minimum.
            return error(ErrorClass.SECONDARY_RATE_LIMITED, status, parsed, headers, now.plus(
                    SECONDARY_MINIMUM_WAIT));
        }
        if (status == 403) {
            // A missing permission ("Resource not accessible by integration") or a refusal:
            // retrying cannot help; X-Accepted-GitHub-Permissions says what would.
            return error(ErrorClass.FORBIDDEN, status, parsed, headers, null);
        }
        if (status == 401) {
            // Bad or expired credential; the token cache has already refreshed once by now.
            return error(ErrorClass.UNAUTHORIZED, status, parsed, headers, null);
        }
        if (status == 404 || status == 410) {
            // Missing or gone; GitHub also answers 404 for private resources the token cannot see.
            return error(ErrorClass.NOT_FOUND, status, parsed, headers, null);
        }
        if (status == 409) {
            // State conflict (ref moved, empty repository, merge conflict): needs a new request.
            return error(ErrorClass.CONFLICT, status, parsed, headers, null);
        }
        if (status == 400 || status == 422) {
            // The request as made is wrong; pass GitHub's errors[] on so the agent can fix it.
            return error(ErrorClass.VALIDATION_FAILED, status, parsed, headers, null);
        }
        if (status == 408 || status >= 500) {
            // Timeouts and server errors (GitHub cuts requests at 10 s) may pass on a retry.
            return error(ErrorClass.TRANSIENT, status, parsed, headers, retryAfter.orElse(null));
        }
        if (status >= 300 && status < 400) {
            // Redirects are never followed: one could take the credential to a route or host
            // the decision never named (a GitLab release link pointing at another project).
            return GitHubError.of(ErrorClass.REDIRECT_NOT_FOLLOWED, status, upstream
                    + " answered HTTP " + status + ", a redirect, which Tollgate does not follow"
                    + " (it could carry the gateway's credential to a route or host the policy"
                    + " did not decide on); nothing was fetched from where it pointed"
                    + (status == 301
                            ? " (GitHub answers 301 for a repository that was renamed or"
                                    + " transferred: call it by its new name)"
                            : ""),
                    null);
        }
        // Any other answer (another 4xx) cannot succeed unchanged.
        return error(ErrorClass.VALIDATION_FAILED, status, parsed, headers, null);
    }

    /** Classifies a call that got no answer: timeouts, resets, refused connections. */
    public static GitHubError classifyFailure(Throwable failure) {
        String what = switch (failure) {
            // No answer within the timeout; GitHub itself cuts requests at 10 s.
            case SocketTimeoutException e -> "GitHub did not answer in time";
            // OkHttp's call timeout: the whole call took too long, and its socket was closed.
            case InterruptedIOException e when "timeout".equals(e.getMessage()) ->
                "GitHub did not answer in time";
            // The connection could not be opened: network, DNS or GitHub down.
            case ConnectException e -> "cannot connect to GitHub";
            case UnknownHostException e -> "cannot resolve the GitHub host";
            // Reset or closed mid-exchange.
            case SocketException e -> "connection to GitHub was reset";
            case InterruptedIOException e -> "the call to GitHub was interrupted";
            // Any other I/O failure is a transport problem too.
            default -> "the call to GitHub failed";
        };
        String detail = failure.getMessage() == null
                ? ""
                : " (" + truncate(failure
                        .getMessage()) + ")";
        return GitHubError.of(ErrorClass.TRANSIENT, 0, what + detail, null);
    }

    /** The answer when the circuit breaker refuses to call the host. */
    public static GitHubError circuitOpen(String host, Instant retryAt) {
        // Not attempted: GitHub has been failing, the breaker lets it recover.
        return GitHubError.of(ErrorClass.UPSTREAM_UNAVAILABLE, 0, upstream(host)
                + " is failing; calls are paused", retryAt);
    }

    /**
     * The log storage GitHub redirected a job's log to ({@code location}, the redirect's
     * {@code Location}) answered {@code status}, not 2xx: told as that store's answer, naming its
     * host only (never the signed URL, whose query is the credential), not as GitHub's. Its body is
     * not passed on (it may echo the signed URL), nor are GitHub's rate-limit rules applied: the
     * store has none of GitHub's budgets.
     *
     * @param path the API path GitHub answered with the redirect ({@code .../logs})
     * @param location the redirect's {@code Location}, or null
     */
    public static GitHubError logStorageAnswered(String path, String location, int status,
            ResponseHeaders headers, Instant now) {
        if (status >= 200 && status < 300) {
            throw new IllegalArgumentException("HTTP " + status + " is a success, not an error");
        }
        String store = logStorage(path, location) + " answered HTTP " + status;
        if (status == 404 || status == 410) {
            // The log is not (or no longer) there: GitHub keeps a job's log for a limited time.
            return GitHubError.of(ErrorClass.NOT_FOUND, status, store + ": the log is not there"
                    + " (GitHub keeps a job's log for a limited time)", null);
        }
        if (status >= 300 && status < 400) {
            // A second redirect: only GitHub's one redirect to the signed URL is followed.
            return GitHubError.of(ErrorClass.REDIRECT_NOT_FOLLOWED, status, store + ", a second"
                    + " redirect, which Tollgate does not follow; nothing was fetched from there",
                    null);
        }
        // Anything else (a 5xx or 408, a 429, the signed URL refused or expired with 401/403):
        // the store's, not the agent's; asking again gets GitHub's fresh signed URL.
        return GitHubError.of(ErrorClass.TRANSIENT, status, store + "; GitHub's API answered,"
                + " retry later", retryAfter(headers, now).orElse(null));
    }

    /**
     * A fetch of where GitHub redirected a job's log ({@code location}) that got no answer: told
     * as the log storage's failure, by its host (never the signed URL), not as GitHub's API's,
     * which answered. Retryable, like any call that got no answer.
     */
    public static GitHubError logStorageFailed(String path, String location, Throwable failure) {
        String what = switch (failure) {
            // OkHttp's call timeout: the whole fetch took longer than an API call may.
            case SocketTimeoutException e -> "did not answer in time";
            case InterruptedIOException e when "timeout".equals(e.getMessage()) ->
                "did not answer in time";
            // No connection could be made (refused, or the name does not resolve).
            case ConnectException e -> "could not be reached";
            case UnknownHostException e -> "could not be reached";
            default -> "failed";
        };
        String detail = failure.getMessage() == null
                ? ""
                : " (" + truncate(withoutUrlPaths(failure.getMessage())) + ")";
        return GitHubError.of(classifyFailure(failure).errorClass(), 0, logStorage(path,
                location) + " " + what + detail + "; GitHub's API answered, retry later", null);
    }

    /**
     * The answer when the log storage's breaker refuses to fetch a job's log: the store GitHub
     * (its API at {@code host}) redirects logs to has been failing.
     */
    public static GitHubError logStoragePaused(String host, Instant retryAt) {
        // Not attempted: the store has been failing, its own breaker lets it recover.
        return GitHubError.of(ErrorClass.UPSTREAM_UNAVAILABLE, 0, "the log storage " + upstream(
                host) + " redirects job logs to has been failing; job logs are not fetched for"
                + " now (GitHub's other calls go on)", retryAt);
    }

    /**
     * The answer when {@code atOnce} job logs are already being fetched, the most the replica
     * fetches at once.
     */
    public static GitHubError logFetchesFull(String host, int atOnce, Instant retryAt) {
        // Not attempted: waiting would hold a call slot too, and a hanging store must not hold
        // them all; another fetch soon finds room.
        return GitHubError.of(ErrorClass.TRANSIENT, 0, "the executor is already fetching "
                + atOnce + " job logs from the log storage " + upstream(host) + " redirects to,"
                + " the most it fetches at once (a quarter of tollgate.executor.max-in-flight);"
                + " retry shortly", retryAt);
    }

    /** "the log storage GitHub redirected GET {path} to (host)": never the signed URL. */
    private static String logStorage(String path, String location) {
        String host = null;
        if (location != null) {
            try {
                host = java.net.URI.create(location.trim()).getHost();
            } catch (IllegalArgumentException malformed) {
                host = null;
            }
        }
        return "the log storage GitHub redirected GET " + path + " to" + (host == null
                ? ""
                : " (" + host + ")");
    }

    /**
     * A failure's text with every URL cut to its scheme and host: a signed URL's query is a
     * credential, and its path is not the agent's either.
     */
    private static String withoutUrlPaths(String text) {
        return URL_PAST_HOST.matcher(text).replaceAll("$1");
    }

    /**
     * How messages name the upstream a transport named {@code host} calls: a forge's own name
     * ({@code forgejo:codeberg.org}, {@code jira:jira}) as it is, else GitHub's host.
     */
    public static String upstream(String host) {
        return host.matches("(forgejo|gitlab|jira):.+") ? host : "GitHub (" + host + ")";
    }

    /**
     * GitHub answered, but with a body larger than the executor reads (its memory stays bounded):
     * not GitHub's failure and not worth retrying as is. A write was performed all the same.
     *
     * @param request the request answered
     * @param status GitHub's status
     * @param atLeast how many bytes the body has at least (its Content-Length, or the limit + 1)
     * @param limit the most the executor reads of one answer
     */
    public static GitHubError responseTooLarge(GitHubRequest request, int status, long atLeast,
            long limit) {
        // Why: one answer may not hold more than the replica's reading budget allows.
        String path = request.path();
        int query = path.indexOf('?');
        return GitHubError.of(ErrorClass.RESULT_TOO_LARGE, status, "GitHub's answer to "
                + request.method() + " " + (query < 0 ? path : path.substring(0, query))
                + " is larger than " + limit + " bytes (at least " + atLeast + "), the most"
                + " the executor reads of one answer (tollgate.github.max-response-bytes)"
                + (request.isWrite()
                        ? "; GitHub performed the " + request.method() + " (HTTP " + status
                                + "): do not repeat it"
                        : ""),
                null);
    }

    private static GitHubError error(ErrorClass errorClass, int status, Body body,
            ResponseHeaders headers, Instant retryAt) {
        return new GitHubError(errorClass, status, body.message, Optional.ofNullable(retryAt),
                headers.first("x-accepted-github-permissions"), body.fieldErrors,
                body.documentationUrl);
    }

    /** {@code x-ratelimit-reset}: epoch seconds. */
    static Optional<Instant> resetAt(ResponseHeaders headers) {
        return epochSeconds(headers, "x-ratelimit-reset");
    }

    /** A header holding epoch seconds ({@code x-ratelimit-reset}, GitLab's {@code ratelimit-reset}). */
    static Optional<Instant> epochSeconds(ResponseHeaders headers, String name) {
        return headers.first(name).flatMap(ErrorClassifier::parseLong).map(
                Instant::ofEpochSecond);
    }

    /** {@code retry-after}: delta seconds or an HTTP date. */
    static Optional<Instant> retryAfter(ResponseHeaders headers, Instant now) {
        Optional<String> value = headers.first("retry-after").map(String::trim);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> seconds = parseLong(value.get());
        if (seconds.isPresent()) {
            return Optional.of(now.plusSeconds(Math.max(0, seconds.get())));
        }
        try {
            return Optional.of(ZonedDateTime.parse(value.get(),
                    DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> parseLong(String value) {
        try {
            return Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static String truncate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "…";
    }

    /** What GitHub's JSON error body says, tolerating HTML and empty bodies. */
    private record Body(String message, List<GitHubError.FieldError> fieldErrors,
            Optional<String> documentationUrl) {

        static Body parse(String body, int status, String upstream) {
            String fallback = upstream + " answered HTTP " + status;
            if (body == null || body.isBlank()) {
                return new Body(fallback, List.of(), Optional.empty());
            }
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (JacksonException e) {
                return new Body(fallback, List.of(), Optional.empty());
            }
            if (root == null || !root.isObject()) {
                return new Body(fallback, List.of(), Optional.empty());
            }
            String message = text(root, "message");
            List<GitHubError.FieldError> errors = new ArrayList<>();
            JsonNode list = root.get("errors");
            if (list != null && list.isArray()) {
                for (JsonNode item : list) {
                    if (item.isObject()) {
                        errors.add(new GitHubError.FieldError(text(item, "resource"), text(item,
                                "field"), text(item, "code"), text(item, "message")));
                    } else if (item.isString()) {
                        errors.add(new GitHubError.FieldError(null, null, null, truncate(item
                                .asString())));
                    }
                }
            }
            return new Body(message == null || message.isBlank() ? fallback : truncate(message),
                    List.copyOf(errors), Optional.ofNullable(text(root, "documentation_url")));
        }

        private static String text(JsonNode node, String field) {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value.asString();
        }
    }
}
