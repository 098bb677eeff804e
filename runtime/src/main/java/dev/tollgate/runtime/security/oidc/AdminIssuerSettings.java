package dev.tollgate.runtime.security.oidc;

/**
 * One trusted issuer of admins' tokens, as configured ({@code <prefix>.admin-issuers.<name>.*});
 * audiences required. Checked by {@link AdminIssuer#of}.
 */
public class AdminIssuerSettings extends TrustSettings {

    /** The claim naming the admin: a name or a JSON pointer. */
    private String subjectClaim = "sub";
    /** The claim holding the roles (array, or space-separated string). */
    private String rolesClaim = "roles";

    public String getSubjectClaim() {
        return subjectClaim;
    }

    public void setSubjectClaim(String subjectClaim) {
        this.subjectClaim = subjectClaim;
    }

    public String getRolesClaim() {
        return rolesClaim;
    }

    public void setRolesClaim(String rolesClaim) {
        this.rolesClaim = rolesClaim;
    }
}
