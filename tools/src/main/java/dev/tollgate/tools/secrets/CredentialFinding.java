package dev.tollgate.tools.secrets;

import java.util.Objects;

/**
 * A credential found in text: its kind and where it is, never its value.
 *
 * @param kind what it looks like
 * @param location where: a file path or an argument name, with the line when the text has more
 *        than one ({@code README.md line 3}, {@code body line 2}, {@code title}); null for text
 *        scanned on its own
 * @param line the line it starts on, from 1
 * @param hint the format's fixed prefix and an ellipsis ({@code ghp_…}), or null: never more of
 *        the credential than every credential of its format starts with
 */
public record CredentialFinding(SecretKind kind, String location, int line, String hint) {

    public CredentialFinding {
        Objects.requireNonNull(kind, "kind");
    }

    /** This finding at {@code where}; the line is added when {@code multiLine}. */
    public CredentialFinding at(String where, boolean multiLine) {
        return new CredentialFinding(kind, multiLine ? where + " line " + line : where, line,
                hint);
    }

    /** "README.md line 3 holds what looks like a GitHub token (ghp_…)". */
    public String describe() {
        return (location == null ? "line " + line : location) + " holds what looks like " + kind
                .description() + (hint == null ? "" : " (" + hint + ")");
    }
}
