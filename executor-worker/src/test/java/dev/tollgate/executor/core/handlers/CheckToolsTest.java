package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.HarnessTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CheckToolsTest extends HarnessTest {

    private static final String RUN = "{\"owner\":\"octo\",\"repo\":\"hello\",\"name\":\"review\","
            + "\"head_sha\":\"0123456789abcdef0123456789abcdef01234567\",\"status\":\"completed\","
            + "\"conclusion\":\"success\",\"summary\":\"ok\"}";

    @Test
    void createCheckRunNamesTheRequestAsItsExternalId() {
        JsonNode check = result(run(harness.decisionFor("check-1", "create_check_run", RUN)));

        assertThat(check.path("conclusion").asString()).isEqualTo("success");
        assertThat(hello.checkRuns).singleElement().satisfies(run -> assertThat(run.path(
                "external_id").asString()).isEqualTo("check-1"));
    }

    @Test
    void aRedeliveredCheckRunIsFoundByItsExternalIdInsteadOfCreatedAgain() {
        result(run(harness.decisionFor("check-2", "create_check_run", RUN)));

        JsonNode again = result(harness.executor().execute(harness.decisionFor("check-2",
                "create_check_run", RUN)));

        assertThat(again.path("deduplicated").asBoolean()).isTrue();
        assertThat(hello.checkRuns).hasSize(1);
    }

    @Test
    void listCheckRunsGivesEachChecksNameStatusConclusionAndTitle() {
        result(run(harness.decisionFor("check-3", "create_check_run", RUN)));

        JsonNode runs = result(run(harness.decision("list_check_runs",
                "{\"owner\":\"octo\",\"repo\":\"hello\","
                        + "\"ref\":\"0123456789abcdef0123456789abcdef01234567\"}")));

        assertThat(runs.path("total_count").asLong()).isEqualTo(1);
        assertThat(runs.path("check_runs")).singleElement().satisfies(check -> {
            assertThat(check.path("name").asString()).isEqualTo("review");
            assertThat(check.path("conclusion").asString()).isEqualTo("success");
        });
        assertThat(github.requests("GET",
                "/repos/octo/hello/commits/0123456789abcdef0123456789abcdef01234567/check-runs"
                        + "?filter=latest"))
                .singleElement().satisfies(request -> assertThat(request.path()).endsWith(
                        "?filter=latest&per_page=30&page=1"));
    }

    @Test
    void listCheckRunsOnAnUnknownRefGivesNone() {
        JsonNode runs = result(run(harness.decision("list_check_runs",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"ref\":\"agent-x\"}")));

        assertThat(runs.path("total_count").asLong()).isZero();
        assertThat(runs.path("check_runs").isEmpty()).isTrue();
    }
}
