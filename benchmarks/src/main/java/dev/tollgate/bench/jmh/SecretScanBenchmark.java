package dev.tollgate.bench.jmh;

import dev.tollgate.audit.core.Redactor;
import dev.tollgate.tools.secrets.CredentialDetector;
import dev.tollgate.tools.secrets.CredentialFinding;
import dev.tollgate.tools.secrets.SecretShape;
import dev.tollgate.tools.secrets.SecretShapes;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The secret shapes' triggers on what the audit sink redacts for each event — the text fields of
 * a {@code get_file} call's request, decision and result, mostly short — and on a file's content,
 * which the decision worker checks before a write. {@code *Triggers} ask which shapes may match
 * (one pass over the text against each trigger in turn); {@code redact*} and {@code detect*}
 * are the redactor and the detector, and {@code redactShortAsBefore} the redactor's loop as it
 * was until 2026-12-06 (each trigger in turn, on a lower-cased copy), for the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SecretScanBenchmark {

    /** An event's text fields, as the audit sink reads them. */
    private final List<String> shortTexts = List.of("0f8fad5b-d9cb-469f-a165-70867728950e",
            "7c9e6679-7425-40de-944b-e07fc1f90ae7", "agent-7", "prod", "get_file",
            "github:octo-org/hello-world/src/main/java/App.java", "octo-org/hello-world",
            "src/main/java/App.java", "main", "ingress-vm-28618-1",
            "sha256:98afb4053630da8ddab9dabb3cb5a33724b12a063761eefc0ee71b10b464fb27",
            "SUCCEEDED", "2026-12-06T13:45:12.345Z", "grant 'readers' allows get_file on"
                    + " octo-org/hello-world (contents: read)",
            "rule set 'default': deny writes outside feature branches: not applicable",
            "installation 4242 covers octo-org/hello-world", "file",
            "3d21ec53a331a6f037a91c368710b99387d012c1",
            "application/vnd.github.raw+json");

    private final Redactor redactor = new Redactor();

    /** A source file of about 4 KB, as a write's content. */
    private final String fileContent = ("package com.example;\n\nimport java.util.List;\n\n"
            + "/** Reads the configuration and starts the service. */\npublic final class App {\n"
            + "    private static final String URL = \"https://api.example.com/v1/items\";\n"
            + "    public static void main(String[] args) {\n"
            + "        List<String> names = List.of(\"alpha\", \"beta\", \"gamma\");\n"
            + "        names.forEach(System.out::println); // print each name on its own line\n"
            + "    }\n}\n").repeat(9);

    @Benchmark
    public void shortTriggers(Blackhole blackhole) {
        for (String text : shortTexts) {
            blackhole.consume(SecretShapes.triggered(text));
        }
    }

    @Benchmark
    public void shortTriggersOneByOne(Blackhole blackhole) {
        for (String text : shortTexts) {
            String lower = text.toLowerCase(Locale.ROOT);
            long found = 0;
            for (int i = 0; i < SecretShapes.ALL.size(); i++) {
                if (SecretShapes.ALL.get(i).trigger().test(text, lower)) {
                    found |= 1L << i;
                }
            }
            blackhole.consume(found);
        }
    }

    /** Prose of a given length (an issue's body, a commit message): one pass on longer text. */
    @State(Scope.Benchmark)
    public static class Prose {

        @Param({"128", "512", "2048"})
        public int length;

        String text;

        @Setup
        public void setUp() {
            String sentence = "Fixes the retry of a failed upload: the client now waits for the"
                    + " server's answer before it sends the next part, as the API asks. ";
            text = sentence.repeat(length / sentence.length() + 1).substring(0, length);
        }
    }

    /** The redactor on prose, against its loop as it was. */
    @Benchmark
    public String redactProse(Prose prose) {
        return redactor.redactText(prose.text);
    }

    @Benchmark
    public String redactProseAsBefore(Prose prose) {
        return redactAsBefore(prose.text);
    }

    @Benchmark
    public void redactShort(Blackhole blackhole) {
        for (String text : shortTexts) {
            blackhole.consume(redactor.redactText(text));
        }
    }

    @Benchmark
    public void redactShortAsBefore(Blackhole blackhole) {
        for (String text : shortTexts) {
            blackhole.consume(redactAsBefore(text));
        }
    }

    @Benchmark
    public List<CredentialFinding> detectInFile() {
        return CredentialDetector.find(fileContent);
    }

    private static String redactAsBefore(String text) {
        String result = text;
        String lower = null;
        for (SecretShape shape : SecretShapes.ALL) {
            if (lower == null) {
                lower = result.toLowerCase(Locale.ROOT);
            }
            if (!shape.trigger().test(result, lower)) {
                continue;
            }
            Matcher matcher = shape.pattern().matcher(result);
            if (matcher.find()) {
                String current = result;
                String marker = shape.kind().marker();
                result = matcher.replaceAll(match -> Matcher.quoteReplacement(current.substring(
                        match.start(), shape.secretStart(match)) + marker
                        + current.substring(
                                shape.secretEnd(match), match.end())));
                lower = null;
            }
        }
        return result;
    }
}
