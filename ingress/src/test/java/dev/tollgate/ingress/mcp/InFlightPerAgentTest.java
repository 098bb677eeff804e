package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import org.junit.jupiter.api.Test;

/** Requests in progress are counted per principal: an agent ID in an environment. */
class InFlightPerAgentTest {

    @Test
    void theSameAgentIdInAnotherEnvironmentHasPlacesOfItsOwn() {
        InFlightPerAgent inFlight = new InFlightPerAgent(2);
        AgentPrincipal scratch = new AgentPrincipal("scratch", "deployer");
        AgentPrincipal prod = new AgentPrincipal("prod", "deployer");
        assertThat(inFlight.tryAcquire(scratch)).isTrue();
        assertThat(inFlight.tryAcquire(scratch)).isTrue();

        boolean scratchAgain = inFlight.tryAcquire(scratch);
        boolean prodsFirst = inFlight.tryAcquire(prod);

        assertThat(scratchAgain).as("scratch at its bound").isFalse();
        assertThat(prodsFirst).as("prod's place, with scratch at its bound").isTrue();
        assertThat(inFlight.inFlight(prod)).isEqualTo(1);
        inFlight.release(prod);
        inFlight.release(scratch);
        assertThat(inFlight.inFlight(scratch)).isEqualTo(1);
        assertThat(inFlight.agents()).isEqualTo(1);
    }
}
