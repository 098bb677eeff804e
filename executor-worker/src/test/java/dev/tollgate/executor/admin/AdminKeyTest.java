package dev.tollgate.executor.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.runtime.security.AdminGate.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor reads the admin key like the ingress does, and never accepts one without it. */
class AdminKeyTest {

    private static final String KEY = "s3cret-0123456789abcdef0123456789abcdef";
    private static final String FILE_KEY = "from-file-0123456789abcdef0123456789abcdef";
    private static final String ENV_KEY = "from-env-0123456789abcdef0123456789abcdef";
    private static final String ADDRESS = "10.0.0.1";

    @TempDir
    Path dir;

    private Path keyFile(String content) throws Exception {
        Path file = Files.writeString(dir.resolve("admin-key"), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static Outcome check(AdminKey key, String authorization) {
        return key.check(authorization, ADDRESS).outcome();
    }

    @Test
    void acceptsOnlyTheBearerKey() {
        AdminKey key = AdminKey.resolve(Map.of("tollgate.admin-key", KEY)::get, Map.of());

        assertThat(check(key, "Bearer " + KEY)).isEqualTo(Outcome.ACCEPTED);
        assertThat(check(key, "bearer  " + KEY + " ")).isEqualTo(Outcome.ACCEPTED);
        assertThat(check(key, "Bearer " + KEY.substring(1))).isEqualTo(Outcome.INVALID);
        assertThat(check(key, "Basic " + KEY)).isEqualTo(Outcome.MISSING);
        assertThat(check(key, null)).isEqualTo(Outcome.MISSING);
        assertThat(key.toString()).doesNotContain(KEY);
    }

    @Test
    void aFloodOfWrongKeysIsThrottledPerAddressAndNeverTheRightKey() {
        AdminKey key = AdminKey.resolve(Map.of("tollgate.admin-key", KEY)::get, Map.of());

        for (int i = 0; i < 30; i++) {
            check(key, "Bearer wrong-" + i);
        }

        assertThat(check(key, "Bearer wrong-again")).isEqualTo(Outcome.THROTTLED);
        assertThat(key.check("Bearer wrong", "10.0.0.2").outcome()).isEqualTo(Outcome.INVALID);
        assertThat(check(key, "Bearer " + KEY)).isEqualTo(Outcome.ACCEPTED);
    }

    @Test
    void readsTheKeyFromTheFileTheEnvironmentNames() throws Exception {
        Path file = keyFile(FILE_KEY + "\n");

        AdminKey key = AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY_FILE", file
                .toString()));

        assertThat(check(key, "Bearer " + FILE_KEY)).isEqualTo(Outcome.ACCEPTED);
        assertThat(key.source()).isEqualTo("TOLLGATE_ADMIN_KEY_FILE");
    }

    @Test
    void theVariableWinsOverTheFile() throws Exception {
        Path file = keyFile(FILE_KEY + "\n");

        AdminKey key = AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY", ENV_KEY,
                "TOLLGATE_ADMIN_KEY_FILE", file.toString()));

        assertThat(check(key, "Bearer " + ENV_KEY)).isEqualTo(Outcome.ACCEPTED);
        assertThat(check(key, "Bearer " + FILE_KEY)).isEqualTo(Outcome.INVALID);
    }

    @Test
    void withoutAKeyEverythingIsRefused() {
        AdminKey key = AdminKey.resolve(name -> null, Map.of());

        assertThat(key.configured()).isFalse();
        assertThat(check(key, "Bearer ")).isEqualTo(Outcome.NOT_CONFIGURED);
        assertThat(check(key, "Bearer anything")).isEqualTo(Outcome.NOT_CONFIGURED);
    }

    @Test
    void aShortKeyOrAKeyFileOthersCanWriteStopsStartUpNamingTheFix() throws Exception {
        Path readable = keyFile(FILE_KEY + "\n");
        Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--rw-"));

        assertThatThrownBy(() -> AdminKey.resolve(Map.of("tollgate.admin-key", "short")::get,
                Map.of())).isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "tollgate.admin-key")
                .hasMessageContaining("at least 32")
                .hasMessageNotContaining("short\"");
        assertThatThrownBy(() -> AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY_FILE",
                readable.toString()))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TOLLGATE_ADMIN_KEY_FILE").hasMessageContaining(
                        "chmod");
    }

    @Test
    void anUnreadableOrEmptyKeyFileNamesTheSettingToFix() throws Exception {
        Path empty = keyFile("  \n");

        assertThatThrownBy(() -> AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY_FILE",
                dir.resolve("missing").toString()))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TOLLGATE_ADMIN_KEY_FILE").hasMessageContaining(
                        "cannot read");
        assertThatThrownBy(() -> AdminKey.resolve(Map.of("tollgate.admin-key-file", empty
                .toString())::get, Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.admin-key-file").hasMessageContaining("empty");
    }
}
