package dev.tollgate.ingress.core.oidc;

import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.TokenRules;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One trusted issuer of workload identity tokens (an OIDC provider, a Kubernetes API server, GitHub
 * Actions, a SPIFFE trust domain's JWT issuer) and how its tokens map to an agent and environment.
 * Built only through {@link #of}, which refuses a configuration that would let tokens through
 * that should not pass.
 *
 * @param name the short name configuration gives it ({@code k8s-prod}); it appears in the token
 *        IDs of its callers' requests
 * @param issuer the exact {@code iss} of its tokens
 * @param jwksUri where its signing keys are; empty: found by OIDC discovery from the issuer
 * @param audiences a token must name one of these in {@code aud}
 * @param agentClaim the claim naming the agent: a top-level claim name, or a JSON pointer
 *        ({@code /kubernetes.io/serviceaccount/name})
 * @param agentPrefix put before the claim's value, so that this issuer's agents cannot take the
 *        names of another issuer's or of gateway-token agents (may be empty, if said so)
 * @param environmentClaim the claim naming the environment, as {@code agentClaim}; or empty
 * @param environment the environment of every token, when no claim names it
 * @param requiredClaims top-level claims that must have exactly these string values (for GitHub
 *        Actions, where anyone can get a token: {@code repository_owner})
 * @param authorizationServer whether MCP clients are told to get tokens here (RFC 9728)
 */
public record WorkloadIssuer(String name, String issuer, Optional<URI> jwksUri,
        Set<String> audiences, String agentClaim, String agentPrefix,
        Optional<String> environmentClaim, Optional<String> environment,
        Map<String, String> requiredClaims, boolean authorizationServer) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Pattern CLAIM = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern POINTER = Pattern.compile("(/[^/]{1,64}){1,8}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._@:/-]{0,32}");

    /**
     * The configured issuer, checked.
     *
     * @param audiences {@code aud} values accepted; empty: {@code defaultAudience}
     * @param defaultAudience this gateway's resource URI, when configured (RFC 8707); else null
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static WorkloadIssuer of(String name, String issuer, String jwksUri,
            List<String> audiences, String defaultAudience, String agentClaim,
            String agentPrefix, String environmentClaim, String environment,
            Map<String, String> requiredClaims, boolean authorizationServer) {
        String at = "tollgate.ingress.oidc.issuers." + name;
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tollgate.ingress.oidc.issuers: the name '" + name
                    + "' must be 1 to 32 lower-case letters, digits or '-'");
        }
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException(at + ".issuer is required: the exact 'iss' of"
                    + " the tokens");
        }
        if (issuer.equals(GatewayTokens.ISSUER)) {
            throw new IllegalArgumentException(at + ".issuer must not be '" + GatewayTokens.ISSUER
                    + "': that is the gateway's own tokens' issuer");
        }
        requireSecureUri(at + ".issuer", issuer);
        Optional<URI> keys = Optional.empty();
        if (jwksUri != null && !jwksUri.isBlank()) {
            keys = Optional.of(requireSecureUri(at + ".jwks-uri", jwksUri));
        }
        Set<String> accepted = audiences == null || audiences.isEmpty()
                ? defaultAudience == null || defaultAudience.isBlank()
                        ? Set.of()
                        : Set.of(defaultAudience)
                : Set.copyOf(audiences);
        if (accepted.isEmpty() || accepted.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(at + ".audiences is required (or set"
                    + " tollgate.ingress.oidc.resource, the default audience): a token issued"
                    + " for another service must not work here");
        }
        if (accepted.contains(GatewayTokens.AUDIENCE)) {
            throw new IllegalArgumentException(at + ".audiences must not contain '"
                    + GatewayTokens.AUDIENCE + "', the gateway tokens' audience");
        }
        String agent = agentClaim == null || agentClaim.isBlank() ? "sub" : agentClaim;
        checkClaim(at + ".agent-claim", agent);
        if (agentPrefix == null) {
            throw new IllegalArgumentException(at + ".agent-prefix is required, so that this"
                    + " issuer's agents cannot take the names of other agents (e.g. 'k8s:'; set"
                    + " it to '' to use the claim as it is)");
        }
        if (!PREFIX.matcher(agentPrefix).matches()) {
            throw new IllegalArgumentException(at + ".agent-prefix must be at most 32 letters,"
                    + " digits, '.', '_', '@', ':', '/' or '-'");
        }
        Optional<String> environmentFrom = Optional.ofNullable(environmentClaim).filter(
                claim -> !claim.isBlank());
        Optional<String> fixed = Optional.ofNullable(environment).filter(env -> !env.isBlank());
        if (environmentFrom.isPresent() == fixed.isPresent()) {
            throw new IllegalArgumentException(at + ": set exactly one of environment-claim"
                    + " (e.g. /kubernetes.io/namespace) and environment (e.g. ci)");
        }
        environmentFrom.ifPresent(claim -> checkClaim(at + ".environment-claim", claim));
        if (fixed.isPresent() && !TokenRules.isEnvironment(fixed.get())) {
            throw new IllegalArgumentException(at + ".environment must be 1 to 63 lower-case"
                    + " letters, digits, '_' or '-'");
        }
        Map<String, String> required = requiredClaims == null
                ? Map.of()
                : Map.copyOf(
                        requiredClaims);
        for (Map.Entry<String, String> claim : required.entrySet()) {
            if (!CLAIM.matcher(claim.getKey()).matches() || claim.getValue() == null
                    || claim.getValue().isEmpty()) {
                throw new IllegalArgumentException(at + ".required-claims: '" + claim.getKey()
                        + "' must be a top-level claim name with a non-empty value");
            }
        }
        return new WorkloadIssuer(name, issuer, keys, accepted, agent, agentPrefix,
                environmentFrom, fixed, required, authorizationServer);
    }

    /** Where OIDC discovery finds the issuer's metadata (OpenID Connect Discovery 1.0). */
    public URI discoveryUri() {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    private static void checkClaim(String setting, String claim) {
        if (!CLAIM.matcher(claim).matches() && !POINTER.matcher(claim).matches()) {
            throw new IllegalArgumentException(setting + " must be a claim name (sub) or a JSON"
                    + " pointer (/kubernetes.io/namespace), not '" + claim + "'");
        }
    }

    /**
     * An https URI, or http to a loopback address (a provider on the same host, tests): keys
     * fetched in the clear from elsewhere could be replaced on the way.
     */
    static URI requireSecureUri(String setting, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + " is not a URI: " + e.getMessage());
        }
        String host = uri.getHost();
        if (host == null || uri.getScheme() == null) {
            throw new IllegalArgumentException(setting + " must be an absolute https URI");
        }
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1")
                || host.equals("[::1]");
        if (!uri.getScheme().equals("https") && !(uri.getScheme().equals("http") && loopback)) {
            throw new IllegalArgumentException(setting + " must use https (http only to"
                    + " localhost): keys fetched in the clear could be replaced on the way");
        }
        return uri;
    }
}
