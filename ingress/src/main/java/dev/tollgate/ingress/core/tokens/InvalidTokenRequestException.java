package dev.tollgate.ingress.core.tokens;

/** A token request (mint, rotate, revoke) with a field that is missing or out of range. */
public final class InvalidTokenRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidTokenRequestException(String message) {
        super(message);
    }
}
