package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class MaxDecisionAgeSettingTest {

    @Test
    void defaultsToOneDayAndReadsADuration() {
        assertThat(ExecutorConfiguration.maxDecisionAge(new MockEnvironment())).isEqualTo(
                Duration.ofDays(1));
        assertThat(ExecutorConfiguration.maxDecisionAge(new MockEnvironment().withProperty(
                "tollgate.executor.max-decision-age", "12h"))).isEqualTo(Duration.ofHours(12));
    }

    @Test
    void zeroNegativeOrMalformedStopsStartUpNamingTheKey() {
        for (String bad : new String[]{"0", "0s", "-1h", "soon"}) {
            assertThatIllegalStateException().as(bad).isThrownBy(() -> ExecutorConfiguration
                    .maxDecisionAge(new MockEnvironment().withProperty(
                            "tollgate.executor.max-decision-age", bad)))
                    .withMessageContaining(
                            "tollgate.executor.max-decision-age")
                    .withMessageContaining(
                            "TOLLGATE_EXECUTOR_MAX_DECISION_AGE")
                    .withMessageContaining("'" + bad + "'");
        }
    }
}
