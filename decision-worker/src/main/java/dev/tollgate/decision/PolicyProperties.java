package dev.tollgate.decision;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code tollgate.policy.*}: where the policy is and whether edits are picked up live. */
@ConfigurationProperties("tollgate.policy")
public class PolicyProperties {

    /** The policy file (.toml, .json, .yaml). Required. */
    private Path file;

    /** Reload the file when it changes (default true). */
    private boolean watch = true;

    public Path getFile() {
        return file;
    }

    public void setFile(Path file) {
        this.file = file;
    }

    public boolean isWatch() {
        return watch;
    }

    public void setWatch(boolean watch) {
        this.watch = watch;
    }
}
