package dev.tollgate.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kafka's bin scripts as a script under test calls them ({@code kafka-configs.sh},
 * {@code kafka-topics.sh}, {@code kafka-acls.sh}, {@code kafka-broker-api-versions.sh}), each
 * running its tool's main class on this JVM, for tests of the shipped shell scripts where no Kafka
 * distribution is installed. The class path is the tests' own jars ({@link #classPath()}: Kafka's
 * jars from Central).
 *
 * <p>A script under test runs dozens of these tools one after another, and each is a new JVM
 * that loads the same few thousand classes of Kafka's clients, Scala and the logging. So the
 * scripts share a class-data archive ({@value #ARCHIVE}, beside them): the first tool's JVM writes
 * it as it exits and the later ones map it instead of loading those classes again, which roughly
 * halves each tool's start-up. The JVM writes it only from jars (a class path with a non-empty
 * folder fails the tool), so pass {@link #classPath()}; and the tools must run one at a time, as a
 * script runs them, since two JVMs would both write the one file. The JVM's own warnings go to
 * stderr (its list of the classes it did not archive would otherwise join the tool's output). The
 * tools log warnings and errors only ({@value #LOGGING}, beside them; without a configuration
 * Logback prints every DEBUG line of the admin client), to stdout as before.
 */
public final class KafkaToolScripts {

    private static final Map<String, String> TOOLS = Map.of("kafka-configs.sh",
            "kafka.admin.ConfigCommand", "kafka-topics.sh", "org.apache.kafka.tools.TopicCommand",
            "kafka-acls.sh", "org.apache.kafka.tools.AclCommand", "kafka-broker-api-versions.sh",
            "org.apache.kafka.tools.BrokerApiVersionsCommand");

    /** The class-data archive the tools' JVMs share, in the scripts' folder. */
    static final String ARCHIVE = "tools.jsa";

    /** The logging configuration the tools read, beside them: warnings and errors only. */
    static final String LOGGING = "logback.xml";

    private KafkaToolScripts() {
    }

    /**
     * This JVM's class path, its jars only: the tools need none of the test classes, and a folder
     * of classes would keep the JVM from writing the shared class-data archive.
     */
    public static String classPath() {
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(entry);
            }
        }
        return String.join(File.pathSeparator, jars);
    }

    /**
     * Writes the scripts into {@code bin} (created if missing), owner-only.
     *
     * @param classPath the class path as the shell should see it: {@link #classPath()}, or a
     *        variable such as {@code $TOOLS_CLASSPATH} the script's caller sets to it
     * @param jvmOptions more options for each tool's JVM (e.g. a quiet logging configuration)
     * @return {@code bin}
     */
    public static Path write(Path bin, String classPath, String... jvmOptions) throws IOException {
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isDirectory(Path.of(entry))) {
                throw new IllegalArgumentException("the tools' class path holds the folder " + entry
                        + ": pass KafkaToolScripts.classPath() (jars only), since the JVM writes"
                        + " no class-data archive from a folder and then fails the tool");
            }
        }
        Files.createDirectories(bin);
        Path logging = bin.resolve(LOGGING);
        Files.writeString(logging, "<configuration><appender name=\"out\" class=\""
                + "ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%d %-5level"
                + " %logger{30} %msg%n</pattern></encoder></appender><root level=\"WARN\">"
                + "<appender-ref ref=\"out\"/></root></configuration>");
        String java = ProcessHandle.current().info().command().orElse("java");
        StringBuilder options = new StringBuilder();
        for (String option : jvmOptions) {
            options.append(' ').append(option);
        }
        for (Map.Entry<String, String> tool : TOOLS.entrySet()) {
            Path script = bin.resolve(tool.getKey());
            Files.writeString(script, "#!/bin/sh\nexec \"" + java + "\" -Xshare:auto"
                    + " -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=\"" + bin.resolve(
                            ARCHIVE)
                    + "\" -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds*=error:stderr"
                    + " -XX:TieredStopAtLevel=1 -Dlogback.configurationFile=\"" + logging + "\""
                    + options
                    + " -cp \"" + classPath + "\" " + tool.getValue() + " \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        return bin;
    }
}
