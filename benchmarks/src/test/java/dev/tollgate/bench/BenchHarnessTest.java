package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BenchHarnessTest {

    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void standInMintsTokensExpiringAnHourAheadAndCountsThemPerScope() throws Exception {
        try (GitHubStandIn github = new GitHubStandIn(0, Clock.fixed(NOW, ZoneOffset.UTC))) {
            String scopeA = "{\"repositories\":[\"repo-0\"],\"permissions\":{\"contents\":\"read\"}}";
            String scopeB = "{\"repositories\":[\"repo-1\"],\"permissions\":{\"contents\":\"read\"}}";

            var first = github.answer("POST", "/app/installations/42/access_tokens", scopeA);
            github.answer("POST", "/app/installations/42/access_tokens", scopeA);
            github.answer("POST", "/app/installations/42/access_tokens", scopeB);

            assertThat(first.status()).isEqualTo(201);
            assertThat(first.body()).contains("\"expires_at\":\"2026-11-22T01:00:00Z\"")
                    .contains("\"token\":\"ghs_standin1\"");
            assertThat(github.mints()).isEqualTo(3);
            assertThat(github.mintsByScope()).containsValues(2L, 1L).hasSize(2);
        }
    }

    @Test
    void standInAnswersTheInstallationLookupWithOneInstallationPerOwner() throws Exception {
        try (GitHubStandIn github = new GitHubStandIn(0)) {
            var a = github.answer("GET", "/repos/bench-org/repo-0/installation", "");
            var b = github.answer("GET", "/repos/bench-org/repo-1/installation", "");
            var other = github.answer("GET", "/repos/bench-org-1/repo-0/installation", "");

            long id = GitHubStandIn.installationOf("bench-org");
            assertThat(a.body()).contains("\"id\":" + id + ",");
            assertThat(b.body()).isEqualTo(a.body());
            assertThat(other.body()).doesNotContain("\"id\":" + id + ",");
        }
    }

    @Test
    void standInServesFileContentsAndGitHubsNotFoundForTheRest() throws Exception {
        try (GitHubStandIn github = new GitHubStandIn(0)) {
            var file = github.answer("GET", "/repos/bench-org/repo-0/contents/docs/README.md", "");
            var unknown = github.answer("DELETE", "/repos/bench-org/repo-0", "");

            assertThat(file.status()).isEqualTo(200);
            assertThat(file.body()).contains("\"encoding\":\"base64\"").contains(
                    "\"path\":\"docs/README.md\"").contains("\"name\":\"README.md\"");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(github.mints()).isZero();
        }
    }

    @Test
    void optionsSpreadSlotsOverOwnersAndRepositories() {
        Bench.Options options = Bench.Options.parse(new String[]{"--owners", "2", "--repos", "3",
                "--set", "tollgate.executor.consumers=4", "--rate", "500"});

        assertThat(options.ownerNames()).containsExactly("bench-org", "bench-org-1");
        assertThat(options.owner(3)).isEqualTo("bench-org-1");
        assertThat(options.repo(3)).isEqualTo("repo-1");
        assertThat(options.repo(6)).isEqualTo("repo-0");
        assertThat(options.launcherArgs()).containsExactly("--tollgate.executor.consumers=4");
        assertThat(options.rate()).isEqualTo(500.0);
        assertThat(options.standalone()).isTrue();
        assertThat(options.floorCalls()).isEqualTo(2000);
        assertThat(Bench.Options.parse(new String[]{"--calls", "9000", "--floor-calls", "500"})
                .floorCalls()).isEqualTo(500);
    }

    @Test
    void theSystemRunsInOneChildJvmUnlessAskedOtherwise() {
        Bench.Options defaults = Bench.Options.parse(new String[]{});
        Bench.Options roles = Bench.Options.parse(new String[]{"--system", "roles"});
        Bench.Options tuned = Bench.Options.parse(new String[]{"--system", "in-process",
                "--system-jvm", " -Xmx1g  -XX:+UseZGC "});

        assertThat(defaults.system()).isEqualTo(Bench.SystemMode.PROCESS);
        assertThat(defaults.childJvmOptions()).containsExactly("-Xmx2g", "-Xms1g");
        assertThat(roles.system()).isEqualTo(Bench.SystemMode.ROLES);
        assertThat(roles.childJvmOptions()).containsExactly("-Xmx512m");
        assertThat(tuned.system()).isEqualTo(Bench.SystemMode.IN_PROCESS);
        assertThat(tuned.childJvmOptions()).containsExactly("-Xmx1g", "-XX:+UseZGC");
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--system", "docker"}))
                .hasMessageContaining("process, roles or in-process");
    }

    @Test
    void theLaunchersReadyLinesGiveTheBrokerAndTheIngress() {
        var broker = ProcessSystem.BROKER_UP.matcher(
                "[tollgate] Kafka broker up at 127.0.0.1:40123 in 2345 ms");
        var ready = ProcessSystem.READY.matcher("[tollgate] ready in 30123 ms:"
                + " http://127.0.0.1:41709 (/healthz, /readyz, /mcp); roles: [audit-sink]");
        var roleBroker = RoleSystem.BROKER_READY.matcher("[broker] ready at 127.0.0.1:40999");

        assertThat(broker.find()).isTrue();
        assertThat(broker.group(1)).isEqualTo("127.0.0.1:40123");
        assertThat(ready.find()).isTrue();
        assertThat(ready.group(1)).isEqualTo("http://127.0.0.1:41709");
        assertThat(roleBroker.find()).isTrue();
        assertThat(roleBroker.group(1)).isEqualTo("127.0.0.1:40999");
        assertThat(ProcessSystem.NOT_READY.matcher("[tollgate] not ready after a minute: [x]")
                .find()).isTrue();
    }

    @Test
    void everyRoleJvmGetsTheBrokerItsPortAndNoTopicProvisioning() throws Exception {
        SystemSetup setup = SystemSetup.create(List.of("bench-org"));
        try {
            var env = RoleSystem.commonEnv("ingress", "127.0.0.1:9999", 8123);
            var roles = RoleSystem.roles(setup, "http://127.0.0.1:7000");

            assertThat(env).containsEntry("SPRING_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9999")
                    .containsEntry("SERVER_PORT", "8123").containsEntry(
                            "TOLLGATE_KAFKA_PROVISION_TOPICS", "false")
                    .containsEntry("TOLLGATE_INSTANCE_ID", "ingress");
            assertThat(roles).extracting(RoleSystem.RoleSpec::name).containsExactly("audit-sink",
                    "decision-worker", "executor-worker", "ingress");
            assertThat(roles.get(2).env()).containsEntry("TOLLGATE_GITHUB_API_URL",
                    "http://127.0.0.1:7000").containsEntry("TOLLGATE_GITHUB_APP_ID", "1");
            assertThat(roles.get(3).env()).containsEntry("TOLLGATE_ADMIN_KEY", setup.adminKey());
        } finally {
            setup.delete();
        }
    }

    @Test
    void optionsTakeTheirValueAfterAnEqualsSignToo() {
        Bench.Options options = Bench.Options.parse(new String[]{"--calls=300", "--system=roles",
                "--set=tollgate.executor.consumers=2", "--json"});

        assertThat(options.calls()).isEqualTo(300);
        assertThat(options.system()).isEqualTo(Bench.SystemMode.ROLES);
        assertThat(options.launcherArgs()).containsExactly("--tollgate.executor.consumers=2");
        assertThat(options.json()).isTrue();
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--calls=many"}))
                .hasMessageContaining("--calls");
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--help"})).isInstanceOf(
                Bench.HelpRequested.class);
    }

    @Test
    void aTargetNeedsAToken() {
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--target",
                "http://127.0.0.1:8080"})).hasMessageContaining("--target and --token go together");
        assertThatThrownBy(() -> Bench.Options.parse(new String[]{"--set", "nonsense"}))
                .hasMessageContaining("KEY=VALUE");
    }

    @Test
    void thePolicyGrantsReadOnEveryBenchmarkOwner() {
        String policy = SystemSetup.policy(List.of("bench-org", "bench-org-1"));

        assertThat(policy).contains("\"bench-org/*\" = { read = true }").contains(
                "\"bench-org-1/*\" = { read = true }");
    }

    @Test
    void aSettingPassedToTheLauncherReplacesTheHarnessDefaultInsteadOfDoublingIt() {
        List<String> args = SystemSetup.withOverrides(List.of("--fresh", "--server.port=0",
                "--tollgate.policy.watch=false"),
                List.of("--server.port=9000",
                        "--tollgate.executor.consumers=2"));

        assertThat(args).containsExactly("--fresh", "--tollgate.policy.watch=false",
                "--server.port=9000", "--tollgate.executor.consumers=2");
    }

    @Test
    void oneAgentDrivingTheWholeLoadIsHeldByNoneOfTheIngresssPerAgentBounds() throws Exception {
        SystemSetup setup = SystemSetup.create(List.of("bench-org"));
        try {
            List<String> args = setup.launcherArgs("http://127.0.0.1:1", List.of());

            assertThat(args).contains(
                    "--tollgate.ingress.rate-limit.agent-limit-for-period=1000000",
                    "--tollgate.ingress.rate-limit.protocol-limit-for-period=1000000",
                    "--tollgate.ingress.max-requests-in-flight-per-agent=1000000");
            assertThat(RoleSystem.roles(setup, "http://127.0.0.1:1").getLast().env())
                    .containsEntry("TOLLGATE_INGRESS_MAX_REQUESTS_IN_FLIGHT_PER_AGENT", "1000000");
        } finally {
            setup.delete();
        }
    }

    @Test
    void readsKibFiguresFromProcStatus() {
        List<String> status = List.of("Name:\tjava", "VmHWM:\t  654321 kB", "VmRSS:\t  600000 kB");

        assertThat(Bench.parseStatus(status, "VmHWM")).isEqualTo(654321);
        assertThat(Bench.parseStatus(status, "VmSwap")).isZero();
    }

    @Test
    void theLoadCountsEveryCallAsMeasuredOrFailed() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        LatencyStats stats = Load.run("s", 30, 4, 0, slot -> () -> calls.incrementAndGet() % 3 != 0,
                null);

        assertThat(calls.get()).isEqualTo(30);
        assertThat(stats.calls()).isEqualTo(20);
        assertThat(stats.errors()).isEqualTo(10);
    }

    @Test
    void theOpenLoopMakesExactlyTheCallsAsked() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        LatencyStats stats = Load.run("s", 25, 2, 5000, slot -> () -> {
            calls.incrementAndGet();
            return true;
        }, null);

        assertThat(calls.get()).isEqualTo(25);
        assertThat(stats.calls()).isEqualTo(25);
        assertThat(stats.errors()).isZero();
    }
}
