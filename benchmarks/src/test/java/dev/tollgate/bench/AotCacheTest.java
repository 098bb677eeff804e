package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The goals run's AOT cache: when it can be used, the classpath of jars it needs, and the three
 * steps (record, create, start from it) with a real JDK 25 on a small program.
 */
class AotCacheTest {

    @TempDir
    Path temp;

    @Test
    void needsJdk25TheSystemInOneChildJvmAndPlainJars() {
        assertThat(AotCache.unsupported(Bench.SystemMode.PROCESS, 25, false)).isNull();
        assertThat(AotCache.unsupported(Bench.SystemMode.PROCESS, 26, false)).isNull();
        assertThat(AotCache.unsupported(Bench.SystemMode.PROCESS, 21, false)).isEqualTo(
                "the AOT cache needs JDK 25 or newer; this is JDK 21");
        assertThat(AotCache.unsupported(Bench.SystemMode.ROLES, 25, false)).contains(
                "--system process only");
        assertThat(AotCache.unsupported(Bench.SystemMode.IN_PROCESS, 25, false)).contains(
                "--system process only");
        assertThat(AotCache.unsupported(Bench.SystemMode.PROCESS, 25, true)).contains(
                "tollgate.jar", "nested");
    }

    @Test
    void theGoalsTrainTheCacheUnlessToldNot() {
        assertThat(Bench.Options.parse(new String[]{"--goals"}).aot()).isTrue();
        assertThat(Bench.Options.parse(new String[]{"--goals", "--no-aot"}).aot()).isFalse();
        assertThat(Bench.Options.parse(new String[]{"--goals", "--aot=false"}).aot()).isFalse();
    }

    @Test
    void aModulesClassesFolderIsNamedAfterItsModule() {
        assertThat(AotCache.folderName(Path.of("/w/ingress/target/classes"))).isEqualTo(
                "ingress");
        assertThat(AotCache.folderName(Path.of("/w/x/target/test-classes"))).isEqualTo(
                "test-classes");
        assertThat(AotCache.folderName(Path.of("/w/odd dir"))).isEqualTo("odd_dir");
    }

    @Test
    void aFolderBecomesAJarWithEveryFileAndDirectoryEntry() throws IOException {
        Path folder = temp.resolve("classes");
        Files.createDirectories(folder.resolve("dev/tollgate/x"));
        Files.createDirectories(folder.resolve("META-INF"));
        Files.createDirectories(folder.resolve("empty"));
        byte[] bytes = new byte[70_000];
        new java.util.Random(7).nextBytes(bytes);
        Files.write(folder.resolve("dev/tollgate/x/A.class"), bytes);
        Files.writeString(folder.resolve("META-INF/spring.factories"), "a=b\n");
        Files.writeString(folder.resolve("application.yml"), "x: 1\n");
        Files.setLastModifiedTime(folder.resolve("application.yml"), FileTime.fromMillis(
                1_700_000_000_000L));
        Path jar = temp.resolve("classes.jar");

        AotCache.jar(folder, jar);

        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> names = Collections.list(file.entries()).stream().map(e -> e.getName())
                    .sorted().toList();
            assertThat(names).containsExactly("META-INF/", "META-INF/spring.factories",
                    "application.yml", "dev/", "dev/tollgate/", "dev/tollgate/x/",
                    "dev/tollgate/x/A.class", "empty/");
            assertThat(file.getInputStream(file.getEntry("dev/tollgate/x/A.class"))
                    .readAllBytes()).isEqualTo(bytes);
            assertThat(new String(file.getInputStream(file.getEntry("META-INF/spring.factories"))
                    .readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a=b\n");
            // Spring's classpath scanning asks the class loader for a package's directory entry
            assertThat(file.getEntry("dev/tollgate/").isDirectory()).isTrue();
            // second precision in the zip's old time field, as the file had
            assertThat(file.getEntry("application.yml").getTime() / 1000).isEqualTo(
                    1_700_000_000L);
        }
    }

    @Test
    void theClasspathKeepsItsOrderWithEachFolderAJarAndDropsWhatIsGone() throws IOException {
        Path first = Files.createDirectories(temp.resolve("a/target/classes"));
        Files.writeString(first.resolve("one.txt"), "1");
        Path jar = Files.writeString(temp.resolve("lib.jar"), "not really a jar");
        Path second = Files.createDirectories(temp.resolve("b/target/classes"));
        Files.writeString(second.resolve("two.txt"), "2");
        String classpath = String.join(File.pathSeparator, first.toString(), jar.toString(),
                temp.resolve("gone.jar").toString(), "", second.toString());

        AotCache cache = AotCache.prepare(temp.resolve("aot"), classpath);

        assertThat(cache.classpath().split(File.pathSeparator)).containsExactly(temp.resolve(
                "aot/00-a.jar").toString(), jar.toString(), temp.resolve("aot/01-b.jar")
                        .toString());
        assertThat(cache.recordOptions()).containsExactly("-XX:AOTMode=record",
                "-XX:AOTConfiguration=" + temp.resolve("aot/system.aotconf"));
        assertThat(cache.useOptions()).containsExactly("-XX:AOTMode=on", "-XX:AOTCache="
                + temp.resolve("aot/system.aot"));
    }

    @Test
    void withoutTheTrainingRunsRecordThereIsNothingToAssemble() throws IOException {
        AotCache cache = AotCache.prepare(temp.resolve("aot"), "");

        assertThatThrownBy(() -> cache.create(ChildJvm.java(), List.of(), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("wrote no AOT configuration");
    }

    @Test
    void aProgramRecordedOnceStartsFromItsCacheAndAChangedJarIsCaught() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= AotCache.JDK,
                "JDK 25's AOT cache needs a JDK 25+; this test runs on " + Runtime.version());
        Path classes = Path.of(AotTrainee.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        AotCache cache = AotCache.prepare(temp.resolve("aot"), classes.toString());
        assertThat(cache.classpath()).doesNotContain(classes.toString()).endsWith(".jar");

        Run training = java(cache.recordOptions(), cache.classpath());
        assertThat(training.exit()).as(training.output()).isZero();
        assertThat(training.output()).contains("trainee matched 20000");
        assertThat(cache.configuration()).isNotEmptyFile();

        AotCache.Created created = cache.create(ChildJvm.java(), List.of(), new PrintStream(
                new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(created.bytes()).isPositive().isEqualTo(Files.size(cache.cache()));
        assertThat(created.seconds()).isPositive();

        // -XX:AOTMode=on: the JVM starts from the cache or not at all
        Run fromCache = java(cache.useOptions(), cache.classpath());
        assertThat(fromCache.exit()).as(fromCache.output()).isZero();
        assertThat(fromCache.output()).contains("trainee matched 20000");

        // a jar changed since the training: the bench refuses to start from the cache (JDK 25
        // up to 25.0.3 would start and run the old classes, JDK-8377932)
        cache.checkUnchanged();
        Path jar = Path.of(cache.classpath().split(File.pathSeparator)[0]);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar)
                .toMillis() + 60_000));
        assertThatThrownBy(cache::checkUnchanged).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(jar + " changed since the AOT cache was trained");
    }

    @Test
    void aJarRewrittenOrRemovedAfterThePreparationIsCaught() throws IOException {
        Path folder = Files.createDirectories(temp.resolve("m/target/classes"));
        Files.writeString(folder.resolve("a.txt"), "a");
        Path lib = Files.writeString(temp.resolve("lib.jar"), "one");
        AotCache cache = AotCache.prepare(temp.resolve("aot"), folder + File.pathSeparator + lib);
        cache.checkUnchanged();

        Files.writeString(lib, "two, longer");
        assertThatThrownBy(cache::checkUnchanged).hasMessageContaining(lib.toString())
                .hasMessageContaining("now 11 bytes");
        Files.delete(lib);
        assertThatThrownBy(cache::checkUnchanged).hasMessageContaining("now gone");
    }

    private record Run(int exit, String output) {
    }

    private static Run java(List<String> options, String classpath) throws Exception {
        List<String> command = new ArrayList<>(List.of(ChildJvm.java()));
        command.addAll(options);
        command.addAll(List.of("-cp", classpath, AotTrainee.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s still running", command).isTrue();
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
