package dev.tollgate.runtime.security.oidc;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Verifies admins' JWTs (as {@link TrustedJwts} checks every trusted issuer's) and reads who the
 * admin is and which {@link AdminRole roles} it holds. A subject that is not printable (or too
 * long) is refused, never rewritten, since it is recorded on every event the admin causes; role
 * values this gateway does not know are ignored.
 */
public final class AdminTokens {

    /** Letters, digits and {@code . _ @ : / + -}: e-mail addresses, service names, URIs. */
    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:/+-]{0,127}");

    private final TrustedJwts jwts;
    private final Map<String, AdminIssuer> byName;
    private final List<AdminIssuer> issuers;

    /**
     * @param settings where the admins' issuers are configured
     *        ({@code tollgate.ingress.oidc.admin-issuers}), named in refusals
     * @param issuers the admins' issuers
     * @param agentIssuers the agents' issuers: none may share an {@code iss} and an audience with
     *        an admin issuer, so that no token is both an agent's and an admin's
     * @throws IllegalArgumentException naming the setting at fault
     */
    public AdminTokens(String settings, List<AdminIssuer> issuers,
            Collection<TrustedIssuer> agentIssuers,
            Function<TrustedIssuer, JWKSource<SecurityContext>> keys, Clock clock) {
        Map<String, AdminIssuer> names = new LinkedHashMap<>();
        for (AdminIssuer issuer : issuers) {
            if (names.put(issuer.name(), issuer) != null) {
                throw new IllegalArgumentException(settings + ": two issuers are named " + issuer
                        .name());
            }
            for (TrustedIssuer agents : agentIssuers) {
                if (agents.issuer().equals(issuer.trust().issuer()) && agents.audiences().stream()
                        .anyMatch(issuer.trust().audiences()::contains)) {
                    throw new IllegalArgumentException(settings + "." + issuer.name()
                            + ".audiences overlap those of agents' issuer " + agents.name()
                            + " (the same iss): an agent's token would be an admin's; give admin"
                            + " tokens their own audience");
                }
            }
        }
        this.jwts = new TrustedJwts(issuers.stream().map(AdminIssuer::trust).toList(), keys,
                clock);
        this.byName = Map.copyOf(names);
        this.issuers = List.copyOf(names.values());
    }

    /**
     * The admins' issuers configured under {@code prefix} ({@code <prefix>.admin-issuers.<name>.*}),
     * each checked, their keys fetched as the settings under {@code prefix} say.
     *
     * @param prefix where {@code settings} are bound ({@code tollgate.executor.oidc})
     * @param agentIssuers as for the constructor
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static AdminTokens configured(String prefix, OidcSettings settings,
            Collection<TrustedIssuer> agentIssuers, Clock clock) {
        String at = prefix + ".admin-issuers";
        List<AdminIssuer> issuers = new ArrayList<>();
        settings.getAdminIssuers().forEach((name, issuer) -> issuers.add(AdminIssuer.of(at, name,
                issuer.getIssuer(), issuer.getJwksUri(), issuer.getAudiences(), issuer
                        .getSubjectClaim(),
                issuer.getRolesClaim(), issuer.getRequiredClaims()).withMaxTokenLifetime(
                        issuer
                                .getMaxTokenLifetime())));
        return new AdminTokens(at, issuers, agentIssuers, settings.keys(prefix, clock), clock);
    }

    /** The configured issuers, in configuration order. */
    public List<AdminIssuer> issuers() {
        return issuers;
    }

    /** No admin issuer configured: only the shared admin key opens the admin API. */
    public boolean isEmpty() {
        return byName.isEmpty();
    }

    /** Whether {@code token} claims to come from an admin issuer (nothing verified yet). */
    public boolean claims(String token) {
        return jwts.claimedIssuer(token).isPresent();
    }

    /**
     * The admin a token proves, with its roles.
     *
     * @throws JwtRejectedException with a reason safe to show the caller
     */
    public AdminPrincipal verify(String token) throws JwtRejectedException {
        TrustedJwts.Verified verified = jwts.verify(token);
        AdminIssuer issuer = byName.get(verified.issuer().name());
        Object subject = TrustedJwts.claim(verified.claims(), issuer.subjectClaim());
        if (!(subject instanceof String s) || !SUBJECT.matcher(s).matches()) {
            throw new JwtRejectedException("token's claim " + issuer.subjectClaim()
                    + " does not name a usable admin (1 to 128 letters, digits, '.', '_', '@',"
                    + " ':', '/', '+' or '-')");
        }
        Set<AdminRole> roles = EnumSet.noneOf(AdminRole.class);
        Object claimed = TrustedJwts.claim(verified.claims(), issuer.rolesClaim());
        List<?> values = claimed instanceof List<?> list
                ? list
                : claimed instanceof String text ? List.of(text.split(" ")) : List.of();
        for (Object value : values) {
            if (value instanceof String name) {
                AdminRole.ofClaimValue(name).ifPresent(roles::add);
            }
        }
        return new AdminPrincipal("oidc:" + issuer.name() + ":" + s, roles, false);
    }
}
