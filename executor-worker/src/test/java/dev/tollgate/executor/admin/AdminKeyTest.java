package dev.tollgate.executor.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.executor.core.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor reads the admin key like the ingress does, and never accepts one without it. */
class AdminKeyTest {

    @TempDir
    Path dir;

    @Test
    void acceptsOnlyTheBearerKey() {
        AdminKey key = AdminKey.resolve(Map.of("tollgate.admin-key", "s3cret")::get, Map.of());

        assertThat(key.check("Bearer s3cret")).isEqualTo(AdminKey.Verdict.ACCEPTED);
        assertThat(key.check("bearer  s3cret ")).isEqualTo(AdminKey.Verdict.ACCEPTED);
        assertThat(key.check("Bearer s3cre")).isEqualTo(AdminKey.Verdict.INVALID);
        assertThat(key.check("Basic s3cret")).isEqualTo(AdminKey.Verdict.MISSING);
        assertThat(key.check(null)).isEqualTo(AdminKey.Verdict.MISSING);
        assertThat(key.toString()).doesNotContain("s3cret");
    }

    @Test
    void readsTheKeyFromTheFileTheEnvironmentNames() throws Exception {
        Path file = Files.writeString(dir.resolve("admin-key"), "from-file\n");

        AdminKey key = AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY_FILE", file
                .toString()));

        assertThat(key.check("Bearer from-file")).isEqualTo(AdminKey.Verdict.ACCEPTED);
        assertThat(key.source()).isEqualTo("TOLLGATE_ADMIN_KEY_FILE");
    }

    @Test
    void theVariableWinsOverTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("admin-key"), "from-file\n");

        AdminKey key = AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY", "from-env",
                "TOLLGATE_ADMIN_KEY_FILE", file.toString()));

        assertThat(key.check("Bearer from-env")).isEqualTo(AdminKey.Verdict.ACCEPTED);
        assertThat(key.check("Bearer from-file")).isEqualTo(AdminKey.Verdict.INVALID);
    }

    @Test
    void withoutAKeyEverythingIsRefused() {
        AdminKey key = AdminKey.resolve(name -> null, Map.of());

        assertThat(key.configured()).isFalse();
        assertThat(key.check("Bearer ")).isEqualTo(AdminKey.Verdict.NOT_CONFIGURED);
        assertThat(key.check("Bearer anything")).isEqualTo(AdminKey.Verdict.NOT_CONFIGURED);
    }

    @Test
    void anUnreadableOrEmptyKeyFileNamesTheSettingToFix() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "  \n");

        assertThatThrownBy(() -> AdminKey.resolve(name -> null, Map.of("TOLLGATE_ADMIN_KEY_FILE",
                dir.resolve("missing").toString()))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("TOLLGATE_ADMIN_KEY_FILE").hasMessageContaining(
                        "cannot be read");
        assertThatThrownBy(() -> AdminKey.resolve(Map.of("tollgate.admin-key-file", empty
                .toString())::get, Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tollgate.admin-key-file").hasMessageContaining("empty");
    }
}
