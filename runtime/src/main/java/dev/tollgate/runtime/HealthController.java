package dev.tollgate.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /healthz}: the process is alive (always 200 while it serves). {@code GET /readyz}: 200
 * when every readiness check passes (Kafka reachable, topics present, role-specific checks), 503
 * with the failing checks otherwise.
 */
@RestController
public class HealthController {

    private final ReadinessRegistry registry;
    private final RoleInfo role;

    public HealthController(ReadinessRegistry registry, RoleInfo role) {
        this.registry = registry;
        this.role = role;
    }

    @GetMapping(path = "/healthz", produces = "application/json")
    public Map<String, Object> healthz() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "UP");
        body.put("role", role.name());
        body.put("instance", role.instance());
        return body;
    }

    @GetMapping(path = "/readyz", produces = "application/json")
    public ResponseEntity<Map<String, Object>> readyz() {
        List<ReadinessCheck.Result> results = registry.results();
        boolean ready = results.stream().allMatch(ReadinessCheck.Result::ready);
        Map<String, Object> checks = new LinkedHashMap<>();
        for (ReadinessCheck.Result result : results) {
            checks.put(result.name(), Map.of("ready", result.ready(), "detail", result.detail()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ready ? "READY" : "NOT_READY");
        body.put("role", role.name());
        body.put("checks", checks);
        return ResponseEntity.status(ready ? 200 : 503).body(body);
    }
}
