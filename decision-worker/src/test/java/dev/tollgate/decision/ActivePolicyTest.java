package dev.tollgate.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.decision.policy.InvalidPolicyException;
import dev.tollgate.decision.policy.load.PolicyListener;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without a policy file the worker still starts, and denies everything; service-gator's
 * command-line options are a policy of their own, and options that do not load stop the start.
 */
class ActivePolicyTest {

    private final List<PolicyListener.Loaded> loaded = new ArrayList<>();
    private final List<PolicyListener.Failed> failed = new ArrayList<>();
    private final PolicyListener recording = new PolicyListener() {
        @Override
        public void loaded(Loaded event) {
            loaded.add(event);
        }

        @Override
        public void failed(Failed event) {
            failed.add(event);
        }
    };
    private final Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

    @Test
    void serviceGatorsOptionsAreAPolicyAnnouncedWithItsGrants() {
        ActivePolicy policy = ActivePolicy.ofCommandLine(List.of("--gh-repo",
                "myorg/app:read,push-new-branch"), recording, clock);

        Decision read = policy.engines().get().decide(DecisionRequest.of("bot", "prod",
                "get_file", "myorg/app"));
        Decision elsewhere = policy.engines().get().decide(DecisionRequest.of("bot", "prod",
                "get_file", "myorg/other"));
        Decision write = policy.engines().get().decide(DecisionRequest.of("bot", "prod",
                "create_issue", "myorg/app"));

        assertThat(read).isInstanceOf(Allowed.class);
        assertThat(elsewhere).isInstanceOf(Denied.class);
        assertThat(write).isInstanceOf(Denied.class);
        assertThat(loaded).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo(ActivePolicy.COMMAND_LINE);
            assertThat(event.version()).isEqualTo(read.policyVersion());
            assertThat(event.grants()).isNotEmpty();
        });
        assertThat(policy.description().get()).isEqualTo(read.policyVersion() + " from "
                + ActivePolicy.COMMAND_LINE);
    }

    @Test
    void optionsThatDoNotLoadStopTheStartAndAreAnnouncedAsFailed() {
        assertThatThrownBy(() -> ActivePolicy.ofCommandLine(List.of("--gh-repo",
                "myorg/app:read,fly"), recording, clock)).isInstanceOf(
                        InvalidPolicyException.class)
                .hasMessageContaining("fly");

        assertThat(loaded).isEmpty();
        assertThat(failed).singleElement().satisfies(event -> {
            assertThat(event.source()).isEqualTo(ActivePolicy.COMMAND_LINE);
            assertThat(event.versionInForce()).isNull();
        });
    }

    @Test
    void theCommandLinePropertyIsAJsonArrayOfStringsOrAClearError() {
        PolicyProperties properties = new PolicyProperties();
        assertThat(DecisionWorkerConfiguration.commandLine(properties)).isEmpty();

        properties.setCommandLine("[\"--gh-repo\", \"myorg/app:read,write\"]");
        assertThat(DecisionWorkerConfiguration.commandLine(properties)).containsExactly(
                "--gh-repo", "myorg/app:read,write");

        for (String wrong : List.of("--gh-repo myorg/app:read", "{\"gh-repo\": 1}", "[1, 2]",
                "[\"--gh-repo\", null]")) {
            properties.setCommandLine(wrong);
            assertThatThrownBy(() -> DecisionWorkerConfiguration.commandLine(properties)).as(
                    wrong).hasMessageContaining("JSON array of strings");
        }
    }

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
