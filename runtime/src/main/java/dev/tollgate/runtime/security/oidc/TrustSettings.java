package dev.tollgate.runtime.security.oidc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What every trusted issuer's settings have (agents' and admins'), bound by each role under its
 * own prefix ({@code tollgate.ingress.oidc.admin-issuers.<name>.*},
 * {@code tollgate.executor.oidc.admin-issuers.<name>.*}); checked by {@link TrustedIssuer#of}.
 */
public abstract class TrustSettings {

    /** The exact iss of its tokens. */
    private String issuer;
    /** Where its keys are; unset: OIDC discovery from the issuer. */
    private String jwksUri;
    /** Accepted aud values. */
    private List<String> audiences = new ArrayList<>();
    /** Top-level claims that must have exactly these values. */
    private Map<String, String> requiredClaims = new LinkedHashMap<>();
    /** The longest exp - iat accepted; unset: no cap. */
    private Duration maxTokenLifetime;

    public String getIssuer() {
        return issuer;
    }

    public void setIssuer(String issuer) {
        this.issuer = issuer;
    }

    public String getJwksUri() {
        return jwksUri;
    }

    public void setJwksUri(String jwksUri) {
        this.jwksUri = jwksUri;
    }

    public List<String> getAudiences() {
        return audiences;
    }

    public void setAudiences(List<String> audiences) {
        this.audiences = audiences;
    }

    public Map<String, String> getRequiredClaims() {
        return requiredClaims;
    }

    public void setRequiredClaims(Map<String, String> requiredClaims) {
        this.requiredClaims = requiredClaims;
    }

    public Duration getMaxTokenLifetime() {
        return maxTokenLifetime;
    }

    public void setMaxTokenLifetime(Duration maxTokenLifetime) {
        this.maxTokenLifetime = maxTokenLifetime;
    }
}
