package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.TokenMinted;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.core.GitHubAppConfig;
import dev.tollgate.executor.core.InMemoryCompletionStore;
import dev.tollgate.executor.core.RetryPolicy;
import dev.tollgate.executor.core.ToolCallExecutor;
import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replica as {@link ExecutorAssembly} wires it for production: an agent's call whose token
 * mint GitHub first answers 502, or refuses with a rate limit, still succeeds, with one token.
 */
class AssembledMintRetryTest {

    private static final String MINT = "/app/installations/42/access_tokens";

    private final MutableClock clock = new MutableClock(java.time.Instant.now());
    private final GitHubStandIn github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(),
            clock);
    private final RecordingScheduler scheduler = new RecordingScheduler(clock);
    private final List<TokenMinted> minted = new CopyOnWriteArrayList<>();
    private final ExecutorHarness decisions = new ExecutorHarness();

    {
        github.repository("octo", "hello", 42).files.put("README.md", "hello");
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
        github.close();
        decisions.close();
    }

    private ToolCallExecutor executor() {
        GitHubAppConfig app = new GitHubAppConfig(github.apiUrl(), TestApp.APP_ID, TestApp
                .privateKey(), Optional.empty());
        return new ExecutorAssembly(app, clock, minted::add, new InMemoryCompletionStore(100),
                RetryPolicy.defaults(), Duration.ZERO, scheduler, UnaryOperator.identity(), Map
                        .of())
                .build();
    }

    /** A decision made now on this test's clock (the harness's own clock is days behind). */
    private dev.tollgate.events.PolicyDecided readme() {
        dev.tollgate.events.PolicyDecided decision = decisions.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"README.md\"}");
        decision.getMeta().setOccurredAt(clock.instant());
        return decision;
    }

    @Test
    void aCallWhoseMintIsAnswered502ThenMintedSucceedsWithOneToken() {
        github.script("POST", MINT, GitHubStandIn.serverError(502));

        ToolCallCompleted answer = executor().execute(readme());

        assertThat(answer.getStatus()).as(answer.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.requests("POST", MINT)).hasSize(2);
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(minted).hasSize(1);
    }

    @Test
    void aCallWhoseMintIsRateLimitedWaitsRetryAfterAndSucceedsWithOneToken() {
        github.script("POST", MINT, GitHubStandIn.secondaryLimit(429, 3L));

        ToolCallCompleted answer = executor().execute(readme());

        assertThat(answer.getStatus()).as(answer.getMessage()).isEqualTo(CallStatus.SUCCEEDED);
        assertThat(github.requests("POST", MINT)).hasSize(2);
        assertThat(scheduler.delays()).singleElement().satisfies(wait -> assertThat(wait)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3)));
        assertThat(github.mintCount()).isEqualTo(1);
        assertThat(minted).hasSize(1);
    }
}
