package dev.tollgate.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.LoggerFactory;
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

    private Path secret(String name, String mode) throws Exception {
        Path file = Files.writeString(dir.resolve(name), "s3cret-value\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @Test
    void configuredFileIsRead() throws Exception {
        Path file = secret("key", "rw-------");
        Files.writeString(file, "from-file\n");

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

    @Test
    void aStateFileThatIsASymbolicLinkIsRefused() throws Exception {
        Path target = secret("elsewhere", "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("admin-key"), target);

        assertThatThrownBy(() -> SecretFiles.resolve("admin key", null, null, link))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(link.toString())
                .hasMessageContaining("symbolic link")
                .hasMessageContaining("delete")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aStateFileReadableByItsGroupOrEveryoneIsRefusedNamingTheChmod() throws Exception {
        Path groupReadable = secret("group", "rw-r-----");
        Path worldReadable = secret("world", "rw-r--r--");

        assertThatThrownBy(() -> SecretFiles.resolve("admin key", null, null, groupReadable))
                .hasMessageContaining("rw-r-----").hasMessageContaining("chmod 600 "
                        + groupReadable);
        assertThatThrownBy(() -> SecretFiles.resolve("signing key", null, null, worldReadable))
                .hasMessageContaining("chmod 600 " + worldReadable);
        assertThat(SecretFiles.resolve("k", null, null, secret("owner-only", "r--------")))
                .isEqualTo("s3cret-value");
    }

    @Test
    void aStateFileOwnedByAnotherUserIsRefused() throws Exception {
        Path file = secret("admin-key", "rw-------");
        Assumptions.assumeTrue(chownToNobody(file), "only root can give a file away");

        assertThatThrownBy(() -> SecretFiles.resolve("admin key", null, null, file))
                .hasMessageContaining("owned by user 65534")
                .hasMessageContaining("chown");
    }

    @Test
    void aConfiguredFileEveryoneCanWriteIsRefusedAndOneEveryoneCanReadIsUsedWithAWarning()
            throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path groupWritable = secret("group-writable", "rw-rw----");
        Path worldWritable = secret("world-writable", "rw-r--rw-");
        Path worldReadable = secret("world-readable", "rw-r--r--");
        Path foreign = secret("foreign", "r--------");
        boolean given = chownToNobody(foreign);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        Logger logger = (Logger) LoggerFactory.getLogger(SecretFiles.class);
        logger.addAppender(warnings);
        try {
            assertThatThrownBy(() -> SecretFiles.resolve("admin key", null, worldWritable, null))
                    .hasMessageContaining("rw-r--rw-").hasMessageContaining("chmod go-w,o-r "
                            + worldWritable);

            String readable = SecretFiles.readConfigured("webhook secret", worldReadable);
            String groupChangeable = SecretFiles.readConfigured("webhook secret", groupWritable);
            String owned = SecretFiles.readConfigured("admin key", foreign);

            assertThat(readable).isEqualTo("s3cret-value");
            assertThat(groupChangeable).isEqualTo("s3cret-value");
            assertThat(owned).isEqualTo("s3cret-value");
            assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(message -> assertThat(message).contains(worldReadable.toString(),
                            "every user", "chmod 600 " + worldReadable, "chmod 700")
                            .doesNotContain("o-rwx"))
                    .anySatisfy(message -> assertThat(message).contains(groupWritable.toString(),
                            "changed by its group"))
                    .allSatisfy(message -> assertThat(message).doesNotContain("s3cret"));
            if (given) {
                assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage)
                        .anySatisfy(message -> assertThat(message).contains(foreign.toString(),
                                "owned by user 65534"));
            }
        } finally {
            logger.detachAppender(warnings);
        }
    }

    /**
     * A Docker Compose secret stays readable by every user (the container's user is not the
     * host's owner), in a folder only its owner can enter: nobody else reaches it, so there is
     * nothing to warn about, and the advice never asks for a mode the container cannot read.
     */
    @Test
    void aReadableFileInAFolderOnlyItsOwnerCanEnterIsUsedWithoutAWarning() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("secrets"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        Path file = Files.writeString(folder.resolve("admin-key"), "s3cret-value\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        Logger logger = (Logger) LoggerFactory.getLogger(SecretFiles.class);
        logger.addAppender(warnings);
        try {
            String value = SecretFiles.readConfigured("admin key", file);

            assertThat(value).isEqualTo("s3cret-value");
            assertThat(warnings.list).isEmpty();
        } finally {
            logger.detachAppender(warnings);
        }
    }

    @Test
    void aConfiguredFileMayBeAGroupReadableLinkAsKubernetesMountsSecrets() throws Exception {
        Path data = Files.createDirectories(dir.resolve("..data"));
        Path target = Files.writeString(data.resolve("admin-key"), "mounted\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--r-----"));
        Path link = Files.createSymbolicLink(dir.resolve("admin-key"), target);

        assertThat(SecretFiles.readConfigured("admin key", link)).isEqualTo("mounted");
    }

    /** Gives the file to uid 65534 (nobody) if this process may; whether it did. */
    private static boolean chownToNobody(Path file) {
        try {
            Files.setAttribute(file, "unix:uid", 65534);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
