package dev.tollgate.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin endpoints of every role: the key first, failures throttled per address. */
class AdminGateTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef-admin";

    private final Clock clock = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"),
            ZoneOffset.UTC);
    private final AdminGate gate = new AdminGate(KEY, "tollgate.admin-key", new FailureThrottle(3,
            Duration.ofMinutes(1), 100, clock), "tollgate-admin", "TOLLGATE_ADMIN_KEY");

    @Test
    void theRightKeyIsNeverThrottledByAFloodOfWrongOnesEvenFromItsOwnAddress() {
        List<AdminGate.Outcome> flood = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            flood.add(gate.check("Bearer wrong-" + i, "10.0.0.9").outcome());
        }

        AdminGate.Verdict admin = gate.check("Bearer " + KEY, "10.0.0.9");
        AdminGate.Verdict missing = gate.check(null, "10.0.0.9");
        AdminGate.Verdict elsewhere = gate.check("Bearer wrong", "10.0.0.10");

        assertThat(flood.subList(0, 3)).containsOnly(AdminGate.Outcome.INVALID);
        assertThat(flood.subList(3, 10)).containsOnly(AdminGate.Outcome.THROTTLED);
        assertThat(admin.outcome()).isEqualTo(AdminGate.Outcome.ACCEPTED);
        assertThat(missing.outcome()).isEqualTo(AdminGate.Outcome.THROTTLED);
        assertThat(missing.retryAfter()).hasValueSatisfying(wait -> assertThat(wait).isPositive()
                .isLessThanOrEqualTo(Duration.ofMinutes(1)));
        assertThat(elsewhere.outcome()).isEqualTo(AdminGate.Outcome.INVALID);
    }

    @Test
    void refusedAdminTokensCountWithWrongKeysPerAddressAndNeverLockTheKeyOut() {
        assertThat(gate.failure("10.0.0.7", true).outcome()).isEqualTo(AdminGate.Outcome.INVALID);
        assertThat(gate.failure("10.0.0.7", true).outcome()).isEqualTo(AdminGate.Outcome.INVALID);
        assertThat(gate.check("Bearer wrong", "10.0.0.7").outcome()).isEqualTo(
                AdminGate.Outcome.INVALID);

        assertThat(gate.failure("10.0.0.7", true).outcome()).isEqualTo(
                AdminGate.Outcome.THROTTLED);
        assertThat(gate.check("Bearer " + KEY, "10.0.0.7").outcome()).isEqualTo(
                AdminGate.Outcome.ACCEPTED);
        assertThat(gate.failure("10.0.0.8", false).outcome()).isEqualTo(
                AdminGate.Outcome.MISSING);
    }

    @Test
    void acceptsTellsTheKeyWithoutCountingAnything() {
        AdminGate none = new AdminGate(null, "none", new FailureThrottle(1, Duration.ofMinutes(1),
                100, clock), "tollgate-admin", "TOLLGATE_ADMIN_KEY");

        List<Boolean> wrong = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            wrong.add(gate.accepts("Bearer wrong-" + i));
        }

        assertThat(wrong).containsOnly(false);
        assertThat(gate.accepts(null)).isFalse();
        assertThat(gate.accepts("Basic " + KEY)).isFalse();
        assertThat(gate.accepts("Bearer " + KEY)).isTrue();
        assertThat(none.accepts("Bearer " + KEY)).isFalse();
        assertThat(gate.check("Bearer wrong", "10.0.0.9").outcome()).as("nothing was counted")
                .isEqualTo(AdminGate.Outcome.INVALID);
    }

    @Test
    void refusalsAnswer401WithAChallenge429WithRetryAfterAnd403WithoutAKey() {
        var invalid = gate.refusal(gate.check("Bearer nope", "10.0.0.1"));
        var missing = gate.refusal(gate.check(null, "10.0.0.2"));
        var throttled = gate.refusal(new AdminGate.Verdict(AdminGate.Outcome.THROTTLED,
                java.util.Optional.of(Duration.ofMillis(1500))));
        AdminGate none = new AdminGate(null, "none", FailureThrottle.defaults(clock), "r", "X");
        var disabled = none.refusal(none.check("Bearer " + KEY, "10.0.0.3"));

        assertThat(invalid.getStatusCode().value()).isEqualTo(401);
        assertThat(invalid.getHeaders().getFirst("WWW-Authenticate")).contains(
                "error=\"invalid_token\"");
        assertThat(missing.getHeaders().getFirst("WWW-Authenticate")).isEqualTo(
                "Bearer realm=\"tollgate-admin\"");
        assertThat(throttled.getStatusCode().value()).isEqualTo(429);
        assertThat(throttled.getHeaders().getFirst("Retry-After")).isEqualTo("2");
        assertThat(disabled.getStatusCode().value()).isEqualTo(403);
        assertThat(disabled.getBody()).containsEntry("error", "admin_disabled");
        assertThat(List.of(invalid, missing, throttled, disabled)).allSatisfy(
                answer -> assertThat(String.valueOf(answer.getBody())).doesNotContain(KEY));
    }

    @Test
    void aKeyShorterThan32CharactersStopsStartUpNamingTheSettingAndTheFix() {
        assertThatThrownBy(
                () -> new AdminGate("short-key-0123456789abcdef01234", "TOLLGATE_ADMIN_KEY",
                        FailureThrottle.defaults(clock), "r", "X"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TOLLGATE_ADMIN_KEY")
                .hasMessageContaining("31 characters")
                .hasMessageContaining("at least 32")
                .hasMessageContaining("openssl rand -hex 32")
                .hasMessageNotContaining("short-key");
        assertThat(new AdminGate("x".repeat(32), "k", FailureThrottle.defaults(clock), "r", "X")
                .configured()).isTrue();
    }

    @Test
    void theKeyNeverAppearsInItsDescription() {
        assertThat(gate.toString()).doesNotContain(KEY);
    }
}
