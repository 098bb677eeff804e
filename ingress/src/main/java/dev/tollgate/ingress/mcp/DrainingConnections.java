package dev.tollgate.ingress.mcp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While the replica drains, every answer (of every endpoint) carries {@code Connection: close},
 * so a client or proxy opens its next connection elsewhere instead of reusing this one.
 */
final class DrainingConnections extends OncePerRequestFilter {

    private final BooleanSupplier draining;

    DrainingConnections(BooleanSupplier draining) {
        this.draining = draining;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
            FilterChain chain) throws ServletException, IOException {
        if (draining.getAsBoolean()) {
            response.setHeader("Connection", "close");
        }
        chain.doFilter(request, response);
    }
}
