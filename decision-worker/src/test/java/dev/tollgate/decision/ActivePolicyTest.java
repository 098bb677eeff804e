package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.load.PolicyListener;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Without a policy file the worker still starts, and denies everything. */
class ActivePolicyTest {

    @Test
    void withoutAPolicyFileEveryRequestIsDeniedAndTheEmptyPolicyIsAnnounced() {
        List<PolicyListener.Loaded> loaded = new ArrayList<>();
        PolicyListener listener = new PolicyListener() {
            @Override
            public void loaded(Loaded event) {
                loaded.add(event);
            }

            @Override
            public void failed(Failed event) {
            }
        };

        ActivePolicy policy = ActivePolicy.of(null, listener, Clock.fixed(Instant.EPOCH,
                ZoneOffset.UTC));
        Decision decision = policy.engines().get().decide(DecisionRequest.of("bot", "prod",
                "get_file", "myorg/app"));

        assertThat(decision).isInstanceOf(Denied.class);
        assertThat(((Denied) decision).kind()).isEqualTo(Denied.Kind.NO_GRANT);
        assertThat(loaded).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo(ActivePolicy.NO_FILE);
            assertThat(event.version()).isEqualTo(decision.policyVersion());
            assertThat(event.ruleCount()).isZero();
        });
        assertThat(policy.description().get()).contains("everything is denied");
    }
}
