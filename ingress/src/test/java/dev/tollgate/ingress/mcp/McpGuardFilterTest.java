package dev.tollgate.ingress.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class McpGuardFilterTest {

    @Test
    void messagesWithJavaInternalsAreNotShownToAgents() {
        assertThat(McpGuardFilter.isSafe("Session not found: abc")).isTrue();
        assertThat(McpGuardFilter.isSafe("java.lang.IllegalStateException: x")).isFalse();
        assertThat(McpGuardFilter.isSafe("Invalid message format: Cannot deserialize value of "
                + "type `io.modelcontextprotocol.spec.McpSchema`")).isFalse();
        assertThat(McpGuardFilter.isSafe("x\n\tat dev.tollgate.Foo.bar(Foo.java:1)")).isFalse();
        assertThat(McpGuardFilter.isSafe(null)).isFalse();
    }

    @Test
    void bodiesAreReadUpToTheLimitOnly() throws Exception {
        assertThat(dev.tollgate.ingress.core.http.BoundedBody
                .readAtMost(new ByteArrayInputStream(new byte[10]), 10))
                .hasSize(10);
        assertThat(dev.tollgate.ingress.core.http.BoundedBody
                .readAtMost(new ByteArrayInputStream(new byte[11]), 10))
                .isNull();
    }

    @Test
    void traceContextIsContinuedWhenValid() {
        String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        assertThat(Traceparent.childOf(parent)).startsWith(
                "00-0af7651916cd43dd8448eb211c80319c-").doesNotContain("b7ad6b7169203331");
        assertThat(Traceparent.childOf("garbage")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(Traceparent.isValid("00-" + "0".repeat(32) + "-b7ad6b7169203331-01"))
                .isFalse();
    }
}
