package dev.tollgate.runtime.security.oidc;

/**
 * A JWT of a trusted issuer that must not be accepted; the message says why, safe to show the
 * caller: never the token, never a claim's value.
 */
public final class JwtRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public JwtRejectedException(String reason) {
        super(reason);
    }
}
