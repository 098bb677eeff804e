package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Committed snapshots of every tool as agents see it, under {@code src/test/resources/toolsnaps}.
 * A missing or different snapshot fails; run with {@code UPDATE_TOOLSNAPS=true} to rewrite them
 * after a deliberate change (and review the diff).
 */
public final class ToolSnapshots {

    public static final Path DIRECTORY = Path.of("src", "test", "resources", "toolsnaps");
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    private ToolSnapshots() {
    }

    public static Path file(String toolName) {
        return DIRECTORY.resolve(toolName + ".snap.json");
    }

    public static boolean updating() {
        return "true".equalsIgnoreCase(System.getenv("UPDATE_TOOLSNAPS"));
    }

    /** Compares {@code actual} (any JSON-serializable value) with the tool's snapshot. */
    public static void assertMatches(String toolName, Object actual) {
        JsonNode actualNode = JSON.readTree(JSON.writeValueAsString(actual));
        Path file = file(toolName);
        try {
            if (updating()) {
                Files.createDirectories(DIRECTORY);
                Files.writeString(file, JSON.writeValueAsString(actualNode) + "\n",
                        StandardCharsets.UTF_8);
                return;
            }
            if (!Files.exists(file)) {
                fail("no snapshot for tool " + toolName + " at " + file.toAbsolutePath()
                        + ": run the tests with UPDATE_TOOLSNAPS=true and commit the file");
            }
            JsonNode expected = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            assertThat(actualNode)
                    .as("tool %s differs from its snapshot %s (if the change is deliberate, "
                            + "rerun with UPDATE_TOOLSNAPS=true and review the diff)", toolName,
                            file)
                    .isEqualTo(expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
