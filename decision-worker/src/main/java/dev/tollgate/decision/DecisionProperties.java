package dev.tollgate.decision;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code tollgate.decision.*}: how the worker consumes requests. */
@ConfigurationProperties("tollgate.decision")
public class DecisionProperties {

    /** Consumer group shared by every decision-worker replica. */
    private String groupId = dev.tollgate.schemas.KafkaAcls.DECISION_GROUP;

    /** Consumers (threads) in this process; each has its own transactional producer. */
    private int consumers = 1;

    /** How long one poll waits for requests. */
    private Duration pollTimeout = Duration.ofMillis(500);

    /**
     * Prefix of the producers' transactional.id; the replica's instance ID, the process ID and the
     * consumer's index are appended, so replicas never fence each other.
     */
    private String transactionalIdPrefix = dev.tollgate.schemas.KafkaAcls.DECISION_TRANSACTIONAL_ID_PREFIX;

    /**
     * The key every allowed decision is signed with (HMAC-SHA256, base64 of at least 32 random
     * bytes); the executors are given the same file ({@code tollgate.executor.decision-key-files}).
     */
    private java.nio.file.Path signingKeyFile;

    /** Longest a transaction may stay open (a crashed worker's open batch is aborted after it). */
    private Duration transactionTimeout = Duration.ofSeconds(15);

    /**
     * How long a busy loop gathers more requests before a transaction (0: not at all). 5 ms was
     * the fastest of 0, 2, 5 and 10 ms in the bench (benchmarks/README.md); one request at a time
     * never waits.
     */
    private Duration gather = Duration.ofMillis(5);

    public Duration getGather() {
        return gather;
    }

    public void setGather(Duration gather) {
        this.gather = gather;
    }

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

    public java.nio.file.Path getSigningKeyFile() {
        return signingKeyFile;
    }

    public void setSigningKeyFile(java.nio.file.Path signingKeyFile) {
        this.signingKeyFile = signingKeyFile;
    }
}
