package dev.tollgate.ingress.core.oidc;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.runtime.security.oidc.IssuerKeys;
import dev.tollgate.runtime.security.oidc.JwtRejectedException;
import dev.tollgate.runtime.security.oidc.SpiffeId;
import dev.tollgate.runtime.security.oidc.TrustedIssuer;
import dev.tollgate.runtime.security.oidc.TrustedJwts;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Verifies workload identity tokens (JWTs of configured issuers, as {@link TrustedJwts} checks
 * them, SPIFFE JWT-SVIDs among them) and maps each to the agent and environment its issuer's
 * configuration names. A claim value (or SPIFFE ID path) that is not a valid agent ID or
 * environment is refused, never rewritten, so that two identities cannot be folded into one.
 * Revocation is checked by the caller on every call.
 */
public final class WorkloadTokens {

    private final TrustedJwts jwts;
    private final Map<String, WorkloadIssuer> byName;

    /**
     * @param issuers the trusted issuers (their names, {@code iss} values and SPIFFE trust
     *        domains must differ, and no issuer's agent IDs may be another's unless one names
     *        the other in {@code shares-agents-with})
     * @param keys each issuer's signing keys (fetched and cached; see {@link IssuerKeys})
     * @throws IllegalArgumentException naming the setting at fault
     */
    public WorkloadTokens(List<WorkloadIssuer> issuers,
            Function<TrustedIssuer, JWKSource<SecurityContext>> keys, Clock clock) {
        Map<String, WorkloadIssuer> names = new LinkedHashMap<>();
        Map<String, WorkloadIssuer> domains = new LinkedHashMap<>();
        for (WorkloadIssuer issuer : issuers) {
            if (names.put(issuer.name(), issuer) != null) {
                throw new IllegalArgumentException(WorkloadIssuer.SETTINGS + ": two issuers are"
                        + " named " + issuer.name());
            }
            Optional<String> domain = issuer.trust().spiffeTrustDomain();
            WorkloadIssuer before = domain.map(d -> domains.putIfAbsent(d, issuer)).orElse(null);
            if (before != null) {
                throw new IllegalArgumentException(WorkloadIssuer.SETTINGS + "." + issuer.name()
                        + ".spiffe-trust-domain: issuer " + before.name() + " has the trust"
                        + " domain " + domain.get() + " already (a token without iss must be"
                        + " routed to one issuer)");
            }
        }
        this.jwts = new TrustedJwts(issuers.stream().map(WorkloadIssuer::trust).toList(), keys,
                clock);
        checkAgentPrefixes(issuers, names);
        this.byName = Map.copyOf(names);
    }

    /**
     * Refuses two issuers one of whose agent IDs could be the other's: the same agent prefix, or
     * one prefix the start of the other's when what follows could start the shorter one's agent
     * (the same subject, or a crafted one, of a less trusted issuer would get the other's grants).
     * Only issuers with the same prefix of which one names the other in
     * {@code shares-agents-with} (an issuer moving to a new URL) may share agents.
     */
    private static void checkAgentPrefixes(List<WorkloadIssuer> issuers,
            Map<String, WorkloadIssuer> byName) {
        for (WorkloadIssuer issuer : issuers) {
            Optional<String> other = issuer.sharesAgentsWith();
            String setting = WorkloadIssuer.SETTINGS + "." + issuer.name() + ".shares-agents-with";
            if (other.isPresent() && !byName.containsKey(other.get())) {
                throw new IllegalArgumentException(setting + " names " + other.get()
                        + ", which is no configured issuer (" + String.join(", ", byName
                                .keySet())
                        + ")");
            }
            if (other.isPresent() && !byName.get(other.get()).agentPrefix().equals(issuer
                    .agentPrefix())) {
                throw new IllegalArgumentException(setting + " names " + other.get()
                        + ", whose agent-prefix '" + byName.get(other.get()).agentPrefix()
                        + "' is not this issuer's '" + issuer.agentPrefix() + "': issuers that"
                        + " share agents give them the same names");
            }
        }
        for (int i = 0; i < issuers.size(); i++) {
            for (int j = i + 1; j < issuers.size(); j++) {
                WorkloadIssuer a = issuers.get(i);
                WorkloadIssuer b = issuers.get(j);
                WorkloadIssuer shorter = a.agentPrefix().length() <= b.agentPrefix().length()
                        ? a
                        : b;
                WorkloadIssuer longer = shorter == a ? b : a;
                if (!longer.agentPrefix().startsWith(shorter.agentPrefix())) {
                    continue;
                }
                String rest = longer.agentPrefix().substring(shorter.agentPrefix().length());
                if (!shorter.agentsMayStartWith(rest)) {
                    continue;
                }
                if (rest.isEmpty()) {
                    if (a.sharesAgentsWith().filter(b.name()::equals).isPresent() || b
                            .sharesAgentsWith().filter(a.name()::equals).isPresent()) {
                        continue;
                    }
                    throw new IllegalArgumentException(WorkloadIssuer.SETTINGS + "." + b.name()
                            + ".agent-prefix: issuers " + a.name() + " and " + b.name()
                            + " both have the agent prefix '" + a.agentPrefix() + "', so the same"
                            + " subject of either would be one agent, with its grants and limits;"
                            + " choose a different agent-prefix for each (or, while an issuer"
                            + " moves to a new URL, set " + WorkloadIssuer.SETTINGS + "." + b
                                    .name()
                            + ".shares-agents-with: " + a.name() + ")");
                }
                throw new IllegalArgumentException(WorkloadIssuer.SETTINGS + "." + shorter.name()
                        + ".agent-prefix: issuer " + shorter.name() + "'s agent prefix '"
                        + shorter.agentPrefix() + "' is the start of issuer " + longer.name()
                        + "'s '" + longer.agentPrefix() + "', so a subject of " + shorter.name()
                        + " starting with '" + rest + "' would be an agent of " + longer.name()
                        + ", with its grants and limits; choose agent prefixes neither of which"
                        + " starts the other (e.g. ending each in ':')");
            }
        }
    }

    /** No issuer configured: only gateway tokens are accepted. */
    public boolean isEmpty() {
        return byName.isEmpty();
    }

    /** The configured issuers, in no particular order. */
    public List<WorkloadIssuer> issuers() {
        return List.copyOf(byName.values());
    }

    /**
     * The configured issuer that {@code token} claims to come from, before anything is verified;
     * empty for a gateway token, for anything unreadable and for other issuers.
     */
    public Optional<WorkloadIssuer> claimedIssuer(String token) {
        return jwts.claimedIssuer(token).map(trust -> byName.get(trust.name()));
    }

    /**
     * Whether {@code token} is to be verified here rather than as a gateway token: it claims a
     * configured issuer, or it has no {@code iss} (as no gateway token) while a SPIFFE trust
     * domain is trusted, so that its refusal says what is wrong with it.
     */
    public boolean routesHere(String token) {
        return jwts.routesHere(token);
    }

    /**
     * The agent a workload token proves, or why not.
     *
     * @throws TokenRejectedException with a reason safe to show the caller (never the token,
     *         never a claim's value)
     */
    public AgentIdentity verify(String token) throws TokenRejectedException {
        TrustedJwts.Verified verified;
        try {
            verified = jwts.verify(token);
        } catch (JwtRejectedException e) {
            throw new TokenRejectedException(e.getMessage());
        }
        WorkloadIssuer rules = byName.get(verified.issuer().name());
        JWTClaimsSet claims = verified.claims();
        Object agentValue = rules.agentClaim().isPresent()
                ? TrustedJwts.claim(claims, rules.agentClaim().get())
                : verified.spiffeId().map(SpiffeId::path).orElse(null);
        String agent = agentValue instanceof String s ? rules.agentPrefix() + s : null;
        if (agent == null || !TokenRules.isAgentId(agent)) {
            throw new TokenRejectedException((rules.agentClaim().isPresent()
                    ? "token's claim " + rules.agentClaim().get()
                    : "the path of the token's SPIFFE ID")
                    + " does not name a usable agent (1 to 128 letters, digits, '.', '_', '@',"
                    + " ':', '/' or '-' with the prefix, starting with a letter or digit)");
        }
        String environment;
        if (rules.environmentClaim().isPresent()) {
            Object value = TrustedJwts.claim(claims, rules.environmentClaim().get());
            if (!(value instanceof String s) || !TokenRules.isEnvironment(s)) {
                throw new TokenRejectedException("token's claim " + rules.environmentClaim()
                        .get() + " does not name a usable environment (1 to 63 lower-case"
                        + " letters, digits, '_' or '-')");
            }
            environment = s;
        } else {
            environment = rules.environment().orElseThrow();
        }
        String tokenId = AgentIdentity.OIDC_PREFIX + rules.name() + ":" + verified.digest()
                .substring(0, 24);
        return new AgentIdentity(agent, environment, tokenId, verified.issuedAt(), verified
                .expiresAt(), Optional.empty(),
                new AgentIdentity.Family(tokenId, 0, verified
                        .issuedAt(), verified.expiresAt()),
                AgentIdentity.OIDC_PREFIX + rules.name());
    }
}
