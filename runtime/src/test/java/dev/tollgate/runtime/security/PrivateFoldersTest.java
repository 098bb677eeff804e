package dev.tollgate.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data folder is private whichever command makes it, and an open one is closed. */
class PrivateFoldersTest {

    @TempDir
    Path dir;

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void createsEveryMissingFolderOwnerOnlyWhateverTheUmask() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path made = PrivateFolders.create(dir.resolve(".tollgate/bench-ts-client"));

        assertThat(made).isDirectory();
        assertThat(mode(dir.resolve(".tollgate"))).isEqualTo("rwx------");
        assertThat(mode(made)).isEqualTo("rwx------");
        assertThat(mode(dir)).as("an existing folder is left as it is").isEqualTo("rwxr-xr-x");
    }

    @Test
    void anExistingFolderOthersCanEnterIsTightenedAndSaysSo() throws Exception {
        Path data = Files.createDirectories(dir.resolve(".tollgate/bench-ts-client"))
                .getParent();
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));

        var said = PrivateFolders.createOrTighten("the data folder", data);

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(said).hasValueSatisfying(line -> assertThat(line).contains(data.toString(),
                "rwxr-xr-x", "other users could enter it", "rwx------"));
    }

    @Test
    void aPrivateOrNewFolderIsUsedAsItIs() throws Exception {
        Path fresh = dir.resolve("new/.tollgate");
        Path kept = Files.createDirectories(dir.resolve("kept"));
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rwx------"));

        var made = PrivateFolders.createOrTighten("the data folder", fresh);
        var left = PrivateFolders.createOrTighten("the data folder", kept);

        assertThat(made).isEmpty();
        assertThat(left).isEmpty();
        assertThat(mode(fresh)).isEqualTo("rwx------");
        assertThat(mode(fresh.getParent())).isEqualTo("rwx------");
        assertThat(mode(kept)).isEqualTo("rwx------");
    }
}
