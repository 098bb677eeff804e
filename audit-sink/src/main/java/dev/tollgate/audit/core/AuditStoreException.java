package dev.tollgate.audit.core;

/** An audit store could not do what was asked; the message says what and why. */
public final class AuditStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuditStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
