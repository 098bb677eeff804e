package dev.tollgate.executor.core.handlers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.events.CallStatus;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.ToolCallCompleted;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.HarnessTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ContentsToolsTest extends HarnessTest {

    @Test
    void getFileReturnsDecodedContentWithATokenForContentsReadOnThatRepositoryOnly() {
        hello.files.put("src/main.c", "int main() { return 0; }\n");

        JsonNode file = result(run(harness.decision("get_file",
                "{\"owner\":\"octo\",\"repo\":\"hello\",\"path\":\"src/main.c\"}")));

        assertThat(file.path("content").asString()).isEqualTo("int main() { return 0; }\n");
        assertThat(file.path("path").asString()).isEqualTo("src/main.c");
        assertThat(github.mints()).singleElement().satisfies(mint -> {
            assertThat(mint.repositories()).containsExactly("hello");
            assertThat(mint.permissions()).isEqualTo(Map.of("contents", "read"));
        });
        GitHubStandIn.Received get = github.requests("GET", "/repos/octo/hello/contents").get(0);
        assertThat(get.headers()).containsEntry("Accept", "application/vnd.github+json")
                .containsEntry("X-GitHub-Api-Version", "2022-11-28").containsKey("User-Agent");
    }

    @Test
    void readRepoReturnsTrimmedMetadataAndTheTopLevelListing() {
        hello.files.put("README.md", "hi");

        JsonNode repo = result(run(harness.decision("read_repo",
                "{\"owner\":\"octo\",\"repo\":\"hello\"}")));

        assertThat(repo.path("full_name").asString()).isEqualTo("octo/hello");
        assertThat(repo.path("default_branch").asString()).isEqualTo("main");
        assertThat(repo.has("node_id")).isFalse();
        assertThat(repo.path("entries").get(0).path("name").asString()).isEqualTo("README.md");
        assertThat(repo.path("entries").get(0).has("_links")).isFalse();
    }
}
