package dev.tollgate.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFilesTest {

    @TempDir
    Path dir;

    @Test
    void configuredValueWins() {
        assertThat(SecretFiles.resolve("k", " value ", dir.resolve("nope"), dir.resolve("gen")))
                .isEqualTo("value");
        assertThat(dir.resolve("gen")).doesNotExist();
    }

    @Test
    void configuredFileIsRead() throws Exception {
        Path file = Files.writeString(dir.resolve("key"), "from-file\n");

        assertThat(SecretFiles.resolve("k", null, file, dir.resolve("gen"))).isEqualTo(
                "from-file");
    }

    @Test
    void missingConfiguredFileNamesTheFile() {
        assertThatThrownBy(() -> SecretFiles.resolve("admin key", null, dir.resolve("absent"),
                dir.resolve("gen"))).hasMessageContaining("cannot read the admin key file")
                .hasMessageContaining("absent");
    }

    @Test
    void generatesASecretOnlyTheUserCanReadAndReusesIt() throws Exception {
        Path generated = dir.resolve("state").resolve("admin-key");

        String first = SecretFiles.resolve("k", null, null, generated);
        String second = SecretFiles.resolve("k", "", null, generated);

        assertThat(first).hasSizeGreaterThanOrEqualTo(40).isEqualTo(second);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(generated)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(generated).trim()).isEqualTo(first);
    }
}
