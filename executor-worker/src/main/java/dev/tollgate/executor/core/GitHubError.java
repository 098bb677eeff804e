package dev.tollgate.executor.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A classified GitHub failure: what went wrong in the closed set of {@link ErrorClass}, GitHub's own
 * message, and when a retry may succeed where GitHub says.
 *
 * @param errorClass the class (stable code and retryable flag)
 * @param status GitHub's HTTP status, or 0 when GitHub was not reached
 * @param message readable by the agent: GitHub's message, or what happened
 * @param retryAt when retrying may succeed, where known
 * @param acceptedPermissions GitHub's {@code X-Accepted-GitHub-Permissions}, for forbidden answers
 * @param fieldErrors GitHub's {@code errors[]} for validation failures, as given
 * @param documentationUrl GitHub's {@code documentation_url}, if any
 */
public record GitHubError(ErrorClass errorClass, int status, String message,
        Optional<Instant> retryAt, Optional<String> acceptedPermissions,
        List<FieldError> fieldErrors, Optional<String> documentationUrl) {

    /** One entry of GitHub's {@code errors[]}; any part may be absent. */
    public record FieldError(String resource, String field, String code, String message) {
    }

    public GitHubError {
        Objects.requireNonNull(errorClass, "errorClass");
        Objects.requireNonNull(message, "message");
        retryAt = Objects.requireNonNullElse(retryAt, Optional.empty());
        acceptedPermissions = Objects.requireNonNullElse(acceptedPermissions, Optional.empty());
        fieldErrors = fieldErrors == null ? List.of() : List.copyOf(fieldErrors);
        documentationUrl = Objects.requireNonNullElse(documentationUrl, Optional.empty());
    }

    public static GitHubError of(ErrorClass errorClass, int status, String message,
            Instant retryAt) {
        return new GitHubError(errorClass, status, message, Optional.ofNullable(retryAt),
                Optional.empty(), List.of(), Optional.empty());
    }

    public boolean retryable() {
        return errorClass.retryable();
    }

    /** The stable code, e.g. {@code rate_limited}. */
    public String code() {
        return errorClass.code();
    }

    /** One line for the agent: code, GitHub's message and, where useful, what was needed. */
    public String describe() {
        StringBuilder text = new StringBuilder(code()).append(": ").append(message);
        acceptedPermissions.filter(p -> !p.isBlank())
                .ifPresent(p -> text.append(" (GitHub accepts permissions: ").append(p)
                        .append(')'));
        if (!fieldErrors.isEmpty()) {
            text.append(" [");
            for (int i = 0; i < fieldErrors.size(); i++) {
                FieldError e = fieldErrors.get(i);
                if (i > 0) {
                    text.append("; ");
                }
                text.append(e.resource() == null ? "" : e.resource() + ".")
                        .append(e.field() == null ? "" : e.field()).append(' ')
                        .append(e.code() == null ? "" : e.code());
                if (e.message() != null) {
                    text.append(" ").append(e.message());
                }
            }
            text.append(']');
        }
        retryAt.ifPresent(at -> text.append(" (retry at ").append(at).append(')'));
        return text.toString();
    }
}
