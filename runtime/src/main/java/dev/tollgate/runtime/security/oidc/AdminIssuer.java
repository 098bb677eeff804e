package dev.tollgate.runtime.security.oidc;

import java.util.List;
import java.util.Map;

/**
 * A trusted issuer of admins' tokens (people through an OIDC provider, or services) and where its
 * tokens name the admin and the admin's roles.
 *
 * @param trust the issuer and what its every token must have
 * @param subjectClaim the claim naming the admin (a claim name or a JSON pointer); it is recorded
 *        on every event the admin causes
 * @param rolesClaim the claim holding the roles: an array of strings, or one space-separated
 *        string (as {@code scope}); values {@code tollgate:mint}, {@code tollgate:revoke}, ...
 */
public record AdminIssuer(TrustedIssuer trust, String subjectClaim, String rolesClaim) {

    /**
     * The configured issuer, checked. Its audiences must be given (there is no default: an admin
     * token is not a token for the MCP endpoint, nor for another role's admin endpoints).
     *
     * @param settings where the admins' issuers are configured
     *        ({@code tollgate.executor.oidc.admin-issuers}), named in refusals
     * @throws IllegalArgumentException naming the setting at fault
     */
    public static AdminIssuer of(String settings, String name, String issuer, String jwksUri,
            List<String> audiences, String subjectClaim, String rolesClaim,
            Map<String, String> requiredClaims) {
        TrustedIssuer trust = TrustedIssuer.of(settings, name, issuer, jwksUri, audiences, null,
                null, requiredClaims);
        String at = settings + "." + name;
        String subject = subjectClaim == null || subjectClaim.isBlank() ? "sub" : subjectClaim;
        String roles = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim;
        TrustedIssuer.checkClaim(at + ".subject-claim", subject);
        TrustedIssuer.checkClaim(at + ".roles-claim", roles);
        return new AdminIssuer(trust, subject, roles);
    }

    /** The issuer's configured name. */
    public String name() {
        return trust.name();
    }

    /** This issuer, refusing tokens that live longer than {@code max}; null: no cap. */
    public AdminIssuer withMaxTokenLifetime(java.time.Duration max) {
        return new AdminIssuer(trust.withMaxTokenLifetime(max), subjectClaim, rolesClaim);
    }
}
