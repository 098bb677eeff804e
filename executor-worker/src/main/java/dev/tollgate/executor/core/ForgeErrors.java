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

    /** How messages name the forge: "GitHub", a host, "JIRA". */
    default String upstream() {
        return "GitHub";
    }

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

    /**
     * A GitLab instance at {@code host}: a 429 is {@code rate_limited} until {@code Retry-After}
     * or else {@code RateLimit-Reset}; GitLab's error bodies ({@code message} as a text, a list
     * or a table of field errors; OAuth's {@code error_description} for a token's missing scope)
     * read as one message; failures name the host.
     */
    static ForgeErrors gitlab(String host) {
        return resetting(forgejo(host), ForgeErrors::gitlabMessage, headers -> ErrorClassifier
                .epochSeconds(headers, "ratelimit-reset"));
    }

    /**
     * {@code rules} reading a forge's error bodies with {@code message}, and taking a 429's retry
     * time from {@code reset} when it has no {@code Retry-After} (and the reset is still ahead).
     */
    private static ForgeErrors resetting(ForgeErrors rules,
            java.util.function.UnaryOperator<String> message,
            java.util.function.Function<ResponseHeaders, Optional<Instant>> reset) {
        return new ForgeErrors() {
            @Override
            public GitHubError classify(int status, ResponseHeaders headers, String body,
                    Instant now) {
                GitHubError error = rules.classify(status, headers, message.apply(body), now);
                if (error.errorClass() == ErrorClass.RATE_LIMITED && ErrorClassifier
                        .retryAfter(headers, now).isEmpty()) {
                    Optional<Instant> at = reset.apply(headers).filter(when -> when.isAfter(
                            now));
                    if (at.isPresent()) {
                        return new GitHubError(ErrorClass.RATE_LIMITED, status, error.message(),
                                at, Optional.empty(), error.fieldErrors(), Optional.empty());
                    }
                }
                return error;
            }

            @Override
            public GitHubError classifyFailure(IOException failure) {
                return rules.classifyFailure(failure);
            }

            @Override
            public String upstream() {
                return rules.upstream();
            }
        };
    }

    /** GitLab's error body as {@code {"message": "..."}}, or as it is when it is not JSON. */
    static String gitlabMessage(String body) {
        if (body == null || body.isBlank()) {
            return body;
        }
        try {
            tools.jackson.databind.JsonNode node = GitHubSession.JSON.readTree(body);
            if (!node.isObject()) {
                return body;
            }
            String text;
            if (node.has("error_description")) {
                text = node.path("error").asString("error") + ": " + node.path(
                        "error_description").asString("")
                        + (node.has("scope")
                                ? " (needs scope " + node.path("scope").asString("") + ")"
                                : "");
            } else if (node.has("message")) {
                text = flatten(node.get("message"));
            } else if (node.has("error")) {
                text = flatten(node.get("error"));
            } else {
                return body;
            }
            return GitHubSession.JSON.createObjectNode().put("message", text).toString();
        } catch (tools.jackson.core.JacksonException e) {
            return body;
        }
    }

    private static String flatten(tools.jackson.databind.JsonNode node) {
        if (node.isString()) {
            return node.asString();
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (node.isArray()) {
            node.forEach(item -> parts.add(flatten(item)));
        } else if (node.isObject()) {
            node.properties().forEach(entry -> parts.add(entry.getKey() + ": " + flatten(entry
                    .getValue())));
        } else {
            parts.add(node.toString());
        }
        return String.join("; ", parts);
    }

    /**
     * A JIRA site: a 429 is {@code rate_limited} until {@code Retry-After} or else JIRA Cloud's
     * {@code X-RateLimit-Reset} (an ISO-8601 instant); JIRA's error bodies
     * ({@code errorMessages} and the field {@code errors}) read as one message.
     */
    static ForgeErrors jira(String site) {
        return resetting(forgejo(site), ForgeErrors::jiraMessage, headers -> headers.first(
                "x-ratelimit-reset").flatMap(ForgeErrors::isoInstant));
    }

    private static Optional<Instant> isoInstant(String text) {
        try {
            return Optional.of(java.time.OffsetDateTime.parse(text.trim()).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** JIRA's {@code {"errorMessages": [...], "errors": {...}}} as {@code {"message": "..."}}. */
    static String jiraMessage(String body) {
        if (body == null || body.isBlank()) {
            return body;
        }
        try {
            tools.jackson.databind.JsonNode node = GitHubSession.JSON.readTree(body);
            if (!node.isObject() || !(node.has("errorMessages") || node.has("errors"))) {
                return body;
            }
            java.util.List<String> parts = new java.util.ArrayList<>();
            node.path("errorMessages").forEach(message -> parts.add(message.asString()));
            node.path("errors").properties().forEach(entry -> parts.add(entry.getKey() + ": "
                    + flatten(entry.getValue())));
            return GitHubSession.JSON.createObjectNode().put("message", String.join("; ", parts))
                    .toString();
        } catch (tools.jackson.core.JacksonException e) {
            return body;
        }
    }

    /** A Forgejo/Gitea server at {@code host}. */
    static ForgeErrors forgejo(String host) {
        return new ForgeErrors() {
            @Override
            public GitHubError classify(int status, ResponseHeaders headers, String body,
                    Instant now) {
                GitHubError github = ErrorClassifier.classify(host, status, headers, body, now);
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

            @Override
            public String upstream() {
                return host;
            }
        };
    }
}
