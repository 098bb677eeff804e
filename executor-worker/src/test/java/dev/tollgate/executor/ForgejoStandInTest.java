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

/** The Forgejo stand-in through real HTTP on loopback: its answers and what it recorded. */
class ForgejoStandInTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String WRITER = "writer-token";
    private static final String READER = "reader-token";

    private final ForgejoStandIn forgejo = ForgejoStandIn.start(Clock.fixed(Instant.parse(
            "2026-03-01T10:00:00Z"), ZoneOffset.UTC));
    private final ForgejoStandIn.Repo repo = forgejo.repo("octo", "hello").file("main",
            "README.md", "hello\n").file("main", "docs/guide.md", "# Guide\n");
    private final HttpClient http = HttpClient.newHttpClient();

    ForgejoStandInTest() {
        forgejo.token(WRITER, "write:repository", "write:issue");
        forgejo.token(READER, "read:repository");
    }

    @AfterEach
    void stop() {
        forgejo.close();
        http.close();
    }

    @Test
    void servesRepositoryUnderApiV1WithForgejoFieldNames() throws Exception {
        HttpResponse<String> response = call("GET", "/repos/octo/hello", "token " + READER,
                null);

        assertThat(forgejo.apiUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+/api/v1");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("full_name").asString()).isEqualTo("octo/hello");
        assertThat(body.path("default_branch").asString()).isEqualTo("main");
        assertThat(body.path("private").asBoolean()).isTrue();
        assertThat(body.path("owner").path("login").asString()).isEqualTo("octo");
        assertThat(body.path("html_url").asString()).isEqualTo(forgejo.apiUrl().resolve("/")
                + "octo/hello");
        assertThat(body.has("id")).isTrue();
        assertThat(body.has("description")).isTrue();
    }

    @Test
    void acceptsTokenAndBearerSchemesAlike() throws Exception {
        assertThat(call("GET", "/repos/octo/hello", "token " + READER, null).statusCode())
                .isEqualTo(200);
        assertThat(call("GET", "/repos/octo/hello", "Bearer " + READER, null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void refusesUnknownTokenWith401OnEveryRoute() throws Exception {
        HttpResponse<String> known = call("GET", "/repos/octo/hello", "token nope", null);
        HttpResponse<String> unknown = call("GET", "/nothing/here", "Bearer nope", null);

        assertThat(known.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(known.body()).path("message").asString()).isEqualTo(
                "user does not exist [uid: 0, name: ]");
        assertThat(JSON.readTree(known.body()).path("url").asString()).endsWith("/api/swagger");
        assertThat(unknown.statusCode()).isEqualTo(401);
    }

    @Test
    void hidesPrivateRepositoryFromAnonymousCallersAndAsksForTokenOnPublicWrites()
            throws Exception {
        forgejo.repo("octo", "open").makePublic();

        HttpResponse<String> hidden = call("GET", "/repos/octo/hello", null, null);
        HttpResponse<String> read = call("GET", "/repos/octo/open", null, null);
        HttpResponse<String> write = call("POST", "/repos/octo/open/pulls", null,
                "{\"title\":\"t\",\"head\":\"a\",\"base\":\"main\"}");

        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(hidden.body()).path("message").asString()).isEqualTo(
                "The target couldn't be found.");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(write.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(write.body()).path("message").asString()).isEqualTo(
                "token is required");
    }

    @Test
    void refusesTokenWithoutTheRouteScopeWith403NamingIt() throws Exception {
        forgejo.token("repo-only", "write:repository");

        HttpResponse<String> write = call("POST", "/repos/octo/hello/contents", "token "
                + READER, changeFiles("main", null, "create", "a.txt", "a", null));
        HttpResponse<String> issues = call("GET", "/repos/octo/hello/issues", "token repo-only",
                null);
        HttpResponse<String> pulls = call("GET", "/repos/octo/hello/pulls", "token repo-only",
                null);
        HttpResponse<String> absentRepo = call("POST", "/repos/octo/absent/contents", "token "
                + READER, "{}");

        assertThat(write.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(write.body()).path("message").asString()).isEqualTo(
                "token does not have at least one of required scope(s): [write:repository]");
        assertThat(JSON.readTree(issues.body()).path("message").asString()).isEqualTo(
                "token does not have at least one of required scope(s): [read:issue]");
        assertThat(pulls.statusCode()).isEqualTo(200);
        assertThat(absentRepo.statusCode()).as("scopes are checked before the repository")
                .isEqualTo(403);
        assertThat(repo.messages("main")).hasSize(3);
    }

    @Test
    void servesFileAsBase64WithGitBlobShaAndLinks() throws Exception {
        HttpResponse<String> response = call("GET", "/repos/octo/hello/contents/README.md?ref=main",
                "token " + READER, null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode file = JSON.readTree(response.body());
        assertThat(file.path("type").asString()).isEqualTo("file");
        assertThat(file.path("name").asString()).isEqualTo("README.md");
        assertThat(file.path("path").asString()).isEqualTo("README.md");
        assertThat(file.path("encoding").asString()).isEqualTo("base64");
        assertThat(decode(file.path("content").asString())).isEqualTo("hello\n");
        assertThat(file.path("size").asInt()).isEqualTo(6);
        // git hash-object of "hello\n"
        assertThat(file.path("sha").asString()).isEqualTo(
                "ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(file.path("html_url").asString()).endsWith(
                "/octo/hello/src/branch/main/README.md");
        assertThat(file.path("download_url").asString()).endsWith(
                "/octo/hello/raw/branch/main/README.md");
        assertThat(file.path("last_commit_sha").asString()).isEqualTo(repo.shas("main").get(1));
    }

    @Test
    void listsDirectoryEntriesWithoutContent() throws Exception {
        HttpResponse<String> root = call("GET", "/repos/octo/hello/contents", "token " + READER,
                null);
        HttpResponse<String> docs = call("GET", "/repos/octo/hello/contents/docs",
                "token " + READER, null);

        JsonNode entries = JSON.readTree(root.body());
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).path("name").asString()).isEqualTo("README.md");
        assertThat(entries.get(0).path("content").isNull()).isTrue();
        assertThat(entries.get(1).path("type").asString()).isEqualTo("dir");
        assertThat(JSON.readTree(docs.body()).get(0).path("path").asString()).isEqualTo(
                "docs/guide.md");
    }

    @Test
    void answersAbsentFileWithForgejosNotFound() throws Exception {
        HttpResponse<String> response = call("GET", "/repos/octo/hello/contents/missing.txt",
                "token " + READER, null);
        HttpResponse<String> absentRef = call("GET", "/repos/octo/hello/contents/README.md"
                + "?ref=nope", "token " + READER, null);

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("message").asString()).isEqualTo("GetContentsOrList");
        assertThat(body.path("errors").get(0).asString()).isEqualTo(
                "object does not exist [id: , rel_path: missing.txt]");
        assertThat(absentRef.statusCode()).isEqualTo(404);
    }

    @Test
    void servesBranchWithHeadCommitAndProtection() throws Exception {
        repo.protect("main");

        HttpResponse<String> main = call("GET", "/repos/octo/hello/branches/main",
                "token " + READER, null);
        HttpResponse<String> absent = call("GET", "/repos/octo/hello/branches/feature",
                "token " + READER, null);

        JsonNode branch = JSON.readTree(main.body());
        assertThat(branch.path("name").asString()).isEqualTo("main");
        assertThat(branch.path("commit").path("id").asString()).isEqualTo(repo.head("main")
                .orElseThrow());
        assertThat(branch.path("commit").path("message").asString()).isEqualTo(
                "Add docs/guide.md\n");
        assertThat(branch.path("protected").asBoolean()).isTrue();
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(absent.body()).path("errors").get(0).asString()).isEqualTo(
                "branch does not exist [name: feature]");
    }

    @Test
    void listsCommitsNewestFirstWithPaginationHeaders() throws Exception {
        HttpResponse<String> response = call("GET", "/repos/octo/hello/commits?sha=main&limit=2",
                "token " + READER, null);
        HttpResponse<String> absent = call("GET", "/repos/octo/hello/commits?sha=nope",
                "token " + READER, null);

        JsonNode commits = JSON.readTree(response.body());
        assertThat(commits).hasSize(2);
        assertThat(commits.get(0).path("sha").asString()).isEqualTo(repo.head("main")
                .orElseThrow());
        assertThat(commits.get(0).path("commit").path("message").asString()).isEqualTo(
                "Add docs/guide.md\n");
        assertThat(commits.get(1).path("commit").path("message").asString()).isEqualTo(
                "Add README.md\n");
        assertThat(response.headers().firstValue("X-Total-Count")).hasValue("3");
        assertThat(response.headers().firstValue("X-HasMore")).hasValue("true");
        assertThat(response.headers().firstValue("Link").orElseThrow()).isEqualTo("<"
                + forgejo.apiUrl() + "/repos/octo/hello/commits?limit=2&page=2&sha=main>;"
                + " rel=\"next\",<" + forgejo.apiUrl()
                + "/repos/octo/hello/commits?limit=2&page=2&sha=main>; rel=\"last\"");
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(absent.body()).isEqualTo("null");
    }

    @Test
    void changesSeveralFilesInOneCommitOnANewBranch() throws Exception {
        String readmeSha = ForgejoStandIn.blobSha("hello\n".getBytes(StandardCharsets.UTF_8));
        String body = """
                {"branch":"main","new_branch":"feature","message":"Edit three files",
                 "files":[
                  {"operation":"create","path":"src/new.txt","content":"%s"},
                  {"operation":"update","path":"README.md","content":"%s","sha":"%s"},
                  {"operation":"delete","path":"docs/guide.md"}]}
                """.formatted(encode("new\n"), encode("hello again\n"), readmeSha);

        HttpResponse<String> response = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, body);

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("files")).hasSize(3);
        assertThat(answer.path("files").get(0).path("path").asString()).isEqualTo("src/new.txt");
        assertThat(answer.path("files").get(2).isNull()).isTrue();
        assertThat(answer.path("commit").path("sha").asString()).isEqualTo(repo.head("feature")
                .orElseThrow());
        assertThat(answer.path("commit").path("message").asString()).isEqualTo(
                "Edit three files\n");
        assertThat(repo.messages("feature")).containsExactly("Edit three files",
                "Add docs/guide.md", "Add README.md", "Initial commit");
        assertThat(repo.text("feature", "README.md")).hasValue("hello again\n");
        assertThat(repo.text("feature", "docs/guide.md")).isEmpty();
        assertThat(repo.text("main", "README.md")).hasValue("hello\n");
    }

    @Test
    void refusesAnExistingNewBranchWith422AndAnAbsentBranchWith404() throws Exception {
        repo.branch("feature", "main");

        HttpResponse<String> exists = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("main", "feature", "create", "a.txt", "a", null));
        HttpResponse<String> absent = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("nope", null, "create", "a.txt", "a", null));

        assertThat(exists.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(exists.body()).path("message").asString()).isEqualTo(
                "branch already exists [name: feature]");
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(absent.body()).path("message").asString()).isEqualTo(
                "branch does not exist [name: nope]");
    }

    @Test
    void refusesAStaleShaAndAnExistingFileWith422() throws Exception {
        HttpResponse<String> stale = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("main", null, "update", "README.md", "x",
                        "0000000000000000000000000000000000000000"));
        HttpResponse<String> exists = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("main", null, "create", "README.md", "x", null));
        HttpResponse<String> noSha = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("main", null, "update", "README.md", "x", null));

        assertThat(stale.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(stale.body()).path("message").asString()).startsWith(
                "sha does not match [given: 0000000000000000000000000000000000000000, expected: ");
        assertThat(exists.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(exists.body()).path("message").asString()).isEqualTo(
                "repository file already exists [path: README.md]");
        assertThat(noSha.statusCode()).as("Forgejo takes the branch head when no sha is given")
                .isEqualTo(201);
    }

    @Test
    void refusesACommitOntoAProtectedBranchButNotABranchFromIt() throws Exception {
        repo.protect("main");

        HttpResponse<String> direct = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("main", null, "create", "a.txt", "a", null));
        HttpResponse<String> branched = call("POST", "/repos/octo/hello/contents",
                "token " + WRITER, changeFiles("main", "topic", "create", "a.txt", "a", null));

        assertThat(direct.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(direct.body()).path("message").asString()).isEqualTo(
                "user cannot commit to repo [user: tollgate]");
        assertThat(branched.statusCode()).isEqualTo(201);
        assertThat(repo.text("main", "a.txt")).isEmpty();
        assertThat(repo.text("topic", "a.txt")).hasValue("a");
    }

    @Test
    void createsPullRequestsAndMarksWorkInProgressTitlesAsDrafts() throws Exception {
        repo.branch("feature", "main").branch("other", "main");

        HttpResponse<String> created = call("POST", "/repos/octo/hello/pulls", "token " + WRITER,
                "{\"title\":\"wip: later\",\"head\":\"feature\",\"base\":\"main\",\"body\":\"b\"}");
        HttpResponse<String> ready = call("POST", "/repos/octo/hello/pulls", "token " + WRITER,
                "{\"title\":\"Ready\",\"head\":\"other\",\"base\":\"main\"}");

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode pull = JSON.readTree(created.body());
        assertThat(pull.path("number").asInt()).isEqualTo(1);
        assertThat(pull.path("draft").asBoolean()).isTrue();
        assertThat(pull.path("state").asString()).isEqualTo("open");
        assertThat(pull.path("head").path("ref").asString()).isEqualTo("feature");
        assertThat(pull.path("head").path("label").asString()).isEqualTo("feature");
        assertThat(pull.path("head").path("sha").asString()).isEqualTo(repo.head("feature")
                .orElseThrow());
        assertThat(pull.path("base").path("ref").asString()).isEqualTo("main");
        assertThat(pull.path("user").path("login").asString()).isEqualTo("tollgate");
        assertThat(pull.path("html_url").asString()).endsWith("/octo/hello/pulls/1");
        assertThat(JSON.readTree(ready.body()).path("draft").asBoolean()).isFalse();
    }

    @Test
    void refusesPullRequestsForwardedToAbsentOrTakenBranches() throws Exception {
        repo.branch("feature", "main").pull("First", "feature", "main", "");

        HttpResponse<String> absentHead = call("POST", "/repos/octo/hello/pulls",
                "token " + WRITER, "{\"title\":\"t\",\"head\":\"nope\",\"base\":\"main\"}");
        HttpResponse<String> again = call("POST", "/repos/octo/hello/pulls", "token " + WRITER,
                "{\"title\":\"t\",\"head\":\"feature\",\"base\":\"main\"}");
        HttpResponse<String> same = call("POST", "/repos/octo/hello/pulls", "token " + WRITER,
                "{\"title\":\"t\",\"head\":\"main\",\"base\":\"main\"}");
        HttpResponse<String> untitled = call("POST", "/repos/octo/hello/pulls", "token " + WRITER,
                "{\"head\":\"feature\",\"base\":\"main\"}");

        assertThat(absentHead.statusCode()).isEqualTo(404);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).path("message").asString()).startsWith(
                "pull request already exists for these targets [").contains(
                        "head_branch: feature, base_branch: main");
        assertThat(same.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(untitled.body()).path("message").asString()).isEqualTo(
                "[Title]: Required");
    }

    @Test
    void listsPullsByStateWithTotalCountAndLinkHeaders() throws Exception {
        repo.branch("a", "main").branch("b", "main").branch("c", "main");
        repo.pull("A", "a", "main", "");
        repo.pull("B", "b", "main", "");
        repo.close(repo.pull("C", "c", "main", ""));

        HttpResponse<String> open = call("GET", "/repos/octo/hello/pulls?state=open&limit=1",
                "token " + READER, null);
        HttpResponse<String> closed = call("GET", "/repos/octo/hello/pulls?state=closed",
                "token " + READER, null);
        HttpResponse<String> all = call("GET", "/repos/octo/hello/pulls", "token " + READER,
                null);
        HttpResponse<String> one = call("GET", "/repos/octo/hello/pulls/2", "token " + READER,
                null);

        assertThat(JSON.readTree(open.body())).hasSize(1);
        assertThat(JSON.readTree(open.body()).get(0).path("number").asInt()).isEqualTo(2);
        assertThat(open.headers().firstValue("X-Total-Count")).hasValue("2");
        assertThat(open.headers().firstValue("Link").orElseThrow()).contains("page=2")
                .contains("rel=\"next\"").contains("rel=\"last\"");
        assertThat(JSON.readTree(closed.body()).get(0).path("state").asString()).isEqualTo(
                "closed");
        assertThat(JSON.readTree(all.body())).as("no state lists all, as Forgejo's code does")
                .hasSize(3);
        assertThat(JSON.readTree(one.body()).path("title").asString()).isEqualTo("B");
    }

    @Test
    void listsIssuesAndPullsTogetherAndApartByType() throws Exception {
        int issue = repo.issue("Bug", "It breaks");
        int pull = repo.branch("fix", "main").pull("Fix", "fix", "main", "");

        JsonNode both = JSON.readTree(call("GET", "/repos/octo/hello/issues", "token " + WRITER,
                null).body());
        JsonNode issues = JSON.readTree(call("GET", "/repos/octo/hello/issues?type=issues",
                "token " + WRITER, null).body());
        JsonNode pulls = JSON.readTree(call("GET", "/repos/octo/hello/issues?type=pulls",
                "token " + WRITER, null).body());
        JsonNode asIssue = JSON.readTree(call("GET", "/repos/octo/hello/issues/" + pull,
                "token " + WRITER, null).body());
        HttpResponse<String> notAPull = call("GET", "/repos/octo/hello/pulls/" + issue,
                "token " + WRITER, null);

        assertThat(both).hasSize(2);
        assertThat(issues).singleElement().satisfies(i -> assertThat(i.path("title")
                .asString()).isEqualTo("Bug"));
        assertThat(pulls).singleElement().satisfies(p -> assertThat(p.path("number").asInt())
                .isEqualTo(pull));
        assertThat(asIssue.path("pull_request").path("html_url").asString()).endsWith(
                "/pulls/" + pull);
        assertThat(notAPull.statusCode()).isEqualTo(404);
    }

    @Test
    void createsAPendingReviewWithLineComments() throws Exception {
        int pull = repo.branch("fix", "main").pull("Fix", "fix", "main", "");

        HttpResponse<String> pending = call("POST", "/repos/octo/hello/pulls/" + pull
                + "/reviews", "token " + WRITER,
                """
                        {"event":"PENDING","body":"Looks risky",
                         "comments":[{"path":"README.md","body":"why?","new_position":1,"old_position":0}]}
                        """);
        HttpResponse<String> bodiless = call("POST", "/repos/octo/hello/pulls/" + pull
                + "/reviews", "token " + WRITER, "{\"event\":\"PENDING\"}");
        HttpResponse<String> absent = call("POST", "/repos/octo/hello/pulls/99/reviews",
                "token " + WRITER, "{\"event\":\"COMMENT\",\"body\":\"x\"}");

        assertThat(pending.statusCode()).isEqualTo(200);
        JsonNode review = JSON.readTree(pending.body());
        assertThat(review.path("state").asString()).isEqualTo("PENDING");
        assertThat(review.path("commit_id").asString()).isEqualTo(repo.head("fix")
                .orElseThrow());
        assertThat(review.path("comments_count").asInt()).isEqualTo(1);
        assertThat(review.path("user").path("login").asString()).isEqualTo("tollgate");
        assertThat(bodiless.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(bodiless.body()).path("message").asString()).isEqualTo(
                "review event PENDING requires a body");
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(repo.reviews(pull)).hasSize(1);
    }

    @Test
    void answersScriptedFailuresFirstThenTheModel() throws Exception {
        forgejo.failNext(2, 429, Map.of("Retry-After", "7"), "{\"message\":\"slow down\"}");
        forgejo.failNext("POST", "/api/v1/repos/octo/hello/contents", 1, 503, Map.of(), "");

        HttpResponse<String> first = call("GET", "/repos/octo/hello", "token " + READER, null);
        HttpResponse<String> second = call("GET", "/repos/octo/hello", "token " + READER, null);
        HttpResponse<String> third = call("GET", "/repos/octo/hello", "token " + READER, null);
        HttpResponse<String> write = call("POST", "/repos/octo/hello/contents", "token " + WRITER,
                changeFiles("main", null, "create", "a.txt", "a", null));
        HttpResponse<String> retried = call("POST", "/repos/octo/hello/contents", "token "
                + WRITER, changeFiles("main", null, "create", "a.txt", "a", null));

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(write.statusCode()).isEqualTo(503);
        assertThat(retried.statusCode()).isEqualTo(201);
        assertThat(forgejo.received("POST", "/api/v1/repos/octo/hello/contents")).hasSize(2);
    }

    @Test
    void recordsEveryRequestWithItsAuthorizationAndBody() throws Exception {
        call("GET", "/repos/octo/hello", "token " + READER, null);
        call("POST", "/repos/octo/hello/pulls", "Bearer " + WRITER,
                "{\"title\":\"t\",\"head\":\"nope\",\"base\":\"main\"}");

        List<ForgejoStandIn.Received> received = forgejo.received();
        assertThat(received).hasSize(2);
        assertThat(received.get(0).method()).isEqualTo("GET");
        assertThat(received.get(0).path()).isEqualTo("/api/v1/repos/octo/hello");
        assertThat(received.get(0).authorization()).isEqualTo("token " + READER);
        assertThat(received.get(1).authorization()).isEqualTo("Bearer " + WRITER);
        assertThat(received.get(1).json().path("head").asString()).isEqualTo("nope");
    }

    @Test
    void answersUnknownRoutesWithPlainNotFoundAndOtherMethodsWith405() throws Exception {
        HttpResponse<String> unknown = call("GET", "/repos/octo/hello/nothing", "token "
                + READER, null);
        HttpResponse<String> method = call("DELETE", "/repos/octo/hello/commits", "token "
                + WRITER, null);

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("404 page not found\n");
        assertThat(method.statusCode()).isEqualTo(405);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private HttpResponse<String> call(String method, String path, String authorization,
            String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(forgejo.apiUrl()
                + path)).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String changeFiles(String branch, String newBranch, String operation,
            String path, String text, String sha) {
        var request = JSON.createObjectNode().put("branch", branch);
        if (newBranch != null) {
            request.put("new_branch", newBranch);
        }
        var file = request.putArray("files").addObject().put("operation", operation).put("path",
                path).put("content", encode(text));
        if (sha != null) {
            file.put("sha", sha);
        }
        return JSON.writeValueAsString(request);
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
