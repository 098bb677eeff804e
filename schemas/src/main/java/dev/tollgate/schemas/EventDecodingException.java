package dev.tollgate.schemas;

/** Bytes that are not a readable event: unknown schema fingerprint, truncated or corrupt payload. */
public final class EventDecodingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EventDecodingException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventDecodingException(String message) {
        super(message);
    }
}
