package dev.tollgate.tools.secrets;

import java.util.Locale;

/**
 * The kinds of credential Tollgate recognizes: what the audit sink's redactor writes in its marker
 * ({@code [REDACTED:github_token]}) and what the decision worker names when it refuses a write.
 */
public enum SecretKind {
    /** ghp_, gho_, ghu_, ghs_, ghr_, github_pat_, v1.: any GitHub token. */
    GITHUB_TOKEN("a GitHub token"),
    /** A PEM private key block. */
    PRIVATE_KEY("a private key"),
    /** A signed JSON Web Token. */
    JWT("a JSON Web Token"),
    /** An Authorization header's value, or a bare Bearer/Basic/token credential. */
    AUTHORIZATION("an Authorization credential"),
    /** A password by its key name, or in a URL's user info. */
    PASSWORD("a password"),
    /** An API key or token by its key name (api_key, access_token, SECRET_KEY, ...). */
    SECRET("an API key or token"),
    /** An AWS access key ID (AKIA, ASIA). */
    AWS_ACCESS_KEY("an AWS access key"),
    /** An AWS secret access key under its key name. */
    AWS_SECRET_KEY("an AWS secret access key"),
    /** A credential in a signed URL's parameter (?token=, sig=, X-Amz-Signature=, ...). */
    URL_CREDENTIAL("a credential in a URL"),
    /** xoxa-, xoxb-, xoxp-, xoxr-. */
    SLACK_TOKEN("a Slack token"),
    /** sk_live_, rk_live_. */
    STRIPE_KEY("a Stripe live key"),
    /** AIza and 35 characters. */
    GOOGLE_API_KEY("a Google API key"),
    /** npm_ and 36 characters. */
    NPM_TOKEN("an npm token"),
    /** pypi-AgE... */
    PYPI_TOKEN("a PyPI token"),
    /** sk-...T3BlbkFJ... */
    OPENAI_KEY("an OpenAI API key"),
    /** sk-ant-api03-... */
    ANTHROPIC_KEY("an Anthropic API key"),
    /** glpat- */
    GITLAB_TOKEN("a GitLab token");

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
