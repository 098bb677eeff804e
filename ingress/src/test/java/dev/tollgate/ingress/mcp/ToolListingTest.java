package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.core.grants.PolicyGrants;
import dev.tollgate.tools.ToolGrant;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.tools.Glob;
import dev.tollgate.tools.Tool;
import dev.tollgate.tools.ToolCatalogue;
import io.modelcontextprotocol.common.McpTransportContext;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One {@code tools/list} answer is one policy's: the SDK asks {@link ToolCalls#lists} tool by tool,
 * and a newer policy read between two questions must not make the answer half one policy's tools
 * and half the other's (seen in CI: a stranger listed every tool after {@code get_request_status}'s
 * place in the catalogue and none before it).
 */
class ToolListingTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private final PolicyGrants grants = new PolicyGrants();
    private final ToolCalls calls = new ToolCalls(ToolCatalogue.standard(), null, null, grants,
            null, Map::of, () -> true);
    private final AgentIdentity stranger = new AgentIdentity("stranger", "ci", "token-1", T0, T0
            .plus(Duration.ofHours(1)), Optional.empty());

    private McpTransportContext request() {
        Map<String, Object> context = new HashMap<>();
        context.put(McpGuardFilter.IDENTITY, stranger);
        context.put(ToolCalls.LISTING, new ToolCalls.Listing());
        return McpTransportContext.create(context);
    }

    @Test
    void aPolicyReadInTheMiddleOfAListingChangesTheNextListingNotThisOne() {
        grants.offer(new PolicyGrants.InForce("sha256:one", T0, List.of(new ToolGrant("g",
                List.of(List.of(), List.of(Glob.of("someone-else"))), List.of(List.of(), List
                        .of()),
                List.of("octo/app"), Set.of(Tool.GET_FILE), false))));
        McpTransportContext listing = request();
        boolean before = calls.lists(listing, "get_file");

        // a decision worker older than the grants publishes: nothing is known, every tool listed
        grants.offer(new PolicyGrants.InForce("sha256:two", T0.plusSeconds(1), null));
        boolean sameListing = calls.lists(listing, "create_issue");
        boolean nextListing = calls.lists(request(), "create_issue");

        assertThat(before).as("another agent's grant").isFalse();
        assertThat(sameListing).as("the rest of the listing begun under sha256:one").isFalse();
        assertThat(nextListing).as("a listing begun under sha256:two").isTrue();
    }
}
