package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.tollgate.executor.core.ErrorClass;
import dev.tollgate.executor.core.GitHubError;
import dev.tollgate.executor.core.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.mock.env.MockEnvironment;

class RetryBaseDelaySettingTest {

    @Test
    void defaultsToTheRetryPolicysOwnBackoffAndReadsADuration() {
        RetryPolicy defaults = RetryPolicy.defaults();

        RetryPolicy unset = ExecutorConfiguration.retryPolicy(environment());
        RetryPolicy set = ExecutorConfiguration.retryPolicy(environment().withProperty(
                "tollgate.github.retry.base-delay", "20ms").withProperty(
                        "tollgate.github.retry.max-wait", "5s"));

        assertThat(unset.baseDelay()).isEqualTo(Duration.ofMillis(500)).isEqualTo(defaults
                .baseDelay());
        assertThat(unset.maxAttempts()).isEqualTo(defaults.maxAttempts());
        assertThat(unset.maxBackoff()).isEqualTo(defaults.maxBackoff());
        assertThat(unset.maxWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(set.baseDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(set.maxAttempts()).isEqualTo(defaults.maxAttempts());
        assertThat(set.maxBackoff()).isEqualTo(defaults.maxBackoff());
        assertThat(set.maxWait()).isEqualTo(Duration.ofSeconds(5));
        // the third attempt's wait is the base doubled twice, jittered into its upper half
        GitHubError transientError = GitHubError.of(ErrorClass.TRANSIENT, 502, "bad gateway",
                null);
        assertThat(set.delayBeforeRetry(3, transientError, false, Instant.EPOCH))
                .hasValueSatisfying(
                        wait -> assertThat(wait).isBetween(Duration.ofMillis(40),
                                Duration.ofMillis(80)));
    }

    /** As the application has it: Spring Boot's conversions (a {@code Duration} from "5s"). */
    private static MockEnvironment environment() {
        MockEnvironment environment = new MockEnvironment();
        environment.setConversionService(new ApplicationConversionService());
        return environment;
    }

    @Test
    void zeroNegativeMalformedOrAboveTheCapStopsStartUpNamingTheKey() {
        for (String bad : new String[]{"0", "0ms", "-1s", "soon", "9s"}) {
            assertThatIllegalStateException().as(bad).isThrownBy(() -> ExecutorConfiguration
                    .retryPolicy(environment().withProperty(
                            "tollgate.github.retry.base-delay", bad)))
                    .withMessageContaining("tollgate.github.retry.base-delay")
                    .withMessageContaining("TOLLGATE_GITHUB_RETRY_BASE_DELAY")
                    .withMessageContaining("'" + bad + "'");
        }
    }
}
