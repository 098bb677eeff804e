package dev.tollgate.tools;

/**
 * A tool argument that does not match the tool's input schema or Tollgate's normalization rules.
 * The message names the field and the fix; it is shown to the agent as is.
 */
public final class InvalidArgumentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidArgumentException(String field, String problem) {
        super("'" + field + "' " + problem);
        this.field = field;
    }

    /** The argument path, e.g. {@code files[2].path}. */
    public String field() {
        return field;
    }
}
