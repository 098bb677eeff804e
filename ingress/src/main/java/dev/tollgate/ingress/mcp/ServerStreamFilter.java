package dev.tollgate.ingress.mcp;

import dev.tollgate.ingress.core.refusals.RefusalCounter;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code GET /mcp} with {@code Accept: text/event-stream}, after {@link McpGuardFilter} has let it
 * through (Host and Origin, the token, the rate limit, the protocol version): opens a
 * {@link ToolListStreams} stream for the caller. Every other request goes on to the transport
 * (which answers any other GET with 405, as MCP asks of a server with no stream to offer).
 */
final class ServerStreamFilter extends OncePerRequestFilter {

    private final ToolListStreams streams;
    private final RefusalCounter refusals;

    /** @param refusals where a stream refused is counted for the audit */
    ServerStreamFilter(ToolListStreams streams, RefusalCounter refusals) {
        this.streams = streams;
        this.refusals = refusals;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
            FilterChain chain) throws ServletException, IOException {
        if (!"GET".equalsIgnoreCase(request.getMethod()) || !acceptsEventStream(request)
                || !(request
                        .getAttribute(McpGuardFilter.IDENTITY) instanceof AgentIdentity identity)) {
            chain.doFilter(request, response);
            return;
        }
        Optional<String> refusal = streams.refusal(identity);
        if (refusal.isPresent()) {
            refuse(request, response, identity, refusal.get());
            return;
        }
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no"); // nginx: pass each event on at once
        AsyncContext async = request.startAsync();
        async.setTimeout(streams.responseTimeout().toMillis());
        AtomicReference<ToolListStreams.Stream> opened = new AtomicReference<>();
        async.addListener(new AsyncListener() {

            @Override
            public void onComplete(AsyncEvent event) {
                ended();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                ended();
                event.getAsyncContext().complete();
            }

            @Override
            public void onError(AsyncEvent event) {
                ended();
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }

            private void ended() {
                ToolListStreams.Stream stream = opened.get();
                if (stream != null) {
                    stream.ended();
                }
            }
        });
        // Nothing is sent before the stream is counted: its first frame, written once it is open,
        // carries the headers. (Flushing them first let another request pass the look above
        // while this stream was not yet counted; the open, atomic, refused one of the two, which
        // had already been sent 200 and so got an empty body instead of 503.)
        ToolListStreams.Stream stream = streams.open(identity, request.getHeader("Last-Event-ID"),
                request.getHeader("MCP-Protocol-Version"), new Sink(async));
        if (stream == null) { // another open took the last place since the look above
            response.reset();
            refuse(request, response, identity, streams.refusal(identity).orElse(
                    ToolListStreams.FULL));
            async.complete();
        } else {
            opened.set(stream);
        }
    }

    /** 503 with Retry-After and the reason, counted for the audit; nothing was sent before. */
    private void refuse(HttpServletRequest request, HttpServletResponse response,
            AgentIdentity identity, String reason) throws IOException {
        refusals.refused(RefusalCounter.MCP, "streams_unavailable", request.getRemoteAddr(),
                identity.agentId(), identity.environment(), reason);
        // past the guard's wrapper, which takes an error status for the transport's own
        HttpServletResponse raw = response instanceof SanitizingResponse sanitizing
                ? (HttpServletResponse) sanitizing.getResponse()
                : response;
        raw.setHeader("Retry-After", "30");
        McpGuardFilter.writeError(raw, 503, McpGuardFilter.REFUSED, null, reason);
    }

    private static boolean acceptsEventStream(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains(
                "text/event-stream");
    }

    /** A response kept open; written under its stream's lock, one frame at a time. */
    private record Sink(AsyncContext async) implements ToolListStreams.Sink {

        @Override
        public boolean send(String frame) {
            try {
                var out = async.getResponse().getOutputStream();
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException | IllegalStateException e) {
                return false; // the client went away, or the response already ended
            }
        }

        @Override
        public void close() {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // already completed (timed out, failed)
            }
        }
    }
}
