package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ResponseBudgetTest {

    private static final long MB = 1024 * 1024;

    @Test
    void aBudgetThatCannotHoldOneAnswerIsRefusedNamingTheFix() {
        assertThatExceptionOfType(ConfigurationException.class).isThrownBy(
                () -> new ResponseBudget(4 * MB, 8 * MB, Duration.ofSeconds(1)))
                .withMessageContaining(
                        "TOLLGATE_EXECUTOR_RESPONSE_BYTES_IN_FLIGHT");
        assertThatExceptionOfType(ConfigurationException.class).isThrownBy(
                () -> new ResponseBudget(4 * MB, 1000, Duration.ofSeconds(1)))
                .withMessageContaining(
                        "TOLLGATE_GITHUB_MAX_RESPONSE_BYTES");
    }

    @Test
    void theDefaultHoldsAnEighthOfTheHeapWithinItsBounds() {
        assertThat(ResponseBudget.defaultCapacity(64 * MB)).isEqualTo(16 * MB);
        assertThat(ResponseBudget.defaultCapacity(256 * MB)).isEqualTo(32 * MB);
        assertThat(ResponseBudget.defaultCapacity(8192 * MB)).isEqualTo(64 * MB);
    }

    @Test
    void aReadWaitsForRoomThatAnotherCallGivesBackAndTheBytesHeldNeverExceedTheCapacity()
            throws Exception {
        ResponseBudget budget = new ResponseBudget(MB, MB / 2, Duration.ofSeconds(60));
        ResponseBudget.Account first = budget.account();
        first.reserve(MB - 100);
        CompletableFuture<Long> waiting;
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            waiting = CompletableFuture.supplyAsync(() -> {
                try (ResponseBudget.Account second = budget.account()) {
                    second.reserve(MB / 2);
                    return second.reserved();
                } catch (java.io.InterruptedIOException e) {
                    throw new IllegalStateException(e);
                }
            }, thread);
            assertThat(waiting).isNotDone(); // no room until the first gives some back
            first.release(MB / 2);
            assertThat(waiting.get(60, TimeUnit.SECONDS)).isEqualTo(MB / 2);
        }
        first.close();
        first.reserve(10); // a closed account keeps nothing

        assertThat(budget.held()).isZero();
        assertThat(budget.peak()).isLessThanOrEqualTo(MB);
    }

    @Test
    void aReadThatFindsNoRoomInTimeFailsRetryable() throws Exception {
        ResponseBudget budget = new ResponseBudget(MB, MB, Duration.ofMillis(50));
        try (ResponseBudget.Account holder = budget.account()) {
            holder.reserve(MB);

            assertThatExceptionOfType(GitHubCallException.class).isThrownBy(() -> budget
                    .account().reserve(1)).satisfies(e -> assertThat(e.error().retryable())
                            .isTrue());
        }
        assertThat(budget.held()).isZero();
    }
}
