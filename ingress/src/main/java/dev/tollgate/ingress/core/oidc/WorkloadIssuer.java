package dev.tollgate.ingress.core.oidc;

import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.runtime.security.oidc.TrustedIssuer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A trusted issuer of workload identity tokens (an OIDC provider, a Kubernetes API server, GitHub
 * Actions, a SPIFFE trust domain's JWT issuer) and how its tokens map to an agent and environment.
 *
 * @param trust the issuer and what its every token must have
 * @param agentClaim the claim naming the agent: a top-level claim name ({@code sub}), or a JSON
 *        pointer ({@code /kubernetes.io/namespace}); empty, for a SPIFFE trust domain's
 *        issuer only: the path of the SPIFFE ID in {@code sub} ({@code ns/ci/sa/agent-7})
 * @param agentPrefix put before the claim's value, so that this issuer's agents cannot take the
 *        names of another issuer's or of gateway-token agents (may be empty, if said so)
 * @param environmentClaim the claim naming the environment, as {@code agentClaim}; or empty
 * @param environment the environment of every token, when no claim names it
 * @param authorizationServer whether MCP clients are told to get tokens here (RFC 9728)
 * @param sharesAgentsWith the name of another issuer with the same {@code agentPrefix} whose
 *        agents this issuer's are on purpose (an issuer moving to a new URL); empty: none, and
 *        no other issuer's agents can be this one's (see {@link WorkloadTokens})
 */
public record WorkloadIssuer(TrustedIssuer trust, Optional<String> agentClaim, String agentPrefix,
        Optional<String> environmentClaim, Optional<String> environment,
        boolean authorizationServer, Optional<String> sharesAgentsWith) {

    /** Where agents' issuers are configured. */
    public static final String SETTINGS = "tollgate.ingress.oidc.issuers";
    /** The default audience of their tokens. */
    public static final String RESOURCE_SETTING = "tollgate.ingress.oidc.resource";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._@:/-]{0,32}");
    /**
     * Claims of a Kubernetes service-account token naming a namespaced object by its name alone:
     * as an agent they would fold the same name of every namespace into one agent.
     */
    static final java.util.Set<String> NAMESPACED_NAMES = java.util.Set.of(
            "/kubernetes.io/serviceaccount/name", "/kubernetes.io/pod/name",
            "/kubernetes.io/secret/name");

    /**
     * The configured issuer (not a SPIFFE trust domain's), checked.
     *
     * @see #of(String, String, String, String, List, String, String, String, String, String,
     *      Map, boolean)
     */
    public static WorkloadIssuer of(String name, String issuer, String jwksUri,
            List<String> audiences, String defaultAudience, String agentClaim,
            String agentPrefix, String environmentClaim, String environment,
            Map<String, String> requiredClaims, boolean authorizationServer) {
        return of(name, issuer, null, jwksUri, audiences, defaultAudience, agentClaim,
                agentPrefix, environmentClaim, environment, requiredClaims, authorizationServer);
    }

    /**
     * The configured issuer, checked.
     *
     * @param spiffeTrustDomain the SPIFFE trust domain whose JWT-SVIDs these are; null or blank:
     *        none (see {@link TrustedIssuer#of})
     * @param audiences {@code aud} values accepted; empty: {@code defaultAudience}
     * @param defaultAudience this gateway's resource URI, when configured (RFC 8707); else null
     * @param agentClaim the claim naming the agent; null or blank: {@code sub}, or for a SPIFFE
     *        trust domain the path of its SPIFFE ID
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static WorkloadIssuer of(String name, String issuer, String spiffeTrustDomain,
            String jwksUri, List<String> audiences, String defaultAudience, String agentClaim,
            String agentPrefix, String environmentClaim, String environment,
            Map<String, String> requiredClaims, boolean authorizationServer) {
        TrustedIssuer trust = TrustedIssuer.of(SETTINGS, name, issuer, spiffeTrustDomain,
                jwksUri, audiences, defaultAudience, RESOURCE_SETTING, requiredClaims);
        String at = SETTINGS + "." + name;
        Optional<String> agent = Optional.ofNullable(agentClaim).filter(claim -> !claim
                .isBlank());
        if (agent.isEmpty() && trust.spiffeTrustDomain().isEmpty()) {
            agent = Optional.of("sub");
        }
        agent.ifPresent(claim -> TrustedIssuer.checkClaim(at + ".agent-claim", claim));
        if (agent.isPresent() && NAMESPACED_NAMES.contains(agent.get())) {
            throw new IllegalArgumentException(at + ".agent-claim " + agent.get() + " names a"
                    + " Kubernetes object without its namespace, so same-named service accounts of"
                    + " every namespace would be one agent (sharing its grants, limits and"
                    + " revocation): use agent-claim: sub, which is"
                    + " system:serviceaccount:<namespace>:<name>");
        }
        if (authorizationServer && trust.issuer().isEmpty()) {
            throw new IllegalArgumentException(at + ".authorization-server needs issuer: MCP"
                    + " clients are told the issuer's URL");
        }
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
        environmentFrom.ifPresent(claim -> TrustedIssuer.checkClaim(at + ".environment-claim",
                claim));
        if (fixed.isPresent() && !TokenRules.isEnvironment(fixed.get())) {
            throw new IllegalArgumentException(at + ".environment must be 1 to 63 lower-case"
                    + " letters, digits, '_' or '-'");
        }
        return new WorkloadIssuer(trust, agent, agentPrefix, environmentFrom, fixed,
                authorizationServer, Optional.empty());
    }

    /** The issuer's configured name. */
    public String name() {
        return trust.name();
    }

    /** The exact {@code iss} of its tokens; empty for a SPIFFE trust domain's without one. */
    public Optional<String> issuer() {
        return trust.issuer();
    }

    /** Where the agent is read, for people: the claim, or the SPIFFE ID's path. */
    public String agentSource() {
        return agentClaim.orElse("the path of the SPIFFE ID in sub");
    }

    /** This issuer, refusing tokens that live longer than {@code max}; null: no cap. */
    public WorkloadIssuer withMaxTokenLifetime(java.time.Duration max) {
        return new WorkloadIssuer(trust.withMaxTokenLifetime(max), agentClaim, agentPrefix,
                environmentClaim,
                environment, authorizationServer, sharesAgentsWith);
    }

    /**
     * This issuer, its agents being on purpose those of the issuer named {@code other} (which
     * must have the same agent prefix); null or blank: none.
     */
    public WorkloadIssuer withSharesAgentsWith(String other) {
        Optional<String> shared = Optional.ofNullable(other).filter(name -> !name.isBlank());
        if (shared.isPresent() && shared.get().equals(name())) {
            throw new IllegalArgumentException(SETTINGS + "." + name() + ".shares-agents-with"
                    + " names this issuer itself; name the other issuer whose agents these are");
        }
        return new WorkloadIssuer(trust, agentClaim, agentPrefix, environmentClaim, environment,
                authorizationServer, shared);
    }

    /**
     * Whether what follows this issuer's prefix in its agent IDs can start with {@code text}:
     * anything, for an agent claim; for a SPIFFE ID's path, only letters, digits and
     * {@code . _ - /}.
     */
    boolean agentsMayStartWith(String text) {
        return agentClaim.isPresent() || SPIFFE_PATH_CHARACTERS.matcher(text).matches();
    }

    private static final Pattern SPIFFE_PATH_CHARACTERS = Pattern.compile("[A-Za-z0-9._/-]*");
}
