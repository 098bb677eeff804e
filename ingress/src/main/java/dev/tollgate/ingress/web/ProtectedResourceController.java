package dev.tollgate.ingress.web;

import dev.tollgate.ingress.core.oidc.ProtectedResource;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the OAuth protected resource metadata (RFC 9728) at the well-known path and under it
 * (the path RFC 9728 derives from the resource, {@code /.well-known/oauth-protected-resource/mcp},
 * whatever prefix a proxy in front adds). Public and the same for everyone: it holds no secret.
 */
@RestController
public class ProtectedResourceController {

    private final Optional<ProtectedResource> resource;

    public ProtectedResourceController(Optional<ProtectedResource> resource) {
        this.resource = resource;
    }

    @GetMapping(path = {ProtectedResource.WELL_KNOWN,
            ProtectedResource.WELL_KNOWN + "/**"}, produces = "application/json")
    public ResponseEntity<Map<String, Object>> metadata() {
        if (resource.isEmpty()) {
            return ApiError.of(HttpStatus.NOT_FOUND, "not_configured", "this gateway is not an"
                    + " OAuth protected resource: set tollgate.ingress.oidc.resource and an"
                    + " issuer with authorization-server: true");
        }
        return ResponseEntity.ok().cacheControl(CacheControl.maxAge(Duration
                .ofMinutes(5)).cachePublic()).header("Access-Control-Allow-Origin", "*").body(
                        resource.get().document());
    }
}
