package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import jakarta.servlet.AsyncContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * The filter that opens a {@code GET /mcp} event stream, on Spring's servlet test doubles with the
 * real {@link ToolListStreams}: whether a client can see its stream open before the replica has
 * counted it, and what the loser of a race for the last place is answered.
 */
class ServerStreamFilterTest {

    private static final Instant NOW = Instant.parse("2026-12-07T01:00:00Z");
    /** One stream per agent, one on the replica. */
    private static final ToolListStreams.Limits ONE = new ToolListStreams.Limits(1, 1, Duration
            .ofSeconds(25), Duration.ofMinutes(30), Duration.ofSeconds(2));

    /** Writes wait here until the test runs them, as a busy writer thread would. */
    private final List<Runnable> pendingWrites = new ArrayList<>();
    private final ToolListStreams streams = new ToolListStreams(identity -> Set.of(),
            identity -> true, Clock.fixed(NOW, ZoneOffset.UTC), ONE, pendingWrites::add);
    private final RefusalCounter refusals = new RefusalCounter(Clock.fixed(NOW, ZoneOffset.UTC),
            100);
    private final ServerStreamFilter filter = new ServerStreamFilter(streams, refusals);

    private static AgentIdentity identity(String agent) {
        return new AgentIdentity(agent, "ci", agent + "-token", NOW.minusSeconds(60), NOW.plus(
                Duration.ofDays(1)), Optional.empty());
    }

    /**
     * {@code GET /mcp} for an event stream, as the guard leaves it. Its {@code startAsync()} keeps
     * the response (the servlet container's does; the test double's would drop it) and first runs
     * {@code meanwhile}: what another thread does between the filter's look and its open.
     */
    private static final class StreamRequest extends MockHttpServletRequest {

        private final MockHttpServletResponse response;
        private final Runnable meanwhile;

        StreamRequest(AgentIdentity identity, MockHttpServletResponse response,
                Runnable meanwhile) {
            this.response = response;
            this.meanwhile = meanwhile;
            setMethod("GET");
            setRequestURI("/mcp");
            addHeader("Accept", "text/event-stream");
            addHeader("MCP-Protocol-Version", "2025-11-25");
            setAttribute(McpGuardFilter.IDENTITY, identity);
            setAsyncSupported(true);
        }

        @Override
        public AsyncContext startAsync() {
            meanwhile.run();
            return startAsync(this, response);
        }
    }

    @Test
    void nothingIsSentBeforeTheStreamIsCountedAndItsFirstFrameCarriesTheHeaders()
            throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();

        filter.doFilter(new StreamRequest(identity("first"), response, () -> {
        }), response, new MockFilterChain());

        assertThat(streams.open()).as("counted").isEqualTo(1);
        assertThat(response.isCommitted()).as("the headers wait for the first frame").isFalse();
        assertThat(streams.refusal(identity("second"))).as("a second agent's look now")
                .isPresent();

        pendingWrites.forEach(Runnable::run);
        assertThat(response.isCommitted()).isTrue();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentType()).startsWith("text/event-stream");
        assertThat(response.getContentAsString()).startsWith("retry: 2000\n").contains("id: ");
    }

    @Test
    void theLoserOfARaceForTheLastPlaceIsRefusedWith503NotAnEmpty200() throws Exception {
        // another agent's stream opens between this request's look and its open, as on another
        // thread: here from inside startAsync, which the filter calls between the two
        MockHttpServletResponse response = new MockHttpServletResponse();
        StreamRequest request = new StreamRequest(identity("late"), response, () -> streams.open(
                identity("other"), null, "2025-11-25", new ToolListStreams.Sink() {
                    @Override
                    public boolean send(String frame) {
                        return true;
                    }

                    @Override
                    public void close() {
                    }
                }));

        filter.doFilter(request, response, new MockFilterChain());
        pendingWrites.forEach(Runnable::run);

        assertThat(response.getStatus()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("30");
        assertThat(response.getContentAsString()).contains("\"jsonrpc\"").contains(
                "tollgate.ingress.streams.max");
        assertThat(streams.open()).as("only the other agent's").isEqualTo(1);
        assertThat(request.getAsyncContext()).isNotNull();
        assertThat(refusals.drain()).singleElement().satisfies(tally -> {
            assertThat(tally.key().reason()).isEqualTo("streams_unavailable");
            assertThat(tally.key().agent()).isEqualTo("late");
        });
    }
}
