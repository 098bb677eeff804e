package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorClassifierTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final long RESET = NOW.getEpochSecond() + 1234;

    // Real GitHub bodies (api.github.com, @octokit/fixtures and GitHub's documentation).
    static final String PRIMARY_BODY = """
            {"message":"API rate limit exceeded for installation ID 12345678. If you reach out to \
            GitHub Support for help, please include the request ID 0000:00000:0000000:0000000:00000000 \
            and timestamp 2026-11-21 12:00:00 UTC.","documentation_url":\
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api","status":"403"}""";
    static final String SECONDARY_BODY = """
            {"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you \
            try again. If you reach out to GitHub Support for help, please include the request ID \
            0000:00000:0000000:0000000:00000000.","documentation_url":\
            "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api\
            #about-secondary-rate-limits","status":"403"}""";
    static final String ABUSE_BODY = """
            {"message":"You have triggered an abuse detection mechanism. Please wait a few minutes \
            before you try again.","documentation_url":\
            "https://docs.github.com/rest/overview/resources-in-the-rest-api#abuse-rate-limits"}""";
    static final String NOT_ACCESSIBLE_BODY = """
            {"message":"Resource not accessible by integration","documentation_url":\
            "https://docs.github.com/rest/issues/issues#create-an-issue","status":"403"}""";
    static final String NOT_FOUND_BODY = """
            {"message":"Not Found","documentation_url":\
            "https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}""";
    static final String BAD_CREDENTIALS_BODY = """
            {"message":"Bad credentials","documentation_url":"https://docs.github.com/rest",\
            "status":"401"}""";
    static final String LABEL_INVALID_BODY = """
            {"message":"Validation Failed","errors":[{"resource":"Label","code":"invalid",\
            "field":"color"}],"documentation_url":\
            "https://docs.github.com/rest/reference/issues#create-a-label"}""";
    static final String REF_EXISTS_BODY = """
            {"message":"Reference already exists","documentation_url":\
            "https://docs.github.com/rest/git/refs#create-a-reference","status":"422"}""";
    static final String PR_EXISTS_BODY = """
            {"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom",\
            "message":"A pull request already exists for octo:agent-1."}],"documentation_url":\
            "https://docs.github.com/rest/pulls/pulls#create-a-pull-request","status":"422"}""";
    static final String EMPTY_REPO_BODY = """
            {"message":"Git Repository is empty.","documentation_url":\
            "https://docs.github.com/rest/git/refs#get-a-reference","status":"409"}""";
    static final String BAD_JSON_BODY = """
            {"message":"Problems parsing JSON","documentation_url":"https://docs.github.com/rest",\
            "status":"400"}""";
    static final String UNICORN_HTML = "<html><body><h1>Unicorn!</h1></body></html>";

    record Case(String name, int status, ResponseHeaders headers, String body, ErrorClass expected,
            Optional<Instant> retryAt) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> table() {
        return Stream.of(
                new Case("403 with remaining 0 is the primary limit, retried after reset + 1 s",
                        403, ResponseHeaders.of("x-ratelimit-remaining", "0", "x-ratelimit-reset",
                                Long.toString(RESET)),
                        PRIMARY_BODY, ErrorClass.RATE_LIMITED,
                        Optional.of(Instant.ofEpochSecond(RESET + 1))),
                new Case("429 with remaining 0 is the primary limit", 429, ResponseHeaders.of(
                        "x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(RESET)),
                        PRIMARY_BODY, ErrorClass.RATE_LIMITED, Optional.of(Instant.ofEpochSecond(
                                RESET + 1))),
                new Case("primary limit without a reset header waits a minute", 403,
                        ResponseHeaders.of("x-ratelimit-remaining", "0"), PRIMARY_BODY,
                        ErrorClass.RATE_LIMITED, Optional.of(NOW.plusSeconds(60))),
                new Case("403 secondary message with retry-after waits as told", 403,
                        ResponseHeaders.of("retry-after", "30", "x-ratelimit-remaining", "4000"),
                        SECONDARY_BODY, ErrorClass.SECONDARY_RATE_LIMITED, Optional.of(NOW
                                .plusSeconds(30))),
                new Case("403 secondary message without retry-after waits at least 60 s", 403,
                        ResponseHeaders.of("x-ratelimit-remaining", "4000"), SECONDARY_BODY,
                        ErrorClass.SECONDARY_RATE_LIMITED, Optional.of(NOW.plusSeconds(60))),
                new Case("secondary message wins even when remaining is 0", 403, ResponseHeaders
                        .of("x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(
                                RESET)),
                        SECONDARY_BODY, ErrorClass.SECONDARY_RATE_LIMITED,
                        Optional.of(NOW.plusSeconds(60))),
                new Case("429 secondary message with retry-after", 429, ResponseHeaders.of(
                        "retry-after", "120"), SECONDARY_BODY, ErrorClass.SECONDARY_RATE_LIMITED,
                        Optional.of(NOW.plusSeconds(120))),
                new Case("429 with only retry-after is secondary", 429, ResponseHeaders.of(
                        "retry-after", "5"), "", ErrorClass.SECONDARY_RATE_LIMITED,
                        Optional.of(
                                NOW.plusSeconds(5))),
                new Case("403 with only retry-after is secondary", 403, ResponseHeaders.of(
                        "retry-after", "7", "x-ratelimit-remaining", "12"), "{}",
                        ErrorClass.SECONDARY_RATE_LIMITED, Optional.of(NOW.plusSeconds(7))),
                new Case("bare 429 waits at least 60 s", 429, ResponseHeaders.empty(), "",
                        ErrorClass.SECONDARY_RATE_LIMITED, Optional.of(NOW.plusSeconds(60))),
                new Case("old abuse-detection message is secondary", 403, ResponseHeaders.empty(),
                        ABUSE_BODY, ErrorClass.SECONDARY_RATE_LIMITED, Optional.of(NOW
                                .plusSeconds(60))),
                new Case("retry-after as an HTTP date", 429, ResponseHeaders.of("retry-after",
                        "Sat, 21 Nov 2026 12:05:00 GMT"), SECONDARY_BODY,
                        ErrorClass.SECONDARY_RATE_LIMITED, Optional.of(NOW.plusSeconds(300))),
                new Case("resource not accessible by integration is forbidden", 403,
                        ResponseHeaders.of("x-accepted-github-permissions", "issues=write",
                                "x-ratelimit-remaining", "4999"),
                        NOT_ACCESSIBLE_BODY,
                        ErrorClass.FORBIDDEN, Optional.empty()),
                new Case("401 bad credentials is unauthorized", 401, ResponseHeaders.empty(),
                        BAD_CREDENTIALS_BODY, ErrorClass.UNAUTHORIZED, Optional.empty()),
                new Case("404 is not found", 404, ResponseHeaders.empty(), NOT_FOUND_BODY,
                        ErrorClass.NOT_FOUND, Optional.empty()),
                new Case("410 gone is not found", 410, ResponseHeaders.empty(),
                        "{\"message\":\"Issues are disabled for this repo\"}",
                        ErrorClass.NOT_FOUND, Optional.empty()),
                new Case("409 empty repository is a conflict", 409, ResponseHeaders.empty(),
                        EMPTY_REPO_BODY, ErrorClass.CONFLICT, Optional.empty()),
                new Case("422 invalid field is validation failed", 422, ResponseHeaders.empty(),
                        LABEL_INVALID_BODY, ErrorClass.VALIDATION_FAILED, Optional.empty()),
                new Case("422 reference already exists is validation failed", 422, ResponseHeaders
                        .empty(), REF_EXISTS_BODY, ErrorClass.VALIDATION_FAILED, Optional.empty()),
                new Case("400 bad JSON is validation failed", 400, ResponseHeaders.empty(),
                        BAD_JSON_BODY, ErrorClass.VALIDATION_FAILED, Optional.empty()),
                new Case("500 is transient", 500, ResponseHeaders.empty(), "", ErrorClass.TRANSIENT,
                        Optional.empty()),
                new Case("502 HTML unicorn is transient", 502, ResponseHeaders.empty(),
                        UNICORN_HTML, ErrorClass.TRANSIENT, Optional.empty()),
                new Case("503 with retry-after is transient with a retry time", 503,
                        ResponseHeaders.of("retry-after", "10"), "", ErrorClass.TRANSIENT,
                        Optional.of(NOW.plusSeconds(10))),
                new Case("408 request timeout is transient", 408, ResponseHeaders.empty(), "",
                        ErrorClass.TRANSIENT, Optional.empty()),
                new Case("an unexpected 4xx cannot succeed unchanged", 415, ResponseHeaders
                        .empty(), "{\"message\":\"Unsupported Media Type\"}",
                        ErrorClass.VALIDATION_FAILED, Optional.empty()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void classifiesGitHubAnswers(Case c) {
        GitHubError error = ErrorClassifier.classify(c.status(), c.headers(), c.body(), NOW);

        assertThat(error.errorClass()).isEqualTo(c.expected());
        assertThat(error.retryable()).isEqualTo(c.expected().retryable());
        assertThat(error.retryAt()).isEqualTo(c.retryAt());
        assertThat(error.status()).isEqualTo(c.status());
        assertThat(error.message()).isNotBlank();
    }

    @Test
    void passesGitHubsFieldErrorsOnForValidationFailures() {
        GitHubError error = ErrorClassifier.classify(422, ResponseHeaders.empty(), PR_EXISTS_BODY,
                NOW);

        assertThat(error.message()).isEqualTo("Validation Failed");
        assertThat(error.fieldErrors()).containsExactly(new GitHubError.FieldError("PullRequest",
                null, "custom", "A pull request already exists for octo:agent-1."));
        assertThat(error.documentationUrl()).contains(
                "https://docs.github.com/rest/pulls/pulls#create-a-pull-request");
        assertThat(error.describe()).contains("validation_failed: Validation Failed",
                "A pull request already exists");
    }

    @Test
    void reportsTheAcceptedPermissionsOfAForbiddenAnswer() {
        GitHubError error = ErrorClassifier.classify(403, ResponseHeaders.of(
                "X-Accepted-GitHub-Permissions", "issues=write; pull_requests=write"),
                NOT_ACCESSIBLE_BODY, NOW);

        assertThat(error.acceptedPermissions()).contains("issues=write; pull_requests=write");
        assertThat(error.describe()).isEqualTo(
                "forbidden: Resource not accessible by integration"
                        + " (GitHub accepts permissions: issues=write; pull_requests=write)");
    }

    @Test
    void keepsGitHubsMessageForRateLimits() {
        GitHubError error = ErrorClassifier.classify(403, ResponseHeaders.of(
                "x-ratelimit-remaining", "0", "x-ratelimit-reset", Long.toString(RESET)),
                PRIMARY_BODY, NOW);

        assertThat(error.message()).startsWith("API rate limit exceeded for installation ID");
        assertThat(error.code()).isEqualTo("rate_limited");
    }

    @Test
    void describesNonJsonBodiesByStatus() {
        GitHubError error = ErrorClassifier.classify(502, ResponseHeaders.empty(), UNICORN_HTML,
                NOW);

        assertThat(error.message()).isEqualTo("GitHub answered HTTP 502");
    }

    @Test
    void aRedirectIsNotFollowedAndAMovedRepositoryIsToldToUseItsNewName() {
        GitHubError moved = ErrorClassifier.classify(301, ResponseHeaders.of("Location",
                "https://api.github.com/repositories/42/issues"),
                "{\"message\":\"Moved Permanently\"}",
                NOW);
        GitHubError found = ErrorClassifier.classify(302, ResponseHeaders.empty(), "", NOW);

        assertThat(moved.errorClass()).isEqualTo(ErrorClass.REDIRECT_NOT_FOLLOWED);
        assertThat(moved.retryable()).isFalse();
        assertThat(moved.message()).contains("does not follow", "renamed or transferred");
        assertThat(found.errorClass()).isEqualTo(ErrorClass.REDIRECT_NOT_FOLLOWED);
        assertThat(found.message()).doesNotContain("renamed");
    }

    @Test
    void refusesToClassifyASuccess() {
        assertThatThrownBy(() -> ErrorClassifier.classify(201, ResponseHeaders.empty(), "{}",
                NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> failures() {
        return Stream.of(Arguments.of(new SocketTimeoutException("timeout"), "in time"), Arguments
                .of(new InterruptedIOException("timeout"), "in time"),
                Arguments.of(
                        new InterruptedIOException("interrupted while pacing"), "interrupted"),
                Arguments
                        .of(new ConnectException("Connection refused"), "cannot connect"),
                Arguments.of(
                        new SocketException("Connection reset"), "reset"),
                Arguments.of(
                        new IOException("unexpected end of stream"), "failed"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void classifiesCallsWithoutAnAnswerAsTransient(IOException failure, String wording) {
        GitHubError error = ErrorClassifier.classifyFailure(failure);

        assertThat(error.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(error.retryable()).isTrue();
        assertThat(error.status()).isZero();
        assertThat(error.message()).contains(wording);
    }

    @Test
    void anOpenCircuitIsUpstreamUnavailableWithItsRetryTime() {
        GitHubError error = ErrorClassifier.circuitOpen("api.github.com", NOW.plusSeconds(30));

        assertThat(error.code()).isEqualTo("upstream_unavailable");
        assertThat(error.retryable()).isTrue();
        assertThat(error.retryAt()).contains(NOW.plusSeconds(30));
    }

    private static final String JOB_LOGS = "/repos/octo/hello/actions/jobs/29679449000/logs";
    /** Where GitHub redirects a job's log: its storage, at a signed URL whose query is the key. */
    private static final String SIGNED = "https://productionresultssa1.blob.core.windows.net"
            + "/actions-results/7f3e/workflow-job-run-1/logs/job/job-logs.txt?rsct=text%2Fplain"
            + "&se=2026-12-07T12%3A01%3A00Z&sp=r&sv=2025-01-05&sig=S3cr3tS1gnature%3D";
    private static final String STORE = "productionresultssa1.blob.core.windows.net";

    static Stream<Arguments> logStorageFailures() {
        return Stream.of(Arguments.of(new SocketTimeoutException("timeout"),
                "did not answer in time"),
                Arguments.of(new InterruptedIOException("timeout"),
                        "did not answer in time"),
                Arguments.of(new ConnectException("Failed to connect to " + STORE
                        + "/20.60.1.2:443"), "could not be reached"),
                Arguments.of(new java.net.UnknownHostException(STORE), "could not be reached"),
                Arguments.of(new IOException("unexpected end of stream on " + SIGNED), "failed"));
    }

    @ParameterizedTest
    @MethodSource("logStorageFailures")
    void aJobLogStoreThatDoesNotAnswerIsToldAsTheStoresFailureByItsHostNeverItsSignedUrl(
            IOException failure, String wording) {
        GitHubError error = ErrorClassifier.logStorageFailed(JOB_LOGS, SIGNED, failure);

        assertThat(error.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(error.retryable()).isTrue();
        assertThat(error.status()).isZero();
        assertThat(error.message()).startsWith("the log storage GitHub redirected GET "
                + JOB_LOGS + " to (" + STORE + ") " + wording).contains(
                        "GitHub's API answered")
                .doesNotContain("sig=", "S3cr3t", "se=",
                        "actions-results", "job-logs.txt");
    }

    @Test
    void aJobLogStoreWhoseLocationHasNoHostIsToldWithoutOne() {
        GitHubError relative = ErrorClassifier.logStorageFailed(JOB_LOGS, "/_signed/1?sig=x",
                new SocketTimeoutException("timeout"));
        GitHubError malformed = ErrorClassifier.logStorageAnswered(JOB_LOGS, "https://a b/?sig=x",
                503, ResponseHeaders.empty(), NOW);
        GitHubError none = ErrorClassifier.logStorageAnswered(JOB_LOGS, null, 503,
                ResponseHeaders.empty(), NOW);

        assertThat(relative.message()).startsWith("the log storage GitHub redirected GET "
                + JOB_LOGS + " to did not answer in time").doesNotContain("sig=");
        assertThat(malformed.message()).startsWith("the log storage GitHub redirected GET "
                + JOB_LOGS + " to answered HTTP 503").doesNotContain("sig=");
        assertThat(none.message()).startsWith("the log storage GitHub redirected GET " + JOB_LOGS
                + " to answered HTTP 503");
    }

    @Test
    void aJobLogStoresErrorAnswerIsToldAsTheStoresNotGitHubs() {
        GitHubError failing = ErrorClassifier.logStorageAnswered(JOB_LOGS, SIGNED, 503,
                ResponseHeaders.of("Retry-After", "30"), NOW);

        assertThat(failing.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(failing.status()).isEqualTo(503);
        assertThat(failing.retryAt()).contains(NOW.plusSeconds(30));
        assertThat(failing.message()).isEqualTo("the log storage GitHub redirected GET "
                + JOB_LOGS + " to (" + STORE + ") answered HTTP 503; GitHub's API answered,"
                + " retry later");
    }

    @Test
    void aJobLogStoreRefusingTheSignedUrlIsRetryableAndNeverReadAsGitHubsLimitsOrPermissions() {
        // GitHub's rules would read these as a secondary limit (the word in the host), a spent
        // primary budget and a missing permission: none of them is the installation's.
        GitHubError abuseHost = ErrorClassifier.logStorageAnswered(JOB_LOGS,
                "https://abuse.logs.example/x?sig=s", 403, ResponseHeaders.empty(), NOW);
        GitHubError spent = ErrorClassifier.logStorageAnswered(JOB_LOGS, SIGNED, 403,
                ResponseHeaders.of("x-ratelimit-remaining", "0"), NOW);
        GitHubError throttled = ErrorClassifier.logStorageAnswered(JOB_LOGS, SIGNED, 429,
                ResponseHeaders.empty(), NOW);

        for (GitHubError error : List.of(abuseHost, spent, throttled)) {
            assertThat(error.errorClass()).as(error.message()).isEqualTo(ErrorClass.TRANSIENT);
            assertThat(error.message()).startsWith("the log storage GitHub redirected GET ");
        }
    }

    @Test
    void aJobLogTheStoreDoesNotHaveIsNotFoundAndASecondRedirectIsNotFollowed() {
        GitHubError gone = ErrorClassifier.logStorageAnswered(JOB_LOGS, SIGNED, 404,
                ResponseHeaders.empty(), NOW);
        GitHubError onward = ErrorClassifier.logStorageAnswered(JOB_LOGS, SIGNED, 302,
                ResponseHeaders.of("Location", "http://169.254.169.254/"), NOW);

        assertThat(gone.errorClass()).isEqualTo(ErrorClass.NOT_FOUND);
        assertThat(gone.message()).contains("(" + STORE + ") answered HTTP 404", "not there");
        assertThat(onward.errorClass()).isEqualTo(ErrorClass.REDIRECT_NOT_FOLLOWED);
        assertThat(onward.retryable()).isFalse();
        assertThat(onward.message()).contains("second redirect").doesNotContain("169.254");
        assertThatThrownBy(() -> ErrorClassifier.logStorageAnswered(JOB_LOGS, SIGNED, 200,
                ResponseHeaders.empty(), NOW)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPausedOrFullLogStorageIsToldAsTheStoresNotGitHubs() {
        GitHubError paused = ErrorClassifier.logStoragePaused("api.github.com", NOW.plusSeconds(
                30));
        GitHubError full = ErrorClassifier.logFetchesFull("api.github.com", 16, NOW.plusSeconds(
                1));

        assertThat(paused.errorClass()).isEqualTo(ErrorClass.UPSTREAM_UNAVAILABLE);
        assertThat(paused.retryAt()).contains(NOW.plusSeconds(30));
        assertThat(paused.message()).contains("log storage", "GitHub's other calls go on");
        assertThat(full.errorClass()).isEqualTo(ErrorClass.TRANSIENT);
        assertThat(full.retryAt()).contains(NOW.plusSeconds(1));
        assertThat(full.message()).contains("already fetching 16 job logs",
                "tollgate.executor.max-in-flight");
    }

    @Test
    void wireCodesAreStable() {
        assertThat(Stream.of(ErrorClass.values()).map(ErrorClass::code)).containsExactly(
                "rate_limited", "secondary_rate_limited", "forbidden", "not_found",
                "validation_failed", "conflict", "unauthorized", "transient",
                "outcome_unknown", "upstream_unavailable", "result_too_large",
                "github_not_configured", "redirect_not_followed",
                "decision_expired");
    }
}
