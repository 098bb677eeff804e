package dev.tollgate.ingress.core.tokens;

/** A valid token that may not be rotated (again); the message says why and what to use instead. */
public final class RotationRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    public RotationRefusedException(String reason) {
        super(reason);
    }
}
