package dev.tollgate.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Kafka's bin scripts as a script under test calls them ({@code kafka-configs.sh},
 * {@code kafka-topics.sh}, {@code kafka-acls.sh}, {@code kafka-broker-api-versions.sh}), each
 * running its tool's main class on this JVM, for tests of the shipped shell scripts where no Kafka
 * distribution is installed. The class path is the tests' own (Kafka's jars from Central).
 */
public final class KafkaToolScripts {

    private static final Map<String, String> TOOLS = Map.of("kafka-configs.sh",
            "kafka.admin.ConfigCommand", "kafka-topics.sh", "org.apache.kafka.tools.TopicCommand",
            "kafka-acls.sh", "org.apache.kafka.tools.AclCommand", "kafka-broker-api-versions.sh",
            "org.apache.kafka.tools.BrokerApiVersionsCommand");

    private KafkaToolScripts() {
    }

    /**
     * Writes the scripts into {@code bin} (created if missing), owner-only.
     *
     * @param classPath the class path as the shell should see it: a path list, or a variable
     *        such as {@code $TOOLS_CLASSPATH} the script's caller sets
     * @param jvmOptions more options for each tool's JVM (e.g. a quiet logging configuration)
     * @return {@code bin}
     */
    public static Path write(Path bin, String classPath, String... jvmOptions) throws IOException {
        Files.createDirectories(bin);
        String java = ProcessHandle.current().info().command().orElse("java");
        StringBuilder options = new StringBuilder();
        for (String option : jvmOptions) {
            options.append(' ').append(option);
        }
        for (Map.Entry<String, String> tool : TOOLS.entrySet()) {
            Path script = bin.resolve(tool.getKey());
            Files.writeString(script, "#!/bin/sh\nexec \"" + java + "\" -Xshare:auto"
                    + " -XX:TieredStopAtLevel=1" + options + " -cp \"" + classPath + "\" "
                    + tool.getValue() + " \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        }
        return bin;
    }
}
