package dev.tollgate.tools.secrets;

import java.util.Locale;

/**
 * The kinds of credential Tollgate recognizes: what the audit sink's redactor writes in its marker
 * ({@code [REDACTED:github_token]}) and what the decision worker names when it refuses a write.
 */
public enum SecretKind {
    GITHUB_TOKEN("a GitHub token"), PRIVATE_KEY("a private key"), JWT(
            "a JSON Web Token"), AUTHORIZATION("an Authorization credential"), PASSWORD(
                    "a password"), SECRET("a secret"), AWS_ACCESS_KEY(
                            "an AWS access key"), URL_CREDENTIAL(
                                    "a credential in a URL"), SLACK_TOKEN(
                                            "a Slack token"), STRIPE_KEY(
                                                    "a Stripe live key"), GOOGLE_API_KEY(
                                                            "a Google API key"), NPM_TOKEN(
                                                                    "an npm token"), PYPI_TOKEN(
                                                                            "a PyPI token"), OPENAI_KEY(
                                                                                    "an OpenAI API key"), ANTHROPIC_KEY(
                                                                                            "an Anthropic API key"), GITLAB_TOKEN(
                                                                                                    "a GitLab token");

    private final String description;

    SecretKind(String description) {
        this.description = description;
    }

    /** What it is, for a sentence: "a GitHub token". */
    public String description() {
        return description;
    }

    /** The redactor's replacement: {@code [REDACTED:github_token]}. */
    public String marker() {
        return "[REDACTED:" + name().toLowerCase(Locale.ROOT) + "]";
    }
}
