package dev.tollgate.decision;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code tollgate.decision.*}: how the worker consumes requests. */
@ConfigurationProperties("tollgate.decision")
public class DecisionProperties {

    /** Consumer group shared by every decision-worker replica. */
    private String groupId = "tollgate-decision-worker";

    /** Consumers (threads) in this process; each has its own transactional producer. */
    private int consumers = 1;

    /** How long one poll waits for requests. */
    private Duration pollTimeout = Duration.ofMillis(500);

    /**
     * Prefix of the producers' transactional.id; the replica's instance ID, the process ID and the
     * consumer's index are appended, so replicas never fence each other.
     */
    private String transactionalIdPrefix = "tollgate-decision";

    /** Longest a transaction may stay open (a crashed worker's open batch is aborted after it). */
    private Duration transactionTimeout = Duration.ofSeconds(15);

    /**
     * False when no executor will perform allowed calls because no GitHub App is configured (the
     * standalone launcher sets it in its try-it mode): each allowed call is then answered at once
     * with {@code github_not_configured} instead of waiting.
     */
    private boolean githubConfigured = true;

    public boolean isGithubConfigured() {
        return githubConfigured;
    }

    public void setGithubConfigured(boolean githubConfigured) {
        this.githubConfigured = githubConfigured;
    }

    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    public int getConsumers() {
        return consumers;
    }

    public void setConsumers(int consumers) {
        this.consumers = consumers;
    }

    public Duration getPollTimeout() {
        return pollTimeout;
    }

    public void setPollTimeout(Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    public String getTransactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public void setTransactionalIdPrefix(String transactionalIdPrefix) {
        this.transactionalIdPrefix = transactionalIdPrefix;
    }

    public Duration getTransactionTimeout() {
        return transactionTimeout;
    }

    public void setTransactionTimeout(Duration transactionTimeout) {
        this.transactionTimeout = transactionTimeout;
    }
}
