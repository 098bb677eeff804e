package dev.tollgate.decision.policy.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.decision.policy.Decision;
import dev.tollgate.decision.policy.DecisionRequest;
import dev.tollgate.decision.policy.InvalidPolicyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live reload with real files; the trigger is called directly, the clock is fixed. */
class PolicyReloaderTest {

    private static final String READ_ONLY = "[gh.repos]\n\"myorg/app\" = { read = true }\n";
    private static final String WRITE = "[gh.repos]\n\"myorg/app\" = { write = true }\n";
    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final List<PolicyListener.Loaded> loaded = new CopyOnWriteArrayList<>();
    private final List<PolicyListener.Failed> failed = new CopyOnWriteArrayList<>();
    private final PolicyListener listener = new PolicyListener() {
        @Override
        public void loaded(Loaded event) {
            loaded.add(event);
        }

        @Override
        public void failed(Failed event) {
            failed.add(event);
        }
    };

    private static DecisionRequest createIssue() {
        return DecisionRequest.of("bot", "prod", "create_issue", "myorg/app");
    }

    private PolicyReloader started(String text) throws Exception {
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, text);
        PolicyReloader reloader = new PolicyReloader(file, listener, clock);
        reloader.start();
        return reloader;
    }

    @Test
    void startLoadsThePolicyAndTellsTheListener() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);

        assertThat(reloader.get().decide(createIssue()).allowed()).isFalse();
        assertThat(loaded).singleElement().satisfies(event -> {
            assertThat(event.version()).isEqualTo(reloader.current().policy().version());
            assertThat(event.previousVersion()).isNull();
            assertThat(event.ruleCount()).isEqualTo(1);
            assertThat(event.at()).isEqualTo(NOW);
            assertThat(event.source()).endsWith("policy.toml");
        });
    }

    @Test
    void startRefusesABadFileAndTellsTheListener() throws Exception {
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, "[gh.repos]\n\"myorg/app\" = { rread = true }\n");
        PolicyReloader reloader = new PolicyReloader(file, listener, clock);

        assertThatThrownBy(reloader::start).isInstanceOf(InvalidPolicyException.class);
        assertThat(failed).singleElement().satisfies(event -> {
            assertThat(event.error()).contains("policy.toml:2:").contains("rread");
            assertThat(event.versionInForce()).isNull();
        });
        assertThatThrownBy(reloader::get).hasMessageContaining("no policy loaded");
    }

    @Test
    void anUnchangedFileIsNotReloaded() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);

        boolean swapped = reloader.checkNow();

        assertThat(swapped).isFalse();
        assertThat(loaded).hasSize(1);
    }

    @Test
    void anEditTakesEffectOnTheNextCheck() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);
        String before = reloader.current().policy().version();
        Files.writeString(dir.resolve("policy.toml"), WRITE);

        boolean swapped = reloader.checkNow();

        assertThat(swapped).isTrue();
        Decision decision = reloader.get().decide(createIssue());
        assertThat(decision.allowed()).isTrue();
        assertThat(decision.policyVersion()).isNotEqualTo(before);
        assertThat(loaded).hasSize(2).last().satisfies(event -> {
            assertThat(event.previousVersion()).isEqualTo(before);
            assertThat(event.version()).isEqualTo(decision.policyVersion());
        });
    }

    @Test
    void aBadEditKeepsTheOldPolicyAndNamesTheLine() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);
        String before = reloader.current().policy().version();
        Files.writeString(dir.resolve("policy.toml"),
                READ_ONLY + "\"myorg/web\" = { delete_repo = true }\n");

        boolean swapped = reloader.checkNow();

        assertThat(swapped).isFalse();
        assertThat(reloader.current().policy().version()).isEqualTo(before);
        assertThat(reloader.get().decide(DecisionRequest.of("bot", "prod", "get_file",
                "myorg/app")).allowed()).isTrue();
        assertThat(failed).singleElement().satisfies(event -> {
            assertThat(event.error()).contains("policy.toml:3:").contains("deleting a repository");
            assertThat(event.problems()).singleElement().satisfies(problem -> assertThat(problem
                    .line()).isEqualTo(3));
            assertThat(event.versionInForce()).isEqualTo(before);
            assertThat(event.at()).isEqualTo(NOW);
        });
    }

    @Test
    void anEditThatEmptiesAGrantsConditionKeepsTheOldPolicy() throws Exception {
        String narrowed = """
                [[grant]]
                repos = ["myorg/app"]
                allow = ["read"]
                paths = ["docs/**"]
                """;
        PolicyReloader reloader = started(narrowed);
        String before = reloader.current().policy().version();
        Files.writeString(dir.resolve("policy.toml"), narrowed.replace("[\"docs/**\"]", "[]"));

        boolean swapped = reloader.checkNow();

        assertThat(swapped).isFalse();
        assertThat(reloader.current().policy().version()).isEqualTo(before);
        assertThat(reloader.get().decide(DecisionRequest.forCall("bot", "prod", "get_file",
                java.util.Map.of("owner", "myorg", "repo", "app", "path", "secrets/prod.env")))
                .allowed()).isFalse();
        assertThat(failed).singleElement().satisfies(event -> assertThat(event.error()).contains(
                "policy.toml:4:").contains("an empty list matches nothing"));
    }

    @Test
    void theSameBadContentIsReportedOnce() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);
        Files.writeString(dir.resolve("policy.toml"), "not = [valid");

        reloader.checkNow();
        reloader.checkNow();
        reloader.checkNow();

        assertThat(failed).hasSize(1);
    }

    @Test
    void fixingTheFileAfterAFailureLoadsIt() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);
        Files.writeString(dir.resolve("policy.toml"), "not = [valid");
        reloader.checkNow();
        Files.writeString(dir.resolve("policy.toml"), WRITE);

        boolean swapped = reloader.checkNow();

        assertThat(swapped).isTrue();
        assertThat(reloader.get().decide(createIssue()).allowed()).isTrue();
        assertThat(failed).hasSize(1);
        assertThat(loaded).hasSize(2);
    }

    @Test
    void aDeletedFileKeepsTheOldPolicy() throws Exception {
        PolicyReloader reloader = started(WRITE);
        Files.delete(dir.resolve("policy.toml"));

        reloader.checkNow();

        assertThat(reloader.get().decide(createIssue()).allowed()).isTrue();
        assertThat(failed).singleElement().satisfies(event -> assertThat(event.error())
                .contains("no such file"));
    }

    @Test
    void aCommentOnlyEditKeepsTheVersion() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);
        String before = reloader.current().policy().version();
        Files.writeString(dir.resolve("policy.toml"), "# reviewed by security\n" + READ_ONLY);

        reloader.checkNow();

        assertThat(reloader.current().policy().version()).isEqualTo(before);
    }

    @Test
    void decisionsDuringReloadsComeFromOneWholePolicy() throws Exception {
        PolicyReloader reloader = started(READ_ONLY);
        String readVersion = reloader.current().policy().version();
        Files.writeString(dir.resolve("policy.toml"), WRITE);
        reloader.checkNow();
        String writeVersion = reloader.current().policy().version();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> inconsistency = new AtomicReference<>();
        Thread decider = new Thread(() -> {
            while (!stop.get()) {
                Decision decision = reloader.get().decide(createIssue());
                boolean expected = decision.policyVersion().equals(writeVersion);
                if (!decision.policyVersion().equals(readVersion) && !expected
                        || decision.allowed() != expected) {
                    inconsistency.set(decision.policyVersion() + " allowed=" + decision
                            .allowed());
                }
            }
        });
        decider.start();

        for (int i = 0; i < 40; i++) {
            Files.writeString(dir.resolve("policy.toml"), i % 2 == 0 ? READ_ONLY : WRITE);
            reloader.checkNow();
        }
        stop.set(true);
        decider.join();

        assertThat(inconsistency.get()).isNull();
        assertThat(loaded).hasSize(42);
    }

    @Test
    void theWatcherReloadsWhenTheFileChanges() throws Exception {
        Path file = dir.resolve("policy.toml");
        Files.writeString(file, READ_ONLY);
        CountDownLatch reloaded = new CountDownLatch(1);
        PolicyReloader reloader = new PolicyReloader(file, new PolicyListener() {
            @Override
            public void loaded(Loaded event) {
                if (event.previousVersion() != null) {
                    reloaded.countDown();
                }
            }

            @Override
            public void failed(Failed event) {
            }
        }, clock);
        reloader.start();
        reloader.watch();

        Files.writeString(dir.resolve("policy.toml.tmp"), WRITE);
        Files.move(dir.resolve("policy.toml.tmp"), file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        assertThat(reloaded.await(60, TimeUnit.SECONDS)).as("the watcher saw the change")
                .isTrue();
        assertThat(reloader.get().decide(createIssue()).allowed()).isTrue();
        reloader.close();
    }
}
