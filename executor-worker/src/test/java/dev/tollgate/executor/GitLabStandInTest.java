package dev.tollgate.executor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The GitLab stand-in through real HTTP on loopback: its answers and what it recorded. */
class GitLabStandInTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:20Z");
    private static final String WRITER = "writer-token";
    private static final String READER = "reader-token";
    private static final String PROJECT = "/projects/group%2Fsub%2Fhello";

    private final GitLabStandIn gitlab = GitLabStandIn.start(Clock.fixed(NOW, ZoneOffset.UTC));
    private final GitLabStandIn.Project project = gitlab.project("group/sub/hello").file("main",
            "docs/guide.md", "# Guide\n").file("main", "src/app.txt", "v1\n");
    private final HttpClient http = HttpClient.newHttpClient();

    GitLabStandInTest() {
        gitlab.token(WRITER, "api");
        gitlab.token(READER, "read_api");
    }

    @AfterEach
    void stop() {
        gitlab.close();
        http.close();
    }

    @Test
    void servesANestedProjectByEncodedFullPathOrIdWithGitLabFieldNames() throws Exception {
        HttpResponse<String> byPath = get(PROJECT, READER);
        HttpResponse<String> byId = get("/projects/" + project.id(), READER);
        HttpResponse<String> otherCase = get("/projects/Group%2FSub%2FHello", READER);
        HttpResponse<String> absent = get("/projects/group%2Fnope", READER);
        HttpResponse<String> rawSlash = get("/projects/group/sub/hello", READER);

        assertThat(gitlab.apiUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+/api/v4");
        assertThat(byPath.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(byPath.body());
        assertThat(body.path("id").asLong()).isEqualTo(project.id());
        assertThat(body.path("path_with_namespace").asString()).isEqualTo("group/sub/hello");
        assertThat(body.path("default_branch").asString()).isEqualTo("main");
        assertThat(body.path("visibility").asString()).isEqualTo("private");
        assertThat(body.path("archived").asBoolean()).isFalse();
        assertThat(body.path("web_url").asString()).isEqualTo(gitlab.apiUrl().resolve("/")
                + "group/sub/hello");
        assertThat(body.path("namespace").path("full_path").asString()).isEqualTo("group/sub");
        assertThat(body.has("forked_from_project")).isFalse();
        assertThat(JSON.readTree(byId.body()).path("path_with_namespace").asString()).isEqualTo(
                "group/sub/hello");
        assertThat(otherCase.statusCode()).isEqualTo(200);
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(absent.body()).isEqualTo("{\"message\":\"404 Project Not Found\"}");
        assertThat(rawSlash.statusCode()).isEqualTo(404);
        assertThat(rawSlash.body()).isEqualTo("{\"error\":\"404 Not Found\"}");
    }

    @Test
    void showsTheUpstreamOfAFork() throws Exception {
        gitlab.project("tollgate/hello").forkOf("group/sub/hello");

        JsonNode fork = JSON.readTree(get("/projects/tollgate%2Fhello", READER).body());

        assertThat(fork.path("forked_from_project").path("path_with_namespace").asString())
                .isEqualTo("group/sub/hello");
        assertThat(fork.path("forked_from_project").path("id").asLong()).isEqualTo(project
                .id());
    }

    @Test
    void acceptsPrivateTokenAndBearerAlike() throws Exception {
        HttpResponse<String> privateToken = call("GET", PROJECT, Map.of("PRIVATE-TOKEN",
                READER), null);
        HttpResponse<String> bearer = call("GET", PROJECT, Map.of("Authorization", "Bearer "
                + READER), null);

        assertThat(privateToken.statusCode()).isEqualTo(200);
        assertThat(bearer.statusCode()).isEqualTo(200);
    }

    @Test
    void refusesUnknownTokensWith401AndHidesPrivateProjectsFromAnonymousCallers()
            throws Exception {
        HttpResponse<String> unknown = get(PROJECT, "nope");
        HttpResponse<String> anonymous = call("GET", PROJECT, Map.of(), null);
        HttpResponse<String> anonymousUser = call("GET", "/user", Map.of(), null);
        HttpResponse<String> anonymousWrite = call("POST", PROJECT + "/merge_requests",
                Map.of(), "{}");

        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(unknown.body()).isEqualTo("{\"message\":\"401 Unauthorized\"}");
        assertThat(anonymous.statusCode()).as("GitLab hides private projects").isEqualTo(404);
        assertThat(anonymous.body()).isEqualTo("{\"message\":\"404 Project Not Found\"}");
        assertThat(anonymousUser.statusCode()).isEqualTo(401);
        assertThat(anonymousWrite.statusCode()).isEqualTo(401);
    }

    @Test
    void refusesATokenWhoseScopesDoNotCoverTheRouteWith403InsufficientScope()
            throws Exception {
        gitlab.token("repo-read", "read_repository");
        gitlab.token("repo-write", "write_repository");

        HttpResponse<String> write = post(PROJECT + "/repository/commits", READER, commit("main",
                null, action("create", "a.txt", "a")));
        HttpResponse<String> filesByReadRepository = get(PROJECT
                + "/repository/files/docs%2Fguide.md?ref=main", "repo-read");
        HttpResponse<String> projectByReadRepository = get(PROJECT, "repo-read");
        HttpResponse<String> writeByWriteRepository = post(PROJECT + "/repository/commits",
                "repo-write", commit("main", null, action("create", "a.txt", "a")));
        HttpResponse<String> absentProject = post("/projects/group%2Fnope/repository/commits",
                READER, "{}");

        assertThat(write.statusCode()).isEqualTo(403);
        JsonNode refusal = JSON.readTree(write.body());
        assertThat(refusal.path("error").asString()).isEqualTo("insufficient_scope");
        assertThat(refusal.path("error_description").asString()).isEqualTo(
                "The request requires higher privileges than provided by the access token.");
        assertThat(refusal.path("scope").asString()).isEqualTo("api read_api");
        assertThat(filesByReadRepository.statusCode()).isEqualTo(200);
        assertThat(projectByReadRepository.statusCode()).isEqualTo(403);
        assertThat(writeByWriteRepository.statusCode()).as("write_repository is Git over HTTP")
                .isEqualTo(403);
        assertThat(absentProject.statusCode()).as("scopes are checked before the project")
                .isEqualTo(403);
        assertThat(project.messages("main")).hasSize(3);
    }

    @Test
    void servesAFileAsBase64WithBlobIdLastCommitAndGitLabHeaders() throws Exception {
        project.file("main", "README.md", "hello\n");

        HttpResponse<String> response = get(PROJECT + "/repository/files/docs%2Fguide.md?ref=main",
                READER);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode file = JSON.readTree(response.body());
        assertThat(file.path("file_name").asString()).isEqualTo("guide.md");
        assertThat(file.path("file_path").asString()).isEqualTo("docs/guide.md");
        assertThat(file.path("size").asInt()).isEqualTo(8);
        assertThat(file.path("encoding").asString()).isEqualTo("base64");
        assertThat(decode(file.path("content").asString())).isEqualTo("# Guide\n");
        assertThat(file.path("ref").asString()).isEqualTo("main");
        assertThat(file.path("blob_id").asString()).isEqualTo(GitLabStandIn.blobSha("# Guide\n"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(file.path("content_sha256").asString()).hasSize(64);
        assertThat(file.path("commit_id").asString()).isEqualTo(project.head("main")
                .orElseThrow());
        assertThat(file.path("last_commit_id").asString()).as("the commit that added it")
                .isNotEqualTo(file.path("commit_id").asString());
        assertThat(response.headers().firstValue("X-Gitlab-File-Path")).hasValue(
                "docs/guide.md");
        assertThat(response.headers().firstValue("X-Gitlab-Last-Commit-Id")).hasValue(file
                .path("last_commit_id").asString());
    }

    @Test
    void answersFileMistakesAsGitLabDoes() throws Exception {
        HttpResponse<String> noRef = get(PROJECT + "/repository/files/docs%2Fguide.md", READER);
        HttpResponse<String> absent = get(PROJECT + "/repository/files/nope.txt?ref=main",
                READER);
        HttpResponse<String> unknownRef = get(PROJECT
                + "/repository/files/docs%2Fguide.md?ref=nope", READER);

        assertThat(noRef.statusCode()).isEqualTo(400);
        assertThat(noRef.body()).isEqualTo("{\"error\":\"ref is missing\"}");
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(absent.body()).isEqualTo("{\"message\":\"404 File Not Found\"}");
        assertThat(unknownRef.statusCode()).isEqualTo(404);
        assertThat(unknownRef.body()).isEqualTo("{\"message\":\"404 Commit Not Found\"}");
    }

    @Test
    void servesABranchWithItsHeadCommitProtectionAndDefault() throws Exception {
        project.branch("feature/x", "main").protect("main");

        JsonNode main = JSON.readTree(get(PROJECT + "/repository/branches/main", READER).body());
        JsonNode feature = JSON.readTree(get(PROJECT + "/repository/branches/feature%2Fx", READER)
                .body());
        HttpResponse<String> absent = get(PROJECT + "/repository/branches/nope", READER);

        assertThat(main.path("name").asString()).isEqualTo("main");
        assertThat(main.path("commit").path("id").asString()).isEqualTo(project.head("main")
                .orElseThrow());
        assertThat(main.path("commit").path("title").asString()).isEqualTo("Add src/app.txt");
        assertThat(main.path("commit").path("message").asString()).isEqualTo("Add src/app.txt");
        assertThat(main.path("protected").asBoolean()).isTrue();
        assertThat(main.path("default").asBoolean()).isTrue();
        assertThat(feature.path("protected").asBoolean()).isFalse();
        assertThat(feature.path("default").asBoolean()).isFalse();
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(absent.body()).isEqualTo("{\"message\":\"404 Branch Not Found\"}");
    }

    @Test
    void listsCommitsNewestFirstWithoutCountingThem() throws Exception {
        HttpResponse<String> first = get(PROJECT + "/repository/commits?ref_name=main&per_page=2",
                READER);
        HttpResponse<String> last = get(PROJECT
                + "/repository/commits?ref_name=main&per_page=2&page=2", READER);

        JsonNode commits = JSON.readTree(first.body());
        assertThat(commits).hasSize(2);
        assertThat(commits.get(0).path("id").asString()).isEqualTo(project.head("main")
                .orElseThrow());
        assertThat(commits.get(0).path("title").asString()).isEqualTo("Add src/app.txt");
        assertThat(commits.get(0).path("short_id").asString()).hasSize(8);
        assertThat(first.headers().firstValue("X-Next-Page")).hasValue("2");
        assertThat(first.headers().firstValue("X-Total")).as("GitLab does not count commits")
                .isEmpty();
        assertThat(first.headers().firstValue("Link").orElseThrow()).isEqualTo("<" + gitlab
                .apiUrl() + PROJECT
                + "/repository/commits?id=group%2Fsub%2Fhello&page=2&per_page=2&ref_name=main>;"
                + " rel=\"next\", <" + gitlab.apiUrl() + PROJECT
                + "/repository/commits?id=group%2Fsub%2Fhello&page=1&per_page=2&ref_name=main>;"
                + " rel=\"first\"");
        assertThat(JSON.readTree(last.body()).get(0).path("message").asString()).isEqualTo(
                "Initial commit");
        assertThat(last.headers().firstValue("X-Next-Page")).hasValue("");
    }

    @Test
    void commitsEveryActionAsOneCommitOnABranchCreatedFromStartBranch() throws Exception {
        ObjectNode base64 = action("create", "bin/data", null).put("content", encode("bytes"))
                .put("encoding", "base64");
        String body = commit("topic", "main", action("create", "new.txt", "new\n"), action(
                "update", "src/app.txt", "v2\n"), action("delete", "README.md", null),
                action(
                        "move", "docs/moved.md", null).put("previous_path", "docs/guide.md"),
                base64);

        HttpResponse<String> response = post(PROJECT + "/repository/commits", WRITER, body);

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode commit = JSON.readTree(response.body());
        assertThat(commit.path("id").asString()).isEqualTo(project.head("topic").orElseThrow());
        assertThat(commit.path("title").asString()).isEqualTo("Edit files");
        assertThat(commit.path("message").asString()).isEqualTo("Edit files\n\nin one commit");
        assertThat(commit.path("author_name").asString()).isEqualTo("tollgate");
        assertThat(commit.path("web_url").asString()).endsWith("/group/sub/hello/-/commit/"
                + commit.path("id").asString());
        assertThat(project.messages("topic")).containsExactly("Edit files\n\nin one commit",
                "Add src/app.txt", "Add docs/guide.md", "Initial commit");
        assertThat(project.text("topic", "new.txt")).hasValue("new\n");
        assertThat(project.text("topic", "src/app.txt")).hasValue("v2\n");
        assertThat(project.text("topic", "README.md")).isEmpty();
        assertThat(project.text("topic", "docs/moved.md")).hasValue("# Guide\n");
        assertThat(project.text("topic", "bin/data")).hasValue("bytes");
        assertThat(project.text("main", "src/app.txt")).hasValue("v1\n");
    }

    @Test
    void refusesCreatingAnExistingFileAndChangingAMissingOneWith400() throws Exception {
        HttpResponse<String> exists = post(PROJECT + "/repository/commits", WRITER, commit("main",
                null, action("create", "src/app.txt", "x")));
        HttpResponse<String> missing = post(PROJECT + "/repository/commits", WRITER, commit(
                "main", null, action("update", "nope.txt", "x")));
        HttpResponse<String> deleteMissing = post(PROJECT + "/repository/commits", WRITER,
                commit("main", null, action("delete", "nope.txt", null)));

        assertThat(exists.statusCode()).isEqualTo(400);
        assertThat(exists.body()).isEqualTo(
                "{\"message\":\"A file with this name already exists\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).isEqualTo(
                "{\"message\":\"A file with this name doesn't exist\"}");
        assertThat(deleteMissing.statusCode()).isEqualTo(400);
        assertThat(project.messages("main")).hasSize(3);
    }

    @Test
    void refusesAStaleLastCommitIdAndAcceptsTheCurrentOne() throws Exception {
        String current = JSON.readTree(get(PROJECT
                + "/repository/files/src%2Fapp.txt?ref=main", READER).body()).path(
                        "last_commit_id")
                .asString();

        HttpResponse<String> stale = post(PROJECT + "/repository/commits", WRITER, commit("main",
                null, action("update", "src/app.txt", "x").put("last_commit_id",
                        "0000000000000000000000000000000000000000")));
        HttpResponse<String> fresh = post(PROJECT + "/repository/commits", WRITER, commit("main",
                null, action("update", "src/app.txt", "x").put("last_commit_id", current)));

        assertThat(stale.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(stale.body()).path("message").asString()).isEqualTo(
                "The file has changed since you started editing it: src/app.txt");
        assertThat(fresh.statusCode()).isEqualTo(201);
        assertThat(project.text("main", "src/app.txt")).hasValue("x");
    }

    @Test
    void refusesAPushToAProtectedBranchWith403ButNotABranchFromIt() throws Exception {
        project.protect("main");

        HttpResponse<String> direct = post(PROJECT + "/repository/commits", WRITER, commit("main",
                null, action("create", "a.txt", "a")));
        HttpResponse<String> branched = post(PROJECT + "/repository/commits", WRITER, commit(
                "topic", "main", action("create", "a.txt", "a")));

        assertThat(direct.statusCode()).isEqualTo(403);
        assertThat(direct.body()).isEqualTo(
                "{\"message\":\"403 Forbidden - You are not allowed to push into this branch\"}");
        assertThat(branched.statusCode()).isEqualTo(201);
        assertThat(project.text("main", "a.txt")).isEmpty();
        assertThat(project.text("topic", "a.txt")).hasValue("a");
    }

    @Test
    void refusesAMissingStartBranchAnExistingTargetAndMalformedRequestsWith400()
            throws Exception {
        project.branch("topic", "main");

        HttpResponse<String> newWithoutStart = post(PROJECT + "/repository/commits", WRITER,
                commit("fresh", null, action("create", "a.txt", "a")));
        HttpResponse<String> absentStart = post(PROJECT + "/repository/commits", WRITER, commit(
                "fresh", "nope", action("create", "a.txt", "a")));
        HttpResponse<String> existing = post(PROJECT + "/repository/commits", WRITER, commit(
                "topic", "main", action("create", "a.txt", "a")));
        HttpResponse<String> noMessage = post(PROJECT + "/repository/commits", WRITER,
                "{\"branch\":\"main\",\"actions\":[{\"action\":\"create\",\"file_path\":\"a\"}]}");
        HttpResponse<String> badAction = post(PROJECT + "/repository/commits", WRITER, commit(
                "main", null, action("rename", "a.txt", "a")));

        assertThat(newWithoutStart.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(newWithoutStart.body()).path("message").asString()).isEqualTo(
                "You can only create or edit files when you are on a branch");
        assertThat(absentStart.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(existing.body()).path("message").asString()).isEqualTo(
                "A branch called 'topic' already exists. Switch to that branch in order to"
                        + " make changes");
        assertThat(JSON.readTree(noMessage.body()).path("message").asString()).isEqualTo(
                "400 Bad request - commit_message is required");
        assertThat(JSON.readTree(badAction.body()).path("message").asString()).isEqualTo(
                "400 Bad request - actions[0][action] must be one of: create, update, move,"
                        + " delete, chmod");
        assertThat(project.head("fresh")).isEmpty();
    }

    @Test
    void createsMergeRequestsAndMarksDraftTitles() throws Exception {
        project.branch("a", "main").branch("b", "main").branch("c", "main").branch("d", "main");

        HttpResponse<String> created = post(PROJECT + "/merge_requests", WRITER, mergeRequest(
                "Draft: later", "a", "main"));
        JsonNode bracketed = JSON.readTree(post(PROJECT + "/merge_requests", WRITER,
                mergeRequest("[draft] later", "b", "main")).body());
        JsonNode parenthesised = JSON.readTree(post(PROJECT + "/merge_requests", WRITER,
                mergeRequest("(Draft) later", "c", "main")).body());
        JsonNode ready = JSON.readTree(post(PROJECT + "/merge_requests", WRITER, mergeRequest(
                "Drafting the plan", "d", "main")).body());

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode mr = JSON.readTree(created.body());
        assertThat(mr.path("iid").asInt()).isEqualTo(1);
        assertThat(mr.path("title").asString()).isEqualTo("Draft: later");
        assertThat(mr.path("description").asString()).isEqualTo("body");
        assertThat(mr.path("state").asString()).isEqualTo("opened");
        assertThat(mr.path("draft").asBoolean()).isTrue();
        assertThat(mr.path("work_in_progress").asBoolean()).isTrue();
        assertThat(mr.path("source_branch").asString()).isEqualTo("a");
        assertThat(mr.path("target_branch").asString()).isEqualTo("main");
        assertThat(mr.path("sha").asString()).isEqualTo(project.head("a").orElseThrow());
        assertThat(mr.path("author").path("username").asString()).isEqualTo("tollgate");
        assertThat(mr.path("web_url").asString()).endsWith("/group/sub/hello/-/merge_requests/1");
        assertThat(bracketed.path("draft").asBoolean()).isTrue();
        assertThat(parenthesised.path("draft").asBoolean()).isTrue();
        assertThat(ready.path("draft").asBoolean()).isFalse();
    }

    @Test
    void refusesASecondOpenMergeRequestWith409AndAbsentOrEqualBranchesWith422()
            throws Exception {
        project.branch("a", "main").mergeRequest("First", "a", "main", "");
        project.branch("other", "main");

        HttpResponse<String> again = post(PROJECT + "/merge_requests", WRITER, mergeRequest("t",
                "a", "main"));
        HttpResponse<String> otherTarget = post(PROJECT + "/merge_requests", WRITER,
                mergeRequest("t", "a", "other"));
        HttpResponse<String> absent = post(PROJECT + "/merge_requests", WRITER, mergeRequest("t",
                "nope", "main"));
        HttpResponse<String> same = post(PROJECT + "/merge_requests", WRITER, mergeRequest("t",
                "main", "main"));
        HttpResponse<String> untitled = post(PROJECT + "/merge_requests", WRITER,
                "{\"source_branch\":\"a\",\"target_branch\":\"main\"}");

        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).isEqualTo("{\"message\":[\"Another open merge request already"
                + " exists for this source branch: !1\"]}");
        assertThat(otherTarget.statusCode()).as("GitLab compares source and target")
                .isEqualTo(201);
        assertThat(absent.statusCode()).isEqualTo(422);
        assertThat(absent.body()).isEqualTo(
                "{\"message\":[\"Source branch \\\"nope\\\" does not exist\"]}");
        assertThat(same.statusCode()).isEqualTo(422);
        assertThat(untitled.statusCode()).isEqualTo(400);
        assertThat(untitled.body()).isEqualTo("{\"error\":\"title is missing\"}");
    }

    @Test
    void listsMergeRequestsByStateAndSourceBranchWithPaginationHeaders() throws Exception {
        project.branch("a", "main").branch("b", "main").branch("c", "main");
        project.mergeRequest("A", "a", "main", "");
        project.mergeRequest("B", "b", "main", "");
        project.closeMergeRequest(project.mergeRequest("C", "c", "main", ""));

        HttpResponse<String> opened = get(PROJECT + "/merge_requests?state=opened&per_page=1",
                READER);
        JsonNode closed = JSON.readTree(get(PROJECT + "/merge_requests?state=closed", READER)
                .body());
        JsonNode all = JSON.readTree(get(PROJECT + "/merge_requests", READER).body());
        JsonNode bySource = JSON.readTree(get(PROJECT + "/merge_requests?source_branch=a",
                READER).body());
        JsonNode one = JSON.readTree(get(PROJECT + "/merge_requests/2", READER).body());
        HttpResponse<String> absent = get(PROJECT + "/merge_requests/9", READER);

        assertThat(JSON.readTree(opened.body())).singleElement().satisfies(mr -> assertThat(mr
                .path("iid").asInt()).isEqualTo(2));
        assertThat(opened.headers().firstValue("X-Total")).hasValue("2");
        assertThat(opened.headers().firstValue("X-Total-Pages")).hasValue("2");
        assertThat(opened.headers().firstValue("X-Page")).hasValue("1");
        assertThat(opened.headers().firstValue("X-Per-Page")).hasValue("1");
        assertThat(opened.headers().firstValue("X-Next-Page")).hasValue("2");
        assertThat(opened.headers().firstValue("X-Prev-Page")).hasValue("");
        String list = gitlab.apiUrl() + PROJECT + "/merge_requests?id=group%2Fsub%2Fhello";
        assertThat(opened.headers().firstValue("Link")).hasValue("<" + list
                + "&page=2&per_page=1&state=opened>; rel=\"next\", <" + list
                + "&page=1&per_page=1&state=opened>; rel=\"first\", <" + list
                + "&page=2&per_page=1&state=opened>; rel=\"last\"");
        assertThat(closed).singleElement().satisfies(mr -> assertThat(mr.path("state")
                .asString()).isEqualTo("closed"));
        assertThat(all).as("GitLab lists all states by default").hasSize(3);
        assertThat(bySource).singleElement().satisfies(mr -> assertThat(mr.path("title")
                .asString()).isEqualTo("A"));
        assertThat(one.path("title").asString()).isEqualTo("B");
        assertThat(one.path("author").path("username").asString()).isEqualTo("maintainer");
        assertThat(absent.statusCode()).isEqualTo(404);
    }

    @Test
    void capsPerPageAt100AndDefaultsItTo20() throws Exception {
        HttpResponse<String> big = get(PROJECT + "/issues?per_page=500", READER);
        HttpResponse<String> plain = get(PROJECT + "/issues", READER);

        assertThat(big.headers().firstValue("X-Per-Page")).hasValue("100");
        assertThat(plain.headers().firstValue("X-Per-Page")).hasValue("20");
        assertThat(plain.headers().firstValue("X-Total")).hasValue("0");
    }

    @Test
    void approvesOnceAndRefusesASecondApprovalAndTheAuthorsOwnWith401() throws Exception {
        int theirs = project.branch("a", "main").mergeRequest("Theirs", "a", "main", "");
        project.branch("b", "main");
        int ours = JSON.readTree(post(PROJECT + "/merge_requests", WRITER, mergeRequest("Ours",
                "b", "main")).body()).path("iid").asInt();

        HttpResponse<String> approved = post(PROJECT + "/merge_requests/" + theirs + "/approve",
                WRITER, "{}");
        HttpResponse<String> twice = post(PROJECT + "/merge_requests/" + theirs + "/approve",
                WRITER, "{}");
        HttpResponse<String> own = post(PROJECT + "/merge_requests/" + ours + "/approve", WRITER,
                "{}");
        HttpResponse<String> staleSha = post(PROJECT + "/merge_requests/" + ours + "/approve",
                WRITER, "{\"sha\":\"0000\"}");
        JsonNode state = JSON.readTree(get(PROJECT + "/merge_requests/" + theirs + "/approvals",
                READER).body());

        assertThat(approved.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(approved.body()).path("approved").asBoolean()).isTrue();
        assertThat(twice.statusCode()).isEqualTo(401);
        assertThat(twice.body()).isEqualTo("{\"message\":\"401 Unauthorized\"}");
        assertThat(own.statusCode()).isEqualTo(401);
        assertThat(staleSha.statusCode()).isEqualTo(409);
        assertThat(state.path("approved_by")).singleElement().satisfies(a -> assertThat(a.path(
                "user").path("username").asString()).isEqualTo("tollgate"));
        assertThat(project.approvals(theirs)).containsExactly("tollgate");
        assertThat(project.approvals(ours)).isEmpty();
    }

    @Test
    void listsIssuesByStateAndServesOneByIid() throws Exception {
        int bug = project.issue("Bug", "It breaks");
        project.closeIssue(project.issue("Old", ""));

        JsonNode opened = JSON.readTree(get(PROJECT + "/issues?state=opened", READER).body());
        JsonNode all = JSON.readTree(get(PROJECT + "/issues?state=all", READER).body());
        JsonNode one = JSON.readTree(get(PROJECT + "/issues/" + bug, READER).body());
        HttpResponse<String> absent = get(PROJECT + "/issues/9", READER);
        HttpResponse<String> badState = get(PROJECT + "/issues?state=open", READER);

        assertThat(opened).singleElement().satisfies(i -> assertThat(i.path("title").asString())
                .isEqualTo("Bug"));
        assertThat(all).hasSize(2);
        assertThat(all.get(0).path("state").asString()).isEqualTo("closed");
        assertThat(one.path("iid").asInt()).isEqualTo(bug);
        assertThat(one.path("description").asString()).isEqualTo("It breaks");
        assertThat(one.path("labels").isArray()).isTrue();
        assertThat(one.path("author").path("username").asString()).isEqualTo("maintainer");
        assertThat(one.path("user_notes_count").asInt()).isZero();
        assertThat(one.path("web_url").asString()).endsWith("/group/sub/hello/-/issues/" + bug);
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(badState.statusCode()).isEqualTo(400);
    }

    @Test
    void servesTheTokensUser() throws Exception {
        gitlab.token("user-only", "read_user");

        JsonNode user = JSON.readTree(get("/user", "user-only").body());

        assertThat(user.path("username").asString()).isEqualTo("tollgate");
        assertThat(user.has("id")).isTrue();
    }

    @Test
    void carriesRateLimitHeadersOnEveryAnswerAndThrottlesPastTheLimit() throws Exception {
        gitlab.rateLimit(2);
        long reset = Instant.parse("2026-03-01T10:01:00Z").getEpochSecond();

        HttpResponse<String> first = get(PROJECT, READER);
        HttpResponse<String> refused = get(PROJECT, "nope");
        HttpResponse<String> throttled = get(PROJECT, READER);

        assertThat(first.headers().firstValue("RateLimit-Limit")).hasValue("2");
        assertThat(first.headers().firstValue("RateLimit-Observed")).hasValue("1");
        assertThat(first.headers().firstValue("RateLimit-Remaining")).hasValue("1");
        assertThat(first.headers().firstValue("RateLimit-Reset")).hasValue(Long.toString(
                reset));
        assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.body()).isEqualTo("Retry later\n");
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("40");
    }

    @Test
    void answersScriptedFailuresFirstThenTheModel() throws Exception {
        gitlab.failNext(1, 429, Map.of("Retry-After", "7", "RateLimit-Reset", "1772359300"),
                "Retry later\n");
        gitlab.failNext("POST", "/api/v4" + PROJECT + "/repository/commits", 1, 502, Map.of(),
                "");

        HttpResponse<String> limited = get(PROJECT, READER);
        HttpResponse<String> after = get(PROJECT, READER);
        HttpResponse<String> gateway = post(PROJECT + "/repository/commits", WRITER, commit(
                "main", null, action("create", "a.txt", "a")));
        HttpResponse<String> retried = post(PROJECT + "/repository/commits", WRITER, commit(
                "main", null, action("create", "a.txt", "a")));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(limited.headers().allValues("RateLimit-Reset")).containsExactly(
                "1772359300");
        assertThat(limited.headers().firstValue("RateLimit-Limit")).hasValue("2000");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(gateway.statusCode()).isEqualTo(502);
        assertThat(retried.statusCode()).isEqualTo(201);
        assertThat(gitlab.received("POST", "/api/v4" + PROJECT + "/repository/commits"))
                .hasSize(2);
    }

    @Test
    void recordsEveryRequestWithItsCredentialAndBody() throws Exception {
        call("GET", PROJECT, Map.of("PRIVATE-TOKEN", READER), null);
        call("POST", PROJECT + "/merge_requests", Map.of("Authorization", "Bearer " + WRITER),
                mergeRequest("t", "nope", "main"));

        List<GitLabStandIn.Received> received = gitlab.received();
        assertThat(received).hasSize(2);
        assertThat(received.get(0).method()).isEqualTo("GET");
        assertThat(received.get(0).path()).isEqualTo("/api/v4/projects/group%2Fsub%2Fhello");
        assertThat(received.get(0).authorization()).isEqualTo(READER);
        assertThat(received.get(0).headers()).containsEntry("PRIVATE-TOKEN", READER);
        assertThat(received.get(1).authorization()).isEqualTo("Bearer " + WRITER);
        assertThat(received.get(1).json().path("source_branch").asString()).isEqualTo("nope");
    }

    @Test
    void answersUnknownRoutesWith404WrongMethodsWith405AndUnmodelledOnesWith501()
            throws Exception {
        HttpResponse<String> unknown = get(PROJECT + "/nothing", READER);
        HttpResponse<String> method = call("DELETE", PROJECT + "/repository/commits", Map.of(
                "PRIVATE-TOKEN", WRITER), null);
        HttpResponse<String> unmodelled = call("PUT", PROJECT + "/merge_requests/1", Map.of(
                "PRIVATE-TOKEN", WRITER), "{}");

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"404 Not Found\"}");
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(unmodelled.statusCode()).isEqualTo(501);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private HttpResponse<String> get(String path, String token) throws IOException,
            InterruptedException {
        return call("GET", path, Map.of("PRIVATE-TOKEN", token), null);
    }

    private HttpResponse<String> post(String path, String token, String body)
            throws IOException, InterruptedException {
        return call("POST", path, Map.of("PRIVATE-TOKEN", token), body);
    }

    private HttpResponse<String> call(String method, String path, Map<String, String> headers,
            String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gitlab.apiUrl() + path))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode action(String action, String path, String content) {
        ObjectNode node = JSON.createObjectNode().put("action", action).put("file_path", path);
        if (content != null) {
            node.put("content", content);
        }
        return node;
    }

    private static String commit(String branch, String startBranch, ObjectNode... actions) {
        ObjectNode request = JSON.createObjectNode().put("branch", branch).put("commit_message",
                "Edit files\n\nin one commit");
        if (startBranch != null) {
            request.put("start_branch", startBranch);
        }
        var list = request.putArray("actions");
        for (ObjectNode action : actions) {
            list.add(action);
        }
        return JSON.writeValueAsString(request);
    }

    private static String mergeRequest(String title, String source, String target) {
        return JSON.writeValueAsString(JSON.createObjectNode().put("title", title).put(
                "source_branch", source).put("target_branch", target).put("description", "body"));
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
