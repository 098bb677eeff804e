package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MarkersTest {

    @Test
    void aBodyWithItsOwnerEndsWithTheRequestAndThenTheAgent() {
        String body = Markers.withOwner("Looks good", "req-1", "agent-7");

        assertThat(body).isEqualTo("Looks good\n\n<!-- tollgate-request-id: req-1 -->\n"
                + "<!-- tollgate-agent: agent-7 -->");
        assertThat(Markers.carries(body, "req-1")).isTrue();
        assertThat(Markers.owner(body)).contains("agent-7");
        assertThat(Markers.trailingMarkers(body)).contains("<!-- tollgate-request-id: req-1 -->\n"
                + "<!-- tollgate-agent: agent-7 -->");
        assertThat(Markers.owner(Markers.withOwner(null, "req-2", "a"))).contains("a");
    }

    @Test
    void onlyTheLastLineNamesTheOwner() {
        String forged = Markers.withOwner("<!-- tollgate-agent: agent-7 -->", "req-1", "agent-8");

        assertThat(Markers.owner(forged)).contains("agent-8");
        assertThat(Markers.owner("text\n<!-- tollgate-agent: agent-7 -->\nmore text")).isEmpty();
        assertThat(Markers.owner(Markers.withMarker("old review", "req-1"))).as(
                "written before bodies carried their agent").isEmpty();
        assertThat(Markers.owner("<!-- tollgate-agent: bad name! -->")).isEmpty();
        assertThat(Markers.owner(null)).isEmpty();
        assertThat(Markers.owner("x\n<!-- tollgate-agent: agent-7 -->\n\n  ")).as(
                "trailing blank lines as GitHub may keep them").contains("agent-7");
    }

    @Test
    void trailingMarkersNeedTheRequestLineBeforeTheAgents() {
        assertThat(Markers.trailingMarkers("<!-- tollgate-agent: a -->")).isEmpty();
        assertThat(Markers.trailingMarkers("text\n<!-- tollgate-agent: a -->")).isEmpty();
        assertThat(Markers.trailingMarkers("<!-- tollgate-request-id: r -->\n"
                + "<!-- tollgate-agent: a -->")).contains("<!-- tollgate-request-id: r -->\n"
                        + "<!-- tollgate-agent: a -->");
    }

    @Test
    void aWorkloadIdentitysAgentWithColonsAndSlashesIsItsOwnOwner() {
        String body = Markers.withOwner("done", "req-3", "gha:octo/app");

        assertThat(Markers.owner(body)).contains("gha:octo/app");
        assertThat(Markers.owner(Markers.withOwner("done", "req-4", "k8s:system:runner")))
                .contains("k8s:system:runner");
    }

    @Test
    void anAgentIdThatCouldBreakOutOfTheCommentIsRefused() {
        assertThatThrownBy(() -> Markers.agent("a --> <img>")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> Markers.agent(null)).isInstanceOf(
                IllegalArgumentException.class);
    }
}
