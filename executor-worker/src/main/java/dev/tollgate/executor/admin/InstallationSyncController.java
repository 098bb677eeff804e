package dev.tollgate.executor.admin;

import dev.tollgate.executor.installations.InstallationSyncService;
import dev.tollgate.executor.installations.InstallationSyncService.AppResult;
import dev.tollgate.executor.installations.InstallationSyncService.Report;
import dev.tollgate.runtime.security.AdminGate;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /admin/installations/sync} ({@code Authorization: Bearer <admin key>}): synchronizes
 * the installation registry of every App this executor serves from GitHub now, and answers what
 * it did. 200 when every App synced; 502 with each App's error when one failed (GitHub
 * unreachable, the App's key refused, Kafka refusing the states); 409 while another sync runs
 * (the call does not wait: try again when it ends); 401 without the admin key or with a wrong
 * one, 429 once an address has sent too many wrong ones (the right key always passes: the
 * runtime's {@link AdminGate}, as on the ingress); 403 for every call when this executor has no
 * admin key (fail closed).
 */
@RestController
@ConditionalOnWebApplication
public class InstallationSyncController {

    private static final Logger log = LoggerFactory.getLogger(InstallationSyncController.class);

    private final InstallationSyncService sync;
    private final AdminKey adminKey;

    @Autowired
    public InstallationSyncController(InstallationSyncService sync, Environment environment) {
        this(sync, AdminKey.resolve(environment::getProperty, System.getenv()));
    }

    InstallationSyncController(InstallationSyncService sync, AdminKey adminKey) {
        this.sync = sync;
        this.adminKey = adminKey;
        if (adminKey.configured()) {
            log.info("POST /admin/installations/sync takes the admin key from {}", adminKey
                    .source());
        } else {
            log.warn("no admin key is configured (TOLLGATE_ADMIN_KEY or TOLLGATE_ADMIN_KEY_FILE):"
                    + " POST /admin/installations/sync refuses every call");
        }
    }

    @PostMapping(path = "/admin/installations/sync", produces = "application/json")
    public ResponseEntity<Map<String, Object>> syncInstallations(HttpServletRequest request) {
        AdminGate.Verdict verdict = adminKey.check(request.getHeader(HttpHeaders.AUTHORIZATION),
                request.getRemoteAddr());
        if (!verdict.accepted()) {
            return adminKey.refusal(verdict);
        }
        Optional<Report> report = sync.trySyncNow();
        if (report.isEmpty()) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "sync_in_progress");
            body.put("message", "an installation sync is already running; try again when it"
                    + " ends");
            sync.runningSince().ifPresent(since -> body.put("running-since", since.toString()));
            return ResponseEntity.status(HttpStatus.CONFLICT).header(HttpHeaders.RETRY_AFTER, "5")
                    .header(HttpHeaders.CACHE_CONTROL, "no-store").body(body);
        }
        return ResponseEntity.status(report.get().ok() ? HttpStatus.OK : HttpStatus.BAD_GATEWAY)
                .header(HttpHeaders.CACHE_CONTROL, "no-store").body(body(report.get()));
    }

    private static Map<String, Object> body(Report report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.ok() ? "synced" : "failed");
        if (!report.ok()) {
            body.put("error", "sync_failed");
            body.put("message", String.join("; ", report.apps().stream().filter(app -> !app.ok())
                    .map(app -> "environment '" + app.environment() + "': " + app.errorMessage()
                            .orElse("failed"))
                    .toList()));
        }
        body.put("started-at", report.startedAt().toString());
        body.put("duration-ms", report.duration().toMillis());
        body.put("installations-seen", report.installationsSeen());
        body.put("published", report.published());
        List<Map<String, Object>> apps = new ArrayList<>();
        for (AppResult app : report.apps()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("environment", app.environment());
            entry.put("app-id", app.appId());
            entry.put("status", app.ok() ? "synced" : "failed");
            entry.put("installations-seen", app.installationsSeen());
            entry.put("published", app.published());
            entry.put("added", app.added());
            entry.put("updated", app.updated());
            entry.put("removed", app.removed());
            app.errorCode().ifPresent(code -> entry.put("error", code));
            app.errorMessage().ifPresent(message -> entry.put("message", message));
            apps.add(entry);
        }
        body.put("apps", apps);
        return body;
    }
}
