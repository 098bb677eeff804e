package dev.tollgate.decision;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code tollgate.policy.*}: where the policy is (a file, or service-gator's command-line options)
 * and whether edits are picked up live.
 */
@ConfigurationProperties("tollgate.policy")
public class PolicyProperties {

    /** The policy file (.toml, .json, .yaml). Required. */
    private Path file;

    /** Reload the file when it changes (default true). */
    private boolean watch = true;

    /**
     * service-gator's command-line policy instead of a file: its arguments as a JSON array of
     * strings, e.g. {@code ["--gh-repo", "myorg/app:read,push-new-branch", "--scope", "{...}"]}
     * ({@code tollgate run --gh-repo ...} sets it). Fixed for the worker's life.
     */
    private String commandLine;

    public Path getFile() {
        return file;
    }

    public void setFile(Path file) {
        this.file = file;
    }

    public String getCommandLine() {
        return commandLine;
    }

    public void setCommandLine(String commandLine) {
        this.commandLine = commandLine;
    }

    public boolean isWatch() {
        return watch;
    }

    public void setWatch(boolean watch) {
        this.watch = watch;
    }
}
