package dev.tollgate.audit;

/** The command line asks for something impossible; the message says what to write instead. */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
