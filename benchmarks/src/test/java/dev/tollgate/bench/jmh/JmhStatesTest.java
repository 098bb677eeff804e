package dev.tollgate.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.decision.policy.Allowed;
import dev.tollgate.decision.policy.Denied;
import dev.tollgate.executor.core.ErrorClass;
import org.junit.jupiter.api.Test;

/** The benchmarks measure the paths their names say. */
class JmhStatesTest {

    @Test
    void thePolicyBenchmarkAllowsTheReadAndDeniesTheWorkflowPush() {
        PolicyBenchmark benchmark = new PolicyBenchmark();
        benchmark.setUp();

        assertThat(benchmark.allowedRead()).isInstanceOf(Allowed.class);
        assertThat(benchmark.deniedWorkflowPush()).isInstanceOf(Denied.class);
    }

    @Test
    void theClassifierBenchmarkHitsThreeDifferentClasses() {
        ErrorClassifierBenchmark benchmark = new ErrorClassifierBenchmark();

        assertThat(benchmark.secondaryRateLimit().errorClass()).isEqualTo(
                ErrorClass.SECONDARY_RATE_LIMITED);
        assertThat(benchmark.missingPermission().errorClass()).isEqualTo(ErrorClass.FORBIDDEN);
        assertThat(benchmark.validationFailed().errorClass()).isEqualTo(
                ErrorClass.VALIDATION_FAILED);
    }

    @Test
    void theAuditBenchmarkChainsOntoTheFirstRecord() {
        AuditHashBenchmark benchmark = new AuditHashBenchmark();
        benchmark.setUp();

        assertThat(benchmark.hashRecord()).hasSize(64);
        assertThat(benchmark.appendToChain().sequence()).isEqualTo(2);
    }
}
