package dev.tollgate.installations;

/** A delivery whose body is not the payload its event names. Nothing is published for it. */
public final class MalformedWebhookException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedWebhookException(String message) {
        super(message);
    }

    public MalformedWebhookException(String message, Throwable cause) {
        super(message, cause);
    }
}
