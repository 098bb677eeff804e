package dev.tollgate.ingress.config;

import dev.tollgate.ingress.core.replies.ReplyBook;
import dev.tollgate.ingress.web.RateLimits;
import dev.tollgate.runtime.security.oidc.OidcSettings;
import dev.tollgate.runtime.security.oidc.TrustSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The ingress's settings, under {@code tollgate.ingress.*} (environment
 * {@code TOLLGATE_INGRESS_*}). Every default is safe for a single replica on loopback.
 */
@ConfigurationProperties("tollgate.ingress")
public class IngressProperties {

    /** Where generated secrets (admin key, token signing key) are kept, readable by the user only. */
    private Path stateDir = Path.of(".tollgate");
    /** Largest accepted MCP request body; larger bodies get 413. */
    private int maxRequestBytes = 1024 * 1024;
    /**
     * How long an MCP request's whole body may take to arrive once its head has (408 after it,
     * and the connection closed); also how long one read of a body waits for data. A request
     * thread reads the body, so a client sending a byte now and then would otherwise hold one for
     * as long as it liked (each agent may have max-requests-in-flight-per-agent of them).
     */
    private Duration bodyTimeout = Duration.ofSeconds(30);
    /** Largest accepted body of the admin token API; larger bodies get 413, unread. */
    private int maxAdminRequestBytes = 64 * 1024;
    /** Origins (scheme://host[:port]) allowed besides loopback ones; browsers send Origin. */
    private List<String> allowedOrigins = new ArrayList<>();
    /** Host header values (without port) accepted besides localhost, 127.0.0.1 and [::1]. */
    private List<String> allowedHosts = new ArrayList<>();
    /** How long a tool call waits for its final answer before it is reported as pending. */
    private Duration replyTimeout = Duration.ofSeconds(30);
    /**
     * The partition of gateway.replies this replica's calls are answered on: a number, or "auto"
     * (see README). Every replica reads every partition; this only spreads the answers.
     */
    private String replyPartition = "auto";
    /** How long requests and final answers stay readable by get_request_status. */
    private Duration completedRetention = Duration.ofHours(1);
    /**
     * How long the reader of every replica's requests lets them gather on the broker before it
     * fetches them (0: at once). No call waits on it: a replica's own calls are registered before
     * they are published; it only tells this replica about calls made through the others.
     */
    private Duration requestsReaderWait = Duration.ofMillis(100);
    /**
     * How long a Kafka reader (token records, policy, requests, answers) counts as running
     * without an answer from the broker: each asks for its partitions' end offsets every third of
     * it. Past it, tokens are refused (503 revocations_unavailable) and /readyz fails.
     */
    private Duration kafkaContactBound = Duration.ofSeconds(30);
    /** At most this many requests and answers (of every replica's agents) are kept. */
    private int completedMaxEntries = 100_000;
    /** At most this many of them per agent: beyond it, the agent's oldest go. */
    private int completedMaxEntriesPerAgent = 10_000;
    /** And at most this much heap (approximate; answers can carry whole files). */
    private DataSize completedMaxSize = DataSize.ofBytes(ReplyBook.DEFAULT_MAX_BYTES);
    /** MCP requests one agent may have in progress on this replica; more get 429. */
    private int maxRequestsInFlightPerAgent = 64;
    /** Proxies whose X-Forwarded-For is believed (IP addresses); none by default. */
    private List<String> trustedProxies = new ArrayList<>();
    /**
     * At shutdown, how long connections already open are still served (each closed after its
     * answer) once the listener refuses new ones: set it above the upstream keep-alive timeout of
     * a proxy in front (nginx.conf: 10 s), so that the proxy, not this replica, closes its idle
     * connections and never sends a request down one being closed. 0: no wait (no proxy).
     */
    private Duration drainGrace = Duration.ZERO;
    private final Tokens tokens = new Tokens();
    private final RateLimit rateLimit = new RateLimit();
    private final Oidc oidc = new Oidc();
    private final Refusals refusals = new Refusals();
    private final Streams streams = new Streams();

    public Path getStateDir() {
        return stateDir;
    }

    public void setStateDir(Path stateDir) {
        this.stateDir = stateDir;
    }

    public Duration getBodyTimeout() {
        return bodyTimeout;
    }

    public void setBodyTimeout(Duration bodyTimeout) {
        this.bodyTimeout = bodyTimeout;
    }

    public int getMaxRequestBytes() {
        return maxRequestBytes;
    }

    public void setMaxRequestBytes(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    public int getMaxAdminRequestBytes() {
        return maxAdminRequestBytes;
    }

    public void setMaxAdminRequestBytes(int maxAdminRequestBytes) {
        this.maxAdminRequestBytes = maxAdminRequestBytes;
    }

    public List<String> getAllowedOrigins() {
        return allowedOrigins;
    }

    public void setAllowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins;
    }

    public List<String> getAllowedHosts() {
        return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
        this.allowedHosts = allowedHosts;
    }

    public Duration getReplyTimeout() {
        return replyTimeout;
    }

    public void setReplyTimeout(Duration replyTimeout) {
        this.replyTimeout = replyTimeout;
    }

    public String getReplyPartition() {
        return replyPartition;
    }

    public void setReplyPartition(String replyPartition) {
        this.replyPartition = replyPartition;
    }

    public Duration getCompletedRetention() {
        return completedRetention;
    }

    public void setCompletedRetention(Duration completedRetention) {
        this.completedRetention = completedRetention;
    }

    public Duration getRequestsReaderWait() {
        return requestsReaderWait;
    }

    public void setRequestsReaderWait(Duration requestsReaderWait) {
        this.requestsReaderWait = requestsReaderWait;
    }

    public Duration getKafkaContactBound() {
        return kafkaContactBound;
    }

    public void setKafkaContactBound(Duration kafkaContactBound) {
        this.kafkaContactBound = kafkaContactBound;
    }

    public DataSize getCompletedMaxSize() {
        return completedMaxSize;
    }

    public void setCompletedMaxSize(DataSize completedMaxSize) {
        this.completedMaxSize = completedMaxSize;
    }

    public int getCompletedMaxEntries() {
        return completedMaxEntries;
    }

    public void setCompletedMaxEntries(int completedMaxEntries) {
        this.completedMaxEntries = completedMaxEntries;
    }

    public int getCompletedMaxEntriesPerAgent() {
        return completedMaxEntriesPerAgent;
    }

    public void setCompletedMaxEntriesPerAgent(int completedMaxEntriesPerAgent) {
        this.completedMaxEntriesPerAgent = completedMaxEntriesPerAgent;
    }

    public int getMaxRequestsInFlightPerAgent() {
        return maxRequestsInFlightPerAgent;
    }

    public void setMaxRequestsInFlightPerAgent(int maxRequestsInFlightPerAgent) {
        this.maxRequestsInFlightPerAgent = maxRequestsInFlightPerAgent;
    }

    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public Duration getDrainGrace() {
        return drainGrace;
    }

    public void setDrainGrace(Duration drainGrace) {
        this.drainGrace = drainGrace;
    }

    public Tokens getTokens() {
        return tokens;
    }

    public RateLimit getRateLimit() {
        return rateLimit;
    }

    public Oidc getOidc() {
        return oidc;
    }

    public Refusals getRefusals() {
        return refusals;
    }

    public Streams getStreams() {
        return streams;
    }

    /**
     * The server streams agents open with GET /mcp to hear notifications/tools/list_changed.
     */
    public static class Streams {

        /** Streams one agent may hold open on one replica; a new one ends its oldest. */
        private int perAgent = 4;
        /** Streams all agents may hold open on one replica; beyond, new agents' are refused. */
        private int max = 1_000;
        /** How often an idle stream gets a comment (below a proxy's read timeout). */
        private Duration keepAlive = Duration.ofSeconds(25);
        /** How long a stream lives at most before its client reconnects (token checked again). */
        private Duration maxLife = Duration.ofMinutes(30);
        /** How long a client is told to wait before it reconnects (SSE retry). */
        private Duration retry = Duration.ofSeconds(2);

        public int getPerAgent() {
            return perAgent;
        }

        public void setPerAgent(int perAgent) {
            this.perAgent = perAgent;
        }

        public int getMax() {
            return max;
        }

        public void setMax(int max) {
            this.max = max;
        }

        public Duration getKeepAlive() {
            return keepAlive;
        }

        public void setKeepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive;
        }

        public Duration getMaxLife() {
            return maxLife;
        }

        public void setMaxLife(Duration maxLife) {
            this.maxLife = maxLife;
        }

        public Duration getRetry() {
            return retry;
        }

        public void setRetry(Duration retry) {
            this.retry = retry;
        }
    }

    /** Refusals at the door, counted and published to gateway.refusals for the audit. */
    public static class Refusals {

        /** How often the counts are published (one record per client, reason and interval). */
        private Duration interval = Duration.ofSeconds(10);
        /** Distinct client/reason tallies per interval; beyond, clients count as "(other)". */
        private int maxClients = 10_000;

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getMaxClients() {
            return maxClients;
        }

        public void setMaxClients(int maxClients) {
            this.maxClients = maxClients;
        }
    }

    /**
     * Workload identity: JWTs of trusted OIDC issuers accepted besides gateway tokens, and the
     * OAuth protected resource metadata (RFC 9728) that tells MCP clients where to get them; and
     * the admins' issuers and key fetching every role shares ({@link OidcSettings}).
     */
    public static class Oidc extends OidcSettings {

        /**
         * The canonical URI of the MCP endpoint as clients reach it
         * ({@code https://tollgate.example.com/mcp}): the default audience of every issuer's
         * tokens, and the {@code resource} of the metadata. Unset: no metadata is served.
         */
        private String resource;
        /** The issuers, by a short name of your choosing. */
        private Map<String, Issuer> issuers = new LinkedHashMap<>();

        public String getResource() {
            return resource;
        }

        public void setResource(String resource) {
            this.resource = resource;
        }

        public Map<String, Issuer> getIssuers() {
            return issuers;
        }

        public void setIssuers(Map<String, Issuer> issuers) {
            this.issuers = issuers;
        }
    }

    /**
     * One trusted issuer of agents' workload identity tokens (see the README's "Workload
     * identity"); audiences default to tollgate.ingress.oidc.resource.
     */
    public static class Issuer extends TrustSettings {

        /**
         * The claim naming the agent: a name or a JSON pointer; unset: sub, or for a SPIFFE
         * trust domain the path of the SPIFFE ID in sub.
         */
        private String agentClaim;
        /**
         * The SPIFFE trust domain whose JWT-SVIDs these are (example.org): their sub must be a
         * SPIFFE ID of it, and those without iss are routed here by it; jwks-uri is then
         * required and issuer optional.
         */
        private String spiffeTrustDomain;
        /** Put before the agent claim's value; required ('' to use it as is). */
        private String agentPrefix;
        /** The claim naming the environment (a name or a JSON pointer); or set environment. */
        private String environmentClaim;
        /** The environment of every token of this issuer; or set environment-claim. */
        private String environment;
        /** Named to MCP clients as an authorization server (RFC 9728). */
        private boolean authorizationServer;
        /**
         * Another issuer (by name) with the same agent-prefix whose agents this issuer's are on
         * purpose, while an issuer moves to a new URL; else two issuers' prefixes stop the start
         * when one's agents could be the other's.
         */
        private String sharesAgentsWith;

        public String getSharesAgentsWith() {
            return sharesAgentsWith;
        }

        public void setSharesAgentsWith(String sharesAgentsWith) {
            this.sharesAgentsWith = sharesAgentsWith;
        }

        public String getAgentClaim() {
            return agentClaim;
        }

        public void setAgentClaim(String agentClaim) {
            this.agentClaim = agentClaim;
        }

        public String getSpiffeTrustDomain() {
            return spiffeTrustDomain;
        }

        public void setSpiffeTrustDomain(String spiffeTrustDomain) {
            this.spiffeTrustDomain = spiffeTrustDomain;
        }

        public String getAgentPrefix() {
            return agentPrefix;
        }

        public void setAgentPrefix(String agentPrefix) {
            this.agentPrefix = agentPrefix;
        }

        public String getEnvironmentClaim() {
            return environmentClaim;
        }

        public void setEnvironmentClaim(String environmentClaim) {
            this.environmentClaim = environmentClaim;
        }

        public String getEnvironment() {
            return environment;
        }

        public void setEnvironment(String environment) {
            this.environment = environment;
        }

        public boolean isAuthorizationServer() {
            return authorizationServer;
        }

        public void setAuthorizationServer(boolean authorizationServer) {
            this.authorizationServer = authorizationServer;
        }
    }

    /** Gateway (agent) tokens. */
    public static class Tokens {

        /** HMAC key (at least 32 characters) shared by every ingress replica. Prefer the file. */
        private String signingKey;
        /** File holding the signing key. Unset with no key: one is generated in the state dir. */
        private Path signingKeyFile;
        private Duration defaultLifetime = Duration.ofHours(1);
        private Duration maxLifetime = Duration.ofDays(30);
        /** How long a rotated token keeps working after /token/rotate. */
        private Duration rotationGrace = Duration.ofSeconds(60);

        public String getSigningKey() {
            return signingKey;
        }

        public void setSigningKey(String signingKey) {
            this.signingKey = signingKey;
        }

        public Path getSigningKeyFile() {
            return signingKeyFile;
        }

        public void setSigningKeyFile(Path signingKeyFile) {
            this.signingKeyFile = signingKeyFile;
        }

        public Duration getDefaultLifetime() {
            return defaultLifetime;
        }

        public void setDefaultLifetime(Duration defaultLifetime) {
            this.defaultLifetime = defaultLifetime;
        }

        public Duration getMaxLifetime() {
            return maxLifetime;
        }

        public void setMaxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
        }

        public Duration getRotationGrace() {
            return rotationGrace;
        }

        public void setRotationGrace(Duration rotationGrace) {
            this.rotationGrace = rotationGrace;
        }
    }

    /**
     * Rate limits: per agent on /mcp and /token/rotate (Resilience4j), and wrong admin keys per
     * client address on /admin/** (the right key is never limited).
     */
    public static class RateLimit {

        /**
         * KiB of write tool calls' bodies per agent per agent-period (each is scanned for
         * credentials); a larger body waits until the period's whole allowance is free.
         */
        private int writeKibLimitForPeriod = RateLimits.DEFAULT_WRITE_KIB;

        public int getWriteKibLimitForPeriod() {
            return writeKibLimitForPeriod;
        }

        public void setWriteKibLimitForPeriod(int writeKibLimitForPeriod) {
            this.writeKibLimitForPeriod = writeKibLimitForPeriod;
        }

        /** Tool calls (on /mcp) and token rotations one agent may start per period. */
        private int agentLimitForPeriod = 50;
        private Duration agentPeriod = Duration.ofSeconds(1);
        /**
         * Every other MCP message one agent may send per {@code agentPeriod} (initialize, ping,
         * tools/list, notifications): cheap, answered by the ingress itself, so only a flood is
         * refused, never a client's normal burst.
         */
        private int protocolLimitForPeriod = 500;
        /** Wrong or missing admin keys one client address may send per period before 429s. */
        private int adminLimitForPeriod = 20;
        private Duration adminPeriod = Duration.ofMinutes(1);
        /** Token rotations one agent may make per period (besides the agent limit). */
        private int rotationLimitForPeriod = 6;
        private Duration rotationPeriod = Duration.ofHours(1);

        public int getRotationLimitForPeriod() {
            return rotationLimitForPeriod;
        }

        public void setRotationLimitForPeriod(int rotationLimitForPeriod) {
            this.rotationLimitForPeriod = rotationLimitForPeriod;
        }

        public Duration getRotationPeriod() {
            return rotationPeriod;
        }

        public void setRotationPeriod(Duration rotationPeriod) {
            this.rotationPeriod = rotationPeriod;
        }

        public int getProtocolLimitForPeriod() {
            return protocolLimitForPeriod;
        }

        public void setProtocolLimitForPeriod(int protocolLimitForPeriod) {
            this.protocolLimitForPeriod = protocolLimitForPeriod;
        }

        public int getAgentLimitForPeriod() {
            return agentLimitForPeriod;
        }

        public void setAgentLimitForPeriod(int agentLimitForPeriod) {
            this.agentLimitForPeriod = agentLimitForPeriod;
        }

        public Duration getAgentPeriod() {
            return agentPeriod;
        }

        public void setAgentPeriod(Duration agentPeriod) {
            this.agentPeriod = agentPeriod;
        }

        public int getAdminLimitForPeriod() {
            return adminLimitForPeriod;
        }

        public void setAdminLimitForPeriod(int adminLimitForPeriod) {
            this.adminLimitForPeriod = adminLimitForPeriod;
        }

        public Duration getAdminPeriod() {
            return adminPeriod;
        }

        public void setAdminPeriod(Duration adminPeriod) {
            this.adminPeriod = adminPeriod;
        }
    }
}
