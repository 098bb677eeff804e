package dev.tollgate.executor.core;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * How one forge's failures become the {@link GitHubError} an agent reads: GitHub's rules
 * ({@link ErrorClassifier}) for GitHub, and for a Forgejo/Gitea host the same rules with its own
 * rate limiting (Forgejo has no primary/secondary budgets: a 429, with or without
 * {@code Retry-After}, is {@code rate_limited}) and messages that name the host, not GitHub.
 */
public interface ForgeErrors {

    /** Classifies a non-2xx answer received at {@code now}. */
    GitHubError classify(int status, ResponseHeaders headers, String body, Instant now);

    /** Classifies a call that got no answer. */
    GitHubError classifyFailure(IOException failure);

    /** GitHub's. */
    ForgeErrors GITHUB = new ForgeErrors() {
        @Override
        public GitHubError classify(int status, ResponseHeaders headers, String body,
                Instant now) {
            return ErrorClassifier.classify(status, headers, body, now);
        }

        @Override
        public GitHubError classifyFailure(IOException failure) {
            return ErrorClassifier.classifyFailure(failure);
        }
    };

    /** A Forgejo/Gitea server at {@code host}. */
    static ForgeErrors forgejo(String host) {
        return new ForgeErrors() {
            @Override
            public GitHubError classify(int status, ResponseHeaders headers, String body,
                    Instant now) {
                GitHubError github = ErrorClassifier.classify(status, headers, body, now);
                if (status == 429 || github.errorClass() == ErrorClass.SECONDARY_RATE_LIMITED) {
                    Instant retryAt = ErrorClassifier.retryAfter(headers, now).orElse(now.plus(
                            ErrorClassifier.SECONDARY_MINIMUM_WAIT));
                    return new GitHubError(ErrorClass.RATE_LIMITED, status, host
                            + " is limiting requests: " + github.message(), Optional.of(retryAt),
                            Optional.empty(), github.fieldErrors(), Optional.empty());
                }
                return new GitHubError(github.errorClass(), github.status(), github.message(),
                        github.retryAt(), Optional.empty(), github.fieldErrors(), Optional
                                .empty());
            }

            @Override
            public GitHubError classifyFailure(IOException failure) {
                GitHubError github = ErrorClassifier.classifyFailure(failure);
                return GitHubError.of(github.errorClass(), github.status(), github.message()
                        .replace("GitHub host", host).replace("GitHub", host), null);
            }
        };
    }
}
