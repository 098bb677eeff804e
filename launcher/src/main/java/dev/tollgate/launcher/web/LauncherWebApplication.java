package dev.tollgate.launcher.web;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The launcher's own HTTP listener, used only while no role serves HTTP: {@code /healthz} and
 * {@code /readyz} from the runtime module, reporting every role's readiness.
 */
@SpringBootApplication
public class LauncherWebApplication {
}
