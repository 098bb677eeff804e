package dev.tollgate.launcher;

import static dev.tollgate.launcher.AuditReads.readAll;
import static dev.tollgate.launcher.AuditReads.typesOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.audit.core.AuditRecord;
import dev.tollgate.audit.core.StoreVerifier;
import dev.tollgate.audit.embedded.EmbeddedAuditStore;
import dev.tollgate.executor.GitHubStandIn;
import dev.tollgate.executor.TestApp;
import dev.tollgate.testsupport.TempDirs;
import dev.tollgate.tools.Tool;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole flow in the standalone run, as an agent sees it: a real MCP client over HTTP, the
 * embedded KRaft broker, every role, a GitHub stand-in that verifies the App's JWTs, and the
 * embedded audit store checked at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ADMIN_KEY = "e2e-admin-key-0123456789abcdef0123456789";
    private static final String WEBHOOK_SECRET = "e2e-webhook-secret-0123456789abcdef";

    @TempDir
    static Path data;

    private GitHubStandIn github;
    private TollgateLauncher tollgate;
    private final HttpClient http = HttpClient.newHttpClient();

    private Path policy;

    @BeforeAll
    void startTollgate() throws Exception {
        github = new GitHubStandIn(TestApp.APP_ID, TestApp.publicKey(), Clock.systemUTC());
        github.repository("octo-org", "hello-world", 4242).files.put("README.md",
                "Hello from the stand-in");
        github.repository("octo-org", "secrets", 4242).files.put("key.txt", "nope");
        github.repo("octo-org", "hello-world").files.put("secrets/prod.env", "TOKEN=nope");
        github.repository("octo-gone", "doomed", 5151).files.put("README.md", "soon gone");
        Path key = TestApp.writeKeyFile(Files.createDirectories(data.resolve("keys")),
                "app-pkcs1.pem");
        policy = Files.writeString(data.resolve("policy.toml"), """
                version = 1

                [[grant]]
                name = "e2e agent reads and files issues on hello-world"
                agents = ["agent-e2e"]
                environments = ["dev"]
                repos = ["octo-org/hello-world"]
                allow = ["read", "create_issue", "push-new-branch", "create-draft"]

                [[grant]]
                name = "e2e agent reads the repository that gets uninstalled"
                agents = ["agent-e2e"]
                repos = ["octo-gone/doomed"]
                allow = ["read"]

                [[grant]]
                name = "reviewer reads pull request 42 only"
                agents = ["reviewer-e2e"]
                repos = ["octo-org/hello-world"]
                allow = ["read"]
                pull-requests = [42]

                [[deny]]
                name = "no secrets"
                paths = ["secrets/**"]
                reason = "secret files are read by humans only"
                """);
        tollgate = GatewayClient.start(data.resolve("run"), policy, key, github, ADMIN_KEY,
                "--tollgate.github.webhook-secret=" + WEBHOOK_SECRET,
                // refusal counts are published every second, not every 10 s: the forged
                // webhook's AccessRefused is awaited, not the publisher's period
                "--tollgate.ingress.refusals.interval=1s");
    }

    @AfterAll
    void stopTollgate() {
        GatewayClient.stop(tollgate, github);
    }

    @Test
    void anAgentReadsAFileWithADownScopedTokenAndIsDeniedWhatItWasNotGranted() throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");
        List<String> requestIds = new ArrayList<>();

        try (McpSyncClient agent = connect(token)) {
            agent.initialize();
            List<String> tools = agent.listTools().tools().stream().map(McpSchema.Tool::name)
                    .toList();
            Map<String, Object> status = call(agent, "status", Map.of());
            Map<String, Object> file = call(agent, "get_file", Map.of("owner", "Octo-Org",
                    "repo", "hello-world", "path", "README.md"));
            Map<String, Object> otherRepo = call(agent, "get_file", Map.of("owner", "octo-org",
                    "repo", "secrets", "path", "key.txt"));
            Map<String, Object> notGranted = call(agent, "create_pull_request_comment", Map.of(
                    "owner", "octo-org", "repo", "hello-world", "pull_number", 1, "body", "hi"));
            requestIds.add((String) file.get("request_id"));
            requestIds.add((String) otherRepo.get("request_id"));
            requestIds.add((String) notGranted.get("request_id"));

            assertThat(tools).contains("status", "get_file", "create_issue", "create_pr",
                    "push_files", "get_request_status");
            assertThat(status.toString()).contains("agent-e2e");
            @SuppressWarnings("unchecked")
            Map<String, Object> gateway = (Map<String, Object>) status.get("gateway");
            assertThat(gateway).as("every Kafka reader of the ingress runs under the"
                    + " standalone's ACLs").containsEntry("kafka_readers_running", true)
                    .containsEntry("health", "ok");
            assertThat(file.get("status")).as(file.toString()).isEqualTo("succeeded");
            assertThat(JSON.writeValueAsString(file.get("result"))).contains(
                    "Hello from the stand-in");
            assertThat(otherRepo.get("status")).isEqualTo("denied");
            assertThat((String) otherRepo.get("message")).contains("octo-org/secrets");
            assertThat(notGranted.get("status")).isEqualTo("denied");
            assertThat((String) notGranted.get("message")).contains(
                    "create_pull_request_comment");
        }

        assertThat(github.jwtRejections()).isEmpty();
        assertThat(github.mints().stream().filter(m -> m.installationId() == 4242 && m
                .permissions().equals(Map.of("contents", "read")))).singleElement()
                .satisfies(mint -> {
                    assertThat(mint.installationId()).isEqualTo(4242);
                    assertThat(mint.repositories()).containsExactly("hello-world");
                    assertThat(mint.permissions()).containsEntry("contents", "read")
                            .doesNotContainValue(
                                    "write");
                });
        assertThat(github.requests("GET", "/repos/octo-org/secrets")).isEmpty();
        assertEveryEventAudited(requestIds);
    }

    @Test
    void aPolicyMeansTheSameThroughThePassthroughAsThroughTheToolMadeForTheData()
            throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");
        String reviewerToken = mintGatewayToken("reviewer-e2e", "dev");
        Map<String, Object> direct = Map.of("owner", "octo-org", "repo", "hello-world", "path",
                "secrets/prod.env");
        List<Map<String, Object>> indirect = List.of(Map.of("path",
                "/repos/octo-org/hello-world/contents/secrets/prod.env"),
                Map.of("path",
                        "/repos/octo-org/hello-world/git/trees/main", "query", Map.of(
                                "recursive", "1")),
                Map.of("path", "/repos/octo-org/hello-world/git/blobs/"
                        + "0123456789abcdef0123456789abcdef01234567"));

        List<Map<String, Object>> answers = new ArrayList<>();
        Map<String, Object> pull99;
        Map<String, Object> pull42;
        try (McpSyncClient agent = connect(token);
                McpSyncClient reviewer = connect(
                        reviewerToken)) {
            agent.initialize();
            reviewer.initialize();
            answers.add(call(agent, "get_file", direct));
            for (Map<String, Object> arguments : indirect) {
                answers.add(call(agent, "github_api_get", arguments));
            }
            // (a pull request's /files would also touch every path, which "no secrets" denies)
            pull99 = call(reviewer, "github_api_get", Map.of("path",
                    "/repos/octo-org/hello-world/pulls/99/commits"));
            pull42 = call(reviewer, "github_api_get", Map.of("path",
                    "/repos/octo-org/hello-world/pulls/42"));
        }
        java.io.ByteArrayOutputStream explained = new java.io.ByteArrayOutputStream();
        int explainCode = dev.tollgate.decision.ExplainCommand.run(new String[]{"--policy", policy
                .toString(), "--agent", "agent-e2e", "--env", "dev", "--tool", "github_api_get",
                "--arg", "path=/repos/octo-org/hello-world/git/trees/main"},
                new java.io.PrintStream(explained, true, java.nio.charset.StandardCharsets.UTF_8),
                System.err);

        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.get("status")).as(answer.toString()).isEqualTo("denied");
            assertThat((String) answer.get("message")).contains(
                    "secret files are read by humans only");
            assertThat(answer.get("error_code")).isEqualTo("policy_denied");
        });
        assertThat(explainCode).isEqualTo(dev.tollgate.decision.ExplainCommand.DENIED);
        assertThat(explained.toString(java.nio.charset.StandardCharsets.UTF_8)).contains(
                "secret files are read by humans only").contains("paths: every (");
        assertThat(pull99.get("status")).as(pull99.toString()).isEqualTo("denied");
        assertThat((String) pull99.get("message")).contains("#99 is not one of them");
        assertThat(pull42.get("status")).as("#42 is granted: decided allowed, then GitHub answers"
                + " (%s)", pull42).isNotEqualTo("denied");
        assertThat(github.requests().stream().filter(request -> request.path().contains(
                "secrets/prod.env") || request.path().contains("/git/trees/main")
                || request
                        .path().contains("/git/blobs/")
                || request.path().contains(
                        "/pulls/99")))
                .as("nothing refused reached GitHub").isEmpty();
    }

    @Test
    void aWriteIsPerformedOnceAndTheSameTokenScopeIsNotMintedTwice() throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");

        try (McpSyncClient agent = connect(token)) {
            agent.initialize();
            Map<String, Object> issue = call(agent, "create_issue", Map.of("owner", "octo-org",
                    "repo", "hello-world", "title", "Found by the agent", "body", "details"));
            Map<String, Object> again = call(agent, "get_file", Map.of("owner", "octo-org",
                    "repo", "hello-world", "path", "README.md"));

            assertThat(issue.get("status")).as(issue.toString()).isEqualTo("succeeded");
            assertThat(again.get("status")).isEqualTo("succeeded");
        }

        assertThat(github.repo("octo-org", "hello-world").plainIssues()).singleElement()
                .satisfies(issue -> assertThat(issue.get("title").asString()).isEqualTo(
                        "Found by the agent"));
        assertThat(github.mints().stream().filter(m -> m.permissions().containsKey("issues")))
                .singleElement().satisfies(m -> assertThat(m.permissions()).containsEntry(
                        "issues", "write"));
        assertThat(github.mints().stream().filter(m -> m.installationId() == 4242 && m
                .permissions().equals(Map.of("contents", "read"))).count()).isEqualTo(1);
    }

    @Test
    void uninstallingTheAppStopsEveryFurtherMintAndTheAgentReadsWhy() throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");
        Map<String, Object> arguments = Map.of("owner", "octo-gone", "repo", "doomed", "path",
                "README.md");
        byte[] deleted = """
                {"action": "deleted",
                 "installation": {"id": 5151, "app_id": 1,
                   "account": {"login": "octo-gone", "type": "Organization"},
                   "repository_selection": "selected", "permissions": {"contents": "read"},
                   "updated_at": "2026-12-01T00:00:00Z", "suspended_at": null},
                 "repositories": [{"id": 1, "name": "doomed", "full_name": "octo-gone/doomed"}],
                 "sender": {"login": "octo-admin"}}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String signature = dev.tollgate.installations.WebhookSignature.withSecret(WEBHOOK_SECRET)
                .sign(deleted);
        String forged = dev.tollgate.installations.WebhookSignature.withSecret("guessed-secret")
                .sign(deleted);

        try (McpSyncClient agent = connect(token)) {
            agent.initialize();
            Map<String, Object> before = call(agent, "get_file", arguments);
            int mintsBefore = mintsFor(5151);

            HttpResponse<String> refused = deliver("installation", "e2e-delivery-0", deleted,
                    forged);
            Map<String, Object> afterForgery = call(agent, "get_file", arguments);
            HttpResponse<String> recorded = deliver("installation", "e2e-delivery-1", deleted,
                    signature);
            long revokedAt = System.nanoTime();
            Map<String, Object> after = call(agent, "get_file", arguments);
            while (!"denied".equals(after.get("status")) && System.nanoTime() - revokedAt < Duration
                    .ofSeconds(30).toNanos()) {
                after = call(agent, "get_file", arguments);
            }
            System.out.printf("[e2e] installation.deleted to first refusal: %d ms%n", (System
                    .nanoTime() - revokedAt) / 1_000_000);
            HttpResponse<String> replayed = deliver("installation", "e2e-delivery-1", deleted,
                    signature);

            assertThat(before.get("status")).as(before.toString()).isEqualTo("succeeded");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            assertThat(afterForgery.get("status")).isEqualTo("succeeded");
            assertThat(recorded.statusCode()).as(recorded.body()).isEqualTo(200);
            assertThat(recorded.body()).contains("recorded");
            assertThat(after.get("status")).as(after.toString()).isEqualTo("denied");
            assertThat((String) after.get("message")).contains("uninstalled");
            assertThat(replayed.statusCode()).isEqualTo(200);
            assertThat(replayed.body()).contains("duplicate");
            assertThat(mintsFor(5151)).isEqualTo(mintsBefore);
        }

        Path auditDir = data.resolve("run").resolve("audit");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<AuditRecord> changes = List.of();
        while (changes.isEmpty() && System.nanoTime() < deadline) {
            changes = readAll(auditDir).stream().filter(r -> "InstallationChanged".equals(r
                    .entry().eventType()) && r.entry().contextJson().contains("e2e-delivery-1"))
                    .toList();
            Thread.sleep(200);
        }
        assertThat(changes).hasSize(1);

        // the forged delivery was refused at the door: the audit keeps it as a counted refusal
        // (the ingress publishes its counts every interval, here 1 s, through the standalone's
        // own ACLs)
        deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        List<AuditRecord> refusals = List.of();
        while (refusals.isEmpty() && System.nanoTime() < deadline) {
            refusals = readAll(auditDir).stream().filter(r -> "AccessRefused".equals(r.entry()
                    .eventType()) && "refused.invalid_signature".equals(r.entry().action()))
                    .toList();
            Thread.sleep(200);
        }
        assertThat(refusals).as("AccessRefused records in the audit store").isNotEmpty();
        assertThat(refusals.getFirst().entry().resource()).isEqualTo("webhook:127.0.0.1");
        assertThat(refusals.getFirst().entry().decision()).isEqualTo("REFUSED");
    }

    private int mintsFor(long installationId) {
        return (int) github.mints().stream().filter(m -> m.installationId() == installationId)
                .count();
    }

    private HttpResponse<String> deliver(String event, String deliveryId, byte[] body,
            String signature) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tollgate
                .httpPort() + "/webhooks/github")).header("Content-Type", "application/json")
                .header("X-GitHub-Event", event).header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", signature).POST(HttpRequest.BodyPublishers
                        .ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void toolsListShowsEachAgentOnlyWhatItsPolicyAndTokenCanAllow() throws Exception {
        String writer = mintGatewayToken("agent-e2e", "dev");
        String reader = mintGatewayToken("reviewer-e2e", "dev");
        String narrowed = GatewayClient.mint(tollgate.httpPort(), ADMIN_KEY, "agent-e2e", "dev",
                "{\"tools\":[\"get_file\",\"create_issue\"]}");
        Set<String> writeTools = Stream.of(Tool.values()).filter(tool -> tool
                .kind() == Tool.Kind.WRITE).map(Tool::toolName).collect(Collectors.toSet());

        try (McpSyncClient writing = connect(writer);
                McpSyncClient reading = connect(reader);
                McpSyncClient narrow = connect(narrowed)) {
            writing.initialize();
            reading.initialize();
            narrow.initialize();
            Map<String, Object> status = awaitGrantsKnown(reading);
            List<String> readerTools = toolNames(reading);
            List<String> writerTools = toolNames(writing);
            List<String> narrowTools = toolNames(narrow);

            assertThat(readerTools).as("a read-only agent's tools").contains("get_file",
                    "list_issues", "github_api_get", "status", "get_request_status")
                    .doesNotContainAnyElementsOf(writeTools);
            assertThat(writerTools).contains("get_file", "create_issue", "create_branch",
                    "push_files", "create_pr").doesNotContain("comment_on_issue",
                            "create_pending_review", "mark_ready_for_review",
                            "create_check_run");
            assertThat(narrowTools).containsExactlyInAnyOrder("status", "get_request_status",
                    "get_file", "create_issue");
            assertThat(status.get("tools")).isEqualTo(readerTools);
            assertThat(JSON.writeValueAsString(status.get("grants"))).contains(
                    "reviewer reads pull request 42 only", "octo-org/hello-world").doesNotContain(
                            "e2e agent reads and files issues");
            // what is listed is a hint: the call is still decided, and denied where not granted
            assertThat(call(reading, "get_file", Map.of("owner", "octo-org", "repo", "secrets",
                    "path", "key.txt")).get("status")).isEqualTo("denied");
        }
    }

    private static Map<String, Object> awaitGrantsKnown(McpSyncClient agent)
            throws InterruptedException {
        Map<String, Object> status = call(agent, "status", Map.of());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(status.get("grants") instanceof List<?>) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            status = call(agent, "status", Map.of());
        }
        assertThat(status.get("grants")).as("the ingress never learnt the policy's grants "
                + "within 30 s; status said %s", status).isInstanceOf(List.class);
        return status;
    }

    private static List<String> toolNames(McpSyncClient agent) {
        return agent.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    }

    @Test
    void aPolicyEditTakesEffectWithoutARestart() throws Exception {
        String token = mintGatewayToken("agent-reload", "dev");
        Map<String, Object> arguments = Map.of("owner", "octo-org", "repo", "hello-world", "path",
                "README.md");

        List<List<String>> notified = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (McpSyncClient agent = connect(token);
                McpSyncClient listening = GatewayClient.listening(tollgate.httpPort(), token,
                        tools -> notified.add(tools.stream().map(McpSchema.Tool::name)
                                .toList()))) {
            agent.initialize();
            listening.initialize();
            awaitGrantsKnown(agent);
            List<String> toolsBefore = toolNames(agent);
            Map<String, Object> before = call(agent, "get_file", arguments);
            Files.writeString(policy, Files.readString(policy) + """

                    [[grant]]
                    name = "reload agent may read hello-world"
                    agents = ["agent-reload"]
                    repos = ["octo-org/hello-world"]
                    allow = ["read"]
                    """);
            Map<String, Object> after = before;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!"succeeded".equals(after.get("status")) && System.nanoTime() < deadline) {
                Thread.sleep(250);
                after = call(agent, "get_file", arguments);
            }

            List<String> toolsAfter = toolNames(agent);
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!toolsAfter.contains("get_file") && System.nanoTime() < deadline) {
                Thread.sleep(250);
                toolsAfter = toolNames(agent);
            }

            assertThat(before.get("status")).isEqualTo("denied");
            assertThat(after.get("status")).as(after.toString()).isEqualTo("succeeded");
            assertThat(after.get("message")).isNotNull();
            assertThat(toolsBefore).as("no grant covers agent-reload yet")
                    .containsExactlyInAnyOrder(
                            "status", "get_request_status");
            assertThat(toolsAfter).as("after the edit, tools/list").contains("get_file",
                    "get_tree").doesNotContain("create_issue", "push_files");
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (notified.stream().noneMatch(tools -> tools.contains("get_file"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(notified).as("the client that opened the server stream was sent "
                    + "notifications/tools/list_changed and listed again").anySatisfy(
                            tools -> assertThat(tools).contains("get_file"));
        }
    }

    @Test
    void draftPullRequestsAndPushesReachGitHubThroughTheGitDataApiOnAgentBranches()
            throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");

        try (McpSyncClient agent = connect(token)) {
            agent.initialize();
            Map<String, Object> push = call(agent, "push_files", Map.of("owner", "octo-org",
                    "repo", "hello-world", "branch", "agent-fix-typo", "message", "Fix a typo",
                    "files", List.of(Map.of("path", "docs/guide.md", "content", "# Guide\n"))));
            Map<String, Object> pr = call(agent, "create_pr", Map.of("owner", "octo-org",
                    "repo", "hello-world", "title", "Fix a typo", "head", "agent-fix-typo",
                    "base", "main"));
            Map<String, Object> toMain = call(agent, "push_files", Map.of("owner", "octo-org",
                    "repo", "hello-world", "branch", "main", "message", "x", "files", List.of(Map
                            .of("path", "a.txt", "content", "x"))));

            assertThat(push.get("status")).as(push.toString()).isEqualTo("succeeded");
            assertThat(pr.get("status")).as(pr.toString()).isEqualTo("succeeded");
            assertThat(toMain.get("status")).as(toMain.toString()).isNotEqualTo("succeeded");
        }

        var repo = github.repo("octo-org", "hello-world");
        assertThat(repo.refs).containsKey("agent-fix-typo");
        assertThat(repo.refs.get("main")).isEqualTo(repo.refs.values().stream().filter(sha -> sha
                .equals(repo.refs.get("main"))).findFirst().orElseThrow());
        assertThat(repo.forcedUpdates).isEmpty();
        assertThat(repo.pulls()).singleElement().satisfies(pull -> assertThat(pull.get("draft")
                .asBoolean()).isTrue());
        assertThat(github.requests("POST", "/repos/octo-org/hello-world/git/blobs")).as(
                "text goes inline in the tree, no blob of its own").isEmpty();
        assertThat(github.requests("POST", "/repos/octo-org/hello-world/git/trees"))
                .singleElement().satisfies(tree -> assertThat(tree.json().path("tree").get(0)
                        .path("content").asString()).isEqualTo("# Guide\n"));
        assertThat(github.mints().stream().filter(m -> "write".equals(m.permissions().get(
                "contents")))).allSatisfy(m -> assertThat(m.repositories()).containsExactly(
                        "hello-world"));
    }

    @Test
    void gitHubErrorsReachTheAgentClassifiedWithWhenToRetry() throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");
        java.time.Instant reset = java.time.Instant.now().plusSeconds(3600);
        github.script("GET", "/repos/octo-org/hello-world/contents/limited.txt", GitHubStandIn
                .primaryLimit(403, reset));
        var invalid = JSON.createObjectNode().put("message", "Validation Failed");
        invalid.putArray("errors").addObject().put("resource", "Issue").put("field", "title")
                .put("code", "missing_field");
        github.script("POST", "/repos/octo-org/hello-world/issues", GitHubStandIn.json(422,
                invalid));

        try (McpSyncClient agent = connect(token)) {
            agent.initialize();
            Map<String, Object> limited = call(agent, "get_file", Map.of("owner", "octo-org",
                    "repo", "hello-world", "path", "limited.txt"));
            Map<String, Object> missing = call(agent, "get_file", Map.of("owner", "octo-org",
                    "repo", "hello-world", "path", "no/such/file.txt"));

            assertThat(limited.get("status")).isEqualTo("failed");
            assertThat(limited.get("error_code")).isEqualTo("rate_limited");
            assertThat(limited.get("retryable")).isEqualTo(true);
            assertThat(limited.get("retry_at")).isNotNull();
            assertThat(missing.get("status")).isEqualTo("failed");
            assertThat(missing.get("error_code")).isEqualTo("not_found");
            assertThat(missing.get("retryable")).isEqualTo(false);

            Map<String, Object> rejected = call(agent, "create_issue", Map.of("owner",
                    "octo-org", "repo", "hello-world", "title", "x"));
            assertThat(rejected.get("error_code")).as(rejected.toString()).isEqualTo(
                    "validation_failed");
            assertThat(JSON.writeValueAsString(rejected.get("details"))).contains("missing_field",
                    "title");
        }
    }

    @Test
    void complianceReplaysTheTopicsToTheLiveChainHeadsAndATamperedCopyFailsVerify()
            throws Exception {
        String token = mintGatewayToken("agent-e2e", "dev");
        String requestId;
        try (McpSyncClient agent = connect(token)) {
            agent.initialize();
            requestId = (String) call(agent, "get_file", Map.of("owner", "octo-org", "repo",
                    "hello-world", "path", "README.md")).get("request_id");
        }
        Path live = data.resolve("run").resolve("audit");
        List<AuditRecord> settled = awaitSettled(live, requestId);
        Path rebuilt = data.resolve("rebuilt-" + System.nanoTime());
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        var audit = new dev.tollgate.audit.AuditCommand(new java.io.PrintStream(out, true),
                new java.io.PrintStream(err, true), Clock.systemUTC(), Map.of());

        int replayed = audit.run("replay", "--bootstrap-servers", tollgate.bootstrapServers(),
                "--command-config", clientConfig("audit-sink").toString(), "--from-offset", "0",
                "--into-store", "embedded", "--into-dir", rebuilt.toString());

        assertThat(replayed).as(err.toString()).isZero();
        try (var liveStore = EmbeddedAuditStore.openReadOnly(live);
                var replayStore = EmbeddedAuditStore.openReadOnly(rebuilt)) {
            assertThat(replayStore.heads()).isEqualTo(liveStore.heads());
        }
        assertThat(settled).isNotEmpty();

        Path tampered = copy(live, data.resolve("tampered-" + System.nanoTime()));
        AuditRecord victim = settled.stream().filter(r -> requestId.equals(r.entry().requestId()))
                .findFirst().orElseThrow();
        Path chainFile = tampered.resolve("chains").resolve(victim.chainId() + ".jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(chainFile));
        int index = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(victim.eventId())) {
                index = i;
            }
        }
        assertThat(index).isNotNegative();
        lines.set(index, lines.get(index).replace("agent-e2e", "agent-evil"));
        Files.write(chainFile, lines);
        out.reset();

        int verified = audit.run("verify", "--store", "embedded", "--dir", tampered.toString());

        assertThat(verified).isEqualTo(dev.tollgate.audit.AuditCommand.VERIFICATION_FAILED);
        assertThat(out.toString()).contains("verify FAILED").contains(victim.chainId()).contains(
                "BROKEN");
    }

    /** {@code role}'s Kafka client settings in a file only this user can read. */
    private Path clientConfig(String role) throws java.io.IOException {
        java.util.Properties properties = new java.util.Properties();
        tollgate.kafkaClientProperties(role).forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                properties.put(key, value.toString());
            }
        });
        Path file = data.resolve(role + "-client-" + System.nanoTime() + ".properties");
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (var out = Files.newOutputStream(file)) {
            properties.store(out, null);
        }
        return file;
    }

    private static List<AuditRecord> awaitSettled(Path auditDir, String requestId)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<AuditRecord> previous = List.of();
        while (System.nanoTime() < deadline) {
            List<AuditRecord> now = readAll(auditDir);
            if (typesOf(now, requestId).contains("ToolCallCompleted") && now.size() == previous
                    .size()) {
                return now;
            }
            previous = now;
            Thread.sleep(500);
        }
        throw new AssertionError("the audit store did not settle within 30 s");
    }

    /** A copy of the live store's files, without its lock (the sink keeps writing the live one). */
    private static Path copy(Path from, Path to) throws java.io.IOException {
        return TempDirs.copyTree(from, to, "lock");
    }

    /**
     * Every event of the calls reached the audit store, once: each request's request, decision
     * and result, and one TokenMinted per mint GitHub saw; the chains verify.
     */
    private void assertEveryEventAudited(List<String> requestIds) throws Exception {
        Path auditDir = data.resolve("run").resolve("audit");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<AuditRecord> records = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            records = readAll(auditDir);
            if (typesOf(records, requestIds.get(0)).containsAll(Set.of("ToolCallRequested",
                    "PolicyDecided", "ToolCallCompleted")) && typesOf(records, requestIds.get(1))
                            .contains("ToolCallCompleted")
                    && count(records, "TokenMinted") >= github
                            .mintCount()) {
                break;
            }
            Thread.sleep(200);
        }

        // a TokenMinted carries the request ID too when this call minted the scope's first token
        // (when this test runs first, or alone)
        assertThat(typesOf(records, requestIds.get(0)).stream().filter(type -> !type.equals(
                "TokenMinted")).toList()).containsExactlyInAnyOrder("ToolCallRequested",
                        "PolicyDecided", "ToolCallCompleted");
        assertThat(typesOf(records, requestIds.get(1))).containsExactlyInAnyOrder(
                "ToolCallRequested", "ToolCallCompleted"); // denied: no decision for the executor
        assertThat(count(records, "TokenMinted")).isEqualTo(github.mintCount());
        assertThat(records.stream().map(r -> r.entry().eventId()).distinct().count()).isEqualTo(
                records.size());
        assertThat(records.stream().filter(r -> requestIds.get(1).equals(r.entry().requestId())
                && "ToolCallCompleted".equals(r.entry().eventType()))).singleElement().satisfies(
                        denial -> {
                            assertThat(denial.entry().outcome()).isEqualTo("DENIED");
                            assertThat(denial.entry().policyVersion()).startsWith("sha256:");
                        });
        // proof, not copies: the file read is kept as its digest and size, not its text
        assertThat(records.stream().filter(r -> requestIds.get(0).equals(r.entry().requestId())
                && "ToolCallCompleted".equals(r.entry().eventType()))).singleElement().satisfies(
                        read -> assertThat(read.entry().contextJson()).doesNotContain(
                                "Hello from the stand-in").containsPattern(
                                        "\"content\":\\{\"sha256\":\"[0-9a-f]{64}\",\"bytes\":[0-9]+\\}"));
        try (var store = EmbeddedAuditStore.openReadOnly(auditDir)) {
            var verdict = new StoreVerifier(Clock.systemUTC(), 0).verify(store,
                    StoreVerifier.Progress.NONE);
            assertThat(verdict.intact()).as(verdict.breaks().toString()).isTrue();
            // The system keeps running while this reads: later events (other calls, the
            // installation sync) may land between the two reads, never fewer than were read.
            assertThat(verdict.records()).isBetween((long) records.size(), (long) readAll(
                    auditDir).size());
        }
    }

    private static long count(List<AuditRecord> records, String type) {
        return records.stream().filter(r -> type.equals(r.entry().eventType())).count();
    }

    private String mintGatewayToken(String agent, String environment) throws Exception {
        return GatewayClient.mint(tollgate.httpPort(), ADMIN_KEY, agent, environment);
    }

    private McpSyncClient connect(String token) {
        return GatewayClient.connect(tollgate.httpPort(), token);
    }

    private static Map<String, Object> call(McpSyncClient agent, String tool,
            Map<String, Object> arguments) {
        return GatewayClient.call(agent, tool, arguments);
    }
}
