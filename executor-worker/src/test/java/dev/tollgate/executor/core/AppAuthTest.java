package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.SignedJWT;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppAuthTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            clock);
    private final List<TokenMinted> minted = new CopyOnWriteArrayList<>();
    private final MintContext context = new MintContext("req-1", "agent-7", "ci");

    {
        github.repository("octo", "hello", 42);
        github.repository("octo", "world", 42);
        github.repository("other", "thing", 77);
    }

    @AfterEach
    void stop() {
        github.close();
    }

    private InstallationTokens tokens(Optional<String> fallback) {
        return new InstallationTokens(TestApp.APP_ID, TestApp.authenticator(github, clock), clock,
                minted::add, fallback);
    }

    private static TokenScope scope(String repo, Map<String, String> permissions) {
        return TokenScope.of(42, List.of("octo/" + repo), permissions);
    }

    @Test
    void signsAnRs256JwtBackdatedSixtySecondsThatGitHubAccepts() throws Exception {
        tokens(Optional.empty()).get(scope("hello", Map.of("contents", "read")), context);

        var mintCall = github.requests("POST", "/app/installations/42/access_tokens").get(0);
        SignedJWT jwt = SignedJWT.parse(mintCall.authorization().substring("Bearer ".length()));
        assertThat(github.jwtRejections()).isEmpty();
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(TestApp.APP_ID);
        assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant()).isEqualTo(clock.instant()
                .minusSeconds(60));
        assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isBefore(clock.instant()
                .plus(Duration.ofMinutes(10)).plusSeconds(1));
    }

    @Test
    void requestsExactlyTheDecidedRepositoriesAndPermissions() {
        tokens(Optional.empty()).get(TokenScope.of(42, List.of("octo/world", "octo/hello"), Map.of(
                "issues", "write")), context);

        assertThat(github.mints()).singleElement().satisfies(mint -> {
            assertThat(mint.installationId()).isEqualTo(42);
            assertThat(mint.repositories()).containsExactly("hello", "world");
            assertThat(mint.permissions()).isEqualTo(Map.of("issues", "write"));
        });
    }

    @Test
    void cachesOneTokenPerExactScope() {
        InstallationTokens tokens = tokens(Optional.empty());

        InstallationToken first = tokens.get(scope("hello", Map.of("contents", "read")), context);
        InstallationToken again = tokens.get(scope("hello", Map.of("contents", "read")), context);
        InstallationToken otherRepo = tokens.get(scope("world", Map.of("contents", "read")),
                context);
        InstallationToken otherPermissions = tokens.get(scope("hello", Map.of("contents", "read",
                "metadata", "read")), context);

        assertThat(again).isSameAs(first);
        assertThat(otherRepo.value()).isNotEqualTo(first.value());
        assertThat(otherPermissions.value()).isNotEqualTo(first.value());
        assertThat(github.mintCount()).isEqualTo(3);
        assertThat(tokens.mintCount()).isEqualTo(3);
    }

    @Test
    void scopeKeyDependsOnRepositoriesAndPermissionsButNotTheirOrder() {
        TokenScope a = TokenScope.of(42, List.of("octo/a", "octo/b"), Map.of("x", "read", "y",
                "write"));
        TokenScope b = TokenScope.of(42, List.of("octo/b", "octo/a"), Map.of("y", "write", "x",
                "read"));
        TokenScope c = TokenScope.of(42, List.of("octo/a"), Map.of("x", "read", "y", "write"));

        assertThat(a).isEqualTo(b);
        assertThat(a.key()).isEqualTo(b.key()).isNotEqualTo(c.key()).hasSize(64);
    }

    @Test
    void neverRequestsATokenForAllRepositories() {
        assertThatThrownBy(() -> TokenScope.of(42, List.of(), Map.of("contents", "read")))
                .hasMessageContaining("repositories");
    }

    @Test
    void refreshesTokenWithLessThanFiveMinutesLeft() {
        InstallationTokens tokens = tokens(Optional.empty());
        InstallationToken first = tokens.get(scope("hello", Map.of("contents", "read")), context);

        clock.advance(Duration.ofMinutes(54));
        InstallationToken stillFresh = tokens.get(scope("hello", Map.of("contents", "read")),
                context);
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        InstallationToken refreshed = tokens.get(scope("hello", Map.of("contents", "read")),
                context);

        assertThat(stillFresh).isSameAs(first);
        assertThat(refreshed.value()).isNotEqualTo(first.value());
        assertThat(github.mintCount()).isEqualTo(2);
    }

    @Test
    void concurrentRequestsForOneScopeShareOneMint() throws Exception {
        CountDownLatch mintStarted = new CountDownLatch(1);
        CountDownLatch releaseMint = new CountDownLatch(1);
        GitHubTransport real = TestApp.transport(github);
        GitHubTransport gated = new ForwardingTransport(real) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws java.io.IOException {
                if (request.path().endsWith("/access_tokens")) {
                    mintStarted.countDown();
                    try {
                        releaseMint.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                }
                return super.send(request);
            }
        };
        InstallationTokens tokens = new InstallationTokens(TestApp.APP_ID, new AppAuthenticator(
                new AppJwtSigner(TestApp.APP_ID, TestApp.privateKey(), clock), gated, clock),
                clock, minted::add, Optional.empty());
        TokenScope scope = scope("hello", Map.of("contents", "read"));
        ConcurrentCallers.eightShareOneMint(tokens, scope, context, mintStarted, releaseMint);

        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(minted).hasSize(1);
    }

    @Test
    void everyMintPublishesATokenMintedEventWithoutTheToken() {
        InstallationToken token = tokens(Optional.empty()).get(scope("hello", Map.of("contents",
                "read")), context);

        assertThat(minted).singleElement().satisfies(event -> {
            assertThat(event.toString()).doesNotContain(token.value());
            assertThat(event.getAppId()).isEqualTo(TestApp.APP_ID);
            assertThat(event.getInstallationId()).isEqualTo(42);
            assertThat(event.getRepositories()).containsExactly("hello");
            assertThat(event.getPermissions()).isEqualTo(Map.of("contents", "read"));
            assertThat(event.getExpiresAt()).isEqualTo(token.expiresAt());
            assertThat(event.getScopeKey()).isEqualTo(token.scope().key());
            assertThat(event.getMeta().getRequestId()).isEqualTo("req-1");
            assertThat(event.getAgentId()).isEqualTo("agent-7");
            assertThat(event.getEnvironment()).isEqualTo("ci");
            assertThat(event.getStaticFallback()).isFalse();
        });
    }

    @Test
    void tokenToStringNeverShowsTheValue() {
        InstallationToken token = tokens(Optional.empty()).get(scope("hello", Map.of("contents",
                "read")), context);

        assertThat(token.toString()).doesNotContain(token.value()).contains("redacted");
        assertThat(new GitHubRequest.Credential.Token(token).toString()).doesNotContain(token
                .value());
        assertThat(token.value().length()).isNotEqualTo(40);
    }

    @Test
    void correctsClockSkewWhenGitHubIsBehindAndSignsAgainOnce() {
        github.skewClock(Duration.ofMinutes(-5));
        AppAuthenticator app = TestApp.authenticator(github, clock);
        InstallationTokens tokens = new InstallationTokens(TestApp.APP_ID, app, clock, minted::add,
                Optional.empty());

        tokens.get(scope("hello", Map.of("contents", "read")), context);

        assertThat(github.jwtRejections()).singleElement().asString().contains("('iat')");
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(app.skew()).isEqualTo(Duration.ofMinutes(-5));
    }

    @Test
    void correctsClockSkewWhenGitHubIsAhead() {
        github.skewClock(Duration.ofMinutes(15));
        AppAuthenticator app = TestApp.authenticator(github, clock);

        new InstallationTokens(TestApp.APP_ID, app, clock, minted::add, Optional.empty()).get(
                scope("hello", Map.of("contents", "read")), context);

        assertThat(github.jwtRejections()).singleElement().asString().contains("('exp')");
        assertThat(github.mintCount()).isEqualTo(1);
    }

    @Test
    void discoversTheInstallationOfARepositoryOnceAndCachesIt() {
        InstallationResolver resolver = new InstallationResolver(TestApp.authenticator(github,
                clock), clock);

        long first = resolver.installationFor("octo", "hello");
        long second = resolver.installationFor("octo", "hello");
        long other = resolver.installationFor("other", "thing");

        assertThat(first).isEqualTo(42);
        assertThat(second).isEqualTo(42);
        assertThat(other).isEqualTo(77);
        assertThat(github.requests("GET", "/repos/octo/hello/installation")).hasSize(1);
    }

    @Test
    void aRepositoryWithoutTheAppIsNotFound() {
        InstallationResolver resolver = new InstallationResolver(TestApp.authenticator(github,
                clock), clock);

        assertThatThrownBy(() -> resolver.installationFor("nobody", "here")).isInstanceOfSatisfying(
                GitHubCallException.class, e -> assertThat(e.error().errorClass()).isEqualTo(
                        ErrorClass.NOT_FOUND));
    }

    @Test
    void aMintRefusedForAPermissionTheInstallationLacksIsAForbiddenAnswerNamingTheScope() {
        github.script("POST", "/app/installations/42/access_tokens", GitHubStandIn.json(422,
                "{\"message\":\"The permissions requested are not granted to this installation.\"}"));

        assertThatThrownBy(() -> tokens(Optional.empty()).get(scope("hello", Map.of("contents",
                "write")), context)).isInstanceOfSatisfying(GitHubCallException.class, e -> {
                    assertThat(e.error().code()).isEqualTo("forbidden");
                    assertThat(e.error().retryable()).isFalse();
                    assertThat(e.error().message()).contains("installation 42", "[hello]",
                            "contents=write", "not granted to this installation");
                });
        assertThat(minted).isEmpty();
    }

    /**
     * The static token is not down-scoped: standing in for a permission or repository the
     * installation does not grant, or for a suspended or removed installation, would hand an
     * agent exactly what GitHub refused.
     */
    @Test
    void theStaticFallbackNeverStandsInForWhatGitHubRefusesToGrant() {
        InstallationTokens tokens = tokens(Optional.of("static-secret-value"));
        List<MockCase> refusals = List.of(
                new MockCase(422, "The permissions requested are not granted to this"
                        + " installation.", "forbidden"),
                new MockCase(422, "There is at least one repository that does not exist or is"
                        + " not accessible to the parent installation.", "forbidden"),
                new MockCase(403, "This installation has been suspended", "forbidden"),
                new MockCase(404, "Not Found", "not_found"));

        for (MockCase refusal : refusals) {
            github.script("POST", "/app/installations/42/access_tokens", GitHubStandIn.json(
                    refusal.status(), "{\"message\":\"" + refusal.message() + "\"}"));

            assertThatThrownBy(() -> tokens.get(scope("hello", Map.of("contents", "write")),
                    context)).as(refusal.message()).isInstanceOfSatisfying(
                            GitHubCallException.class, e -> assertThat(e.error().code())
                                    .isEqualTo(refusal.code()));
        }
        assertThat(minted).as("no mint, no fallback use").isEmpty();
        assertThat(tokens.size()).isZero();
    }

    private record MockCase(int status, String message, String code) {
    }

    @Test
    void staticFallbackIsUsedOnlyWhenGitHubRefusesTheAppItselfAndIsFlaggedOnEveryUse() {
        github.script("POST", "/app/installations/42/access_tokens", GitHubStandIn.json(401,
                "{\"message\":\"A JSON web token could not be decoded\"}"),
                GitHubStandIn.json(401,
                        "{\"message\":\"A JSON web token could not be decoded\"}"));
        InstallationTokens tokens = tokens(Optional.of("static-secret-value"));

        InstallationToken first = tokens.get(scope("hello", Map.of("contents", "read")), context);
        InstallationToken second = tokens.get(scope("hello", Map.of("contents", "read")), context);

        assertThat(first.staticFallback()).isTrue();
        assertThat(second.staticFallback()).isTrue();
        assertThat(minted).hasSize(2).allSatisfy(event -> {
            assertThat(event.getStaticFallback()).isTrue();
            assertThat(event.toString()).doesNotContain("static-secret-value");
        });
        assertThat(tokens.mintCount()).isZero();
    }

    @Test
    void withoutTheFallbackAFailedExchangeIsAClearError() {
        github.script("POST", "/app/installations/42/access_tokens", GitHubStandIn.json(404,
                "{\"message\":\"Not Found\"}"));

        assertThatThrownBy(() -> tokens(Optional.empty()).get(scope("hello", Map.of("contents",
                "read")), context)).isInstanceOf(GitHubCallException.class).hasMessageContaining(
                        "not_found");
    }

    @Test
    void staticallyConfiguredInstallationsAreNeverLookedUp() {
        InstallationResolver resolver = new InstallationResolver(TestApp.authenticator(github,
                clock), clock).rememberAll(InstallationResolver.parseStatic(
                        "octo/hello=42, other/thing=77"));

        assertThat(resolver.installationFor("octo", "hello")).isEqualTo(42);
        assertThat(resolver.installationFor("other", "thing")).isEqualTo(77);
        assertThat(github.requests()).isEmpty();
    }

    @Test
    void aMalformedStaticInstallationNamesTheSetting() {
        assertThatThrownBy(() -> InstallationResolver.parseStatic("octo/hello:42"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "tollgate.github.installations");
    }
}
