package dev.tollgate.ingress.core.oidc;

import dev.tollgate.runtime.security.oidc.TrustedIssuer;
import dev.tollgate.runtime.web.ErrorResponses;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP endpoint as an OAuth 2.0 protected resource (RFC 9728, as the MCP authorization spec
 * asks): its metadata names the resource and the authorization servers that issue tokens for it,
 * and every 401 of the endpoint points at that metadata, so that an MCP client that supports
 * OAuth finds where to get a token by itself.
 *
 * @param resource the canonical URI of the MCP endpoint ({@code https://tollgate.example.com/mcp})
 * @param authorizationServers the issuers configured as authorization servers
 */
public record ProtectedResource(String resource, List<String> authorizationServers) {

    /** Where RFC 9728 puts the metadata, before the resource's path. */
    public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    public ProtectedResource {
        checkResource(resource);
        authorizationServers = List.copyOf(authorizationServers);
    }

    /**
     * Checks {@code tollgate.ingress.oidc.resource}: an absolute https URI (http only to loopback)
     * without query or fragment (RFC 8707 §2).
     */
    public static URI checkResource(String resource) {
        URI uri = TrustedIssuer.requireSecureUri("tollgate.ingress.oidc.resource", resource);
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("tollgate.ingress.oidc.resource must have no query"
                    + " and no fragment (RFC 8707)");
        }
        return uri;
    }

    /**
     * The metadata's URL: the well-known path inserted between the resource's host and path
     * (RFC 9728 §3.1): {@code https://h/.well-known/oauth-protected-resource/mcp}.
     */
    public String metadataUrl() {
        URI uri = URI.create(resource);
        String path = uri.getRawPath() == null || uri.getRawPath().equals("/")
                ? ""
                : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getRawAuthority() + WELL_KNOWN + path;
    }

    /** The metadata document. */
    public Map<String, Object> document() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("resource", resource);
        document.put("authorization_servers", authorizationServers);
        document.put("bearer_methods_supported", List.of("header"));
        document.put("resource_name", "Tollgate");
        return document;
    }

    /**
     * The {@code WWW-Authenticate} challenge of a 401 (RFC 6750 with RFC 9728's
     * {@code resource_metadata}); {@code code} null when no credential was presented.
     */
    public String challenge(String realm, String code, String description) {
        return ErrorResponses.wwwAuthenticate(realm, code, description, metadataUrl());
    }
}
