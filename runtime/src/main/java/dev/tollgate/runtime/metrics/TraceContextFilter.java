package dev.tollgate.runtime.metrics;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts the caller's W3C {@code traceparent} into the logging MDC (key {@code traceparent}) for the
 * duration of an HTTP request, so JSON log lines of that request carry it. Only a well-formed
 * value is taken: a header never puts arbitrary text into the logs.
 */
public final class TraceContextFilter extends OncePerRequestFilter {

    public static final String MDC_TRACEPARENT = "traceparent";
    private static final Pattern TRACEPARENT = Pattern.compile(
            "[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
            FilterChain chain) throws ServletException, IOException {
        String traceparent = request.getHeader("traceparent");
        if (traceparent == null || !TRACEPARENT.matcher(traceparent).matches()) {
            chain.doFilter(request, response);
            return;
        }
        MDC.put(MDC_TRACEPARENT, traceparent);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove(MDC_TRACEPARENT);
        }
    }
}
