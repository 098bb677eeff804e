package dev.tollgate.ingress.core.tokens;

/** A gateway token that must not be accepted; the message says why, without echoing the token. */
public final class TokenRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public TokenRejectedException(String reason) {
        super(reason);
    }
}
