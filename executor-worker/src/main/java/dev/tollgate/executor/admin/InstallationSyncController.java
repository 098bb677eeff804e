package dev.tollgate.executor.admin;

import dev.tollgate.executor.installations.InstallationSyncService;
import dev.tollgate.executor.installations.InstallationSyncService.AppResult;
import dev.tollgate.executor.installations.InstallationSyncService.Report;
import dev.tollgate.runtime.security.AdminGate;
import dev.tollgate.runtime.security.oidc.AdminPrincipal;
import dev.tollgate.runtime.security.oidc.AdminRole;
import dev.tollgate.runtime.security.oidc.AdminTokens;
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
 * {@code POST /admin/installations/sync} ({@code Authorization: Bearer <admin key>}, or a token of
 * an admin issuer with the role {@code tollgate:sync}): synchronizes the installation registry of
 * every App this executor serves from GitHub now, and answers what it did and for whom. 200 when
 * every App synced; 502 with each App's error when one failed (GitHub unreachable, the App's key
 * refused, Kafka refusing the states); 409 while another sync runs (the call does not wait: try
 * again when it ends); 401 without a credential or with a wrong one (a wrong key, a token that
 * does not verify), 429 once an address has sent too many wrong ones (the right key always passes:
 * the runtime's {@link AdminGate}, as on the ingress); 403 {@code insufficient_role} for a valid
 * token without the role, and for every call when this executor has neither an admin key nor an
 * admin issuer (fail closed). See {@link AdminAccess}.
 */
@RestController
@ConditionalOnWebApplication
public class InstallationSyncController {

    private static final Logger log = LoggerFactory.getLogger(InstallationSyncController.class);

    private final InstallationSyncService sync;
    private final AdminAccess access;

    @Autowired
    public InstallationSyncController(InstallationSyncService sync, Environment environment,
            AdminTokens adminTokens) {
        this(sync, new AdminAccess(AdminKey.resolve(environment::getProperty, System.getenv()),
                adminTokens));
    }

    InstallationSyncController(InstallationSyncService sync, AdminAccess access) {
        this.sync = sync;
        this.access = access;
        if (!access.configured()) {
            log.warn("no admin key (" + AdminKey.SETTINGS + ") and no admin issuer ("
                    + AdminAccess.OIDC_SETTINGS + ".admin-issuers) are configured: POST"
                    + " /admin/installations/sync refuses every call");
        } else {
            log.info("POST /admin/installations/sync takes the admin key from {} and tokens with"
                    + " the role {} of admin issuers {}", access.keySource().orElse("(none)"),
                    AdminRole.SYNC.claimValue(), access.issuerNames());
        }
    }

    @PostMapping(path = "/admin/installations/sync", produces = "application/json")
    public ResponseEntity<Map<String, Object>> syncInstallations(HttpServletRequest request) {
        AdminAccess.Check check = access.check(request.getHeader(HttpHeaders.AUTHORIZATION),
                request.getRemoteAddr(), AdminRole.SYNC);
        if (check instanceof AdminAccess.Refused refused) {
            return refused.answer();
        }
        AdminPrincipal admin = ((AdminAccess.Admitted) check).principal();
        if (admin.breakGlass()) {
            log.warn("break-glass: the shared admin key was used from {} for an installation"
                    + " sync; admins have their own identities ({}.admin-issuers)",
                    AdminGate
                            .printable(request.getRemoteAddr()),
                    AdminAccess.OIDC_SETTINGS);
        }
        log.info("installation sync asked by {} from {}", admin.actor(), AdminGate.printable(
                request.getRemoteAddr()));
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
                .header(HttpHeaders.CACHE_CONTROL, "no-store").body(body(report.get(), admin
                        .actor()));
    }

    private static Map<String, Object> body(Report report, String actor) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", report.ok() ? "synced" : "failed");
        body.put("actor", actor);
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
