package dev.tollgate.ingress.tokens;

import dev.tollgate.events.AgentTokenAction;
import dev.tollgate.events.AgentTokenChanged;
import dev.tollgate.ingress.core.oidc.WorkloadTokens;
import dev.tollgate.ingress.core.tokens.AgentIdentity;
import dev.tollgate.ingress.core.tokens.AgentPrincipal;
import dev.tollgate.ingress.core.tokens.GatewayTokens;
import dev.tollgate.ingress.core.tokens.GrantNarrowing;
import dev.tollgate.ingress.core.tokens.InvalidTokenRequestException;
import dev.tollgate.ingress.core.tokens.RevocationList;
import dev.tollgate.ingress.core.tokens.RotationRefusedException;
import dev.tollgate.ingress.core.tokens.TokenIds;
import dev.tollgate.ingress.core.tokens.TokenRejectedException;
import dev.tollgate.ingress.core.tokens.TokenRules;
import dev.tollgate.ingress.kafka.EventPublisher;
import dev.tollgate.ingress.kafka.EventPublisher.PublishFailedException;
import dev.tollgate.schemas.EventMetas;
import dev.tollgate.schemas.Roles;
import dev.tollgate.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues, rotates, revokes and checks gateway tokens. Every change is published to
 * {@code gateway.agent-tokens} (never the token value) before the caller sees its effect; a
 * token whose issuance could not be recorded is not handed out.
 *
 * <p>Tokens come in rotation families. An admin's mint starts one, with an absolute expiry of
 * {@code max-lifetime} from then; rotating a token gives the next generation (same agent,
 * environment and narrowing, the same lifetime from now, never past the family's expiry) and
 * supersedes the rotated token: it keeps authenticating calls for {@code rotation-grace} (calls
 * in flight, an agent switching over) but cannot be rotated again, and the generation before it
 * stops at once. Revoking any member's ID revokes the whole family.
 *
 * <p>Records are keyed so that compaction keeps a replica's start-up replay at one record per
 * family ({@code family:<id>}: the issue, then each rotation, each carrying the family's whole
 * state), per revoked family ({@code revoked:<id>}), per agent revoked in every environment
 * ({@code agent:<id>}) and per agent revoked in one environment
 * ({@code agent-in:<environment>:<id>}), however often tokens rotate. The last two differ so that
 * compaction never lets a revocation in one environment replace one in every environment.
 */
public final class TokenService {

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Before the agent ID in the {@code actor} of what an agent does to its own token (a
     * rotation). An admin's actor is {@code admin-key}, {@code admin-key (break-glass)} or
     * {@code oidc:<issuer>:<subject>}, never this, so no agent's name (agent IDs may be
     * {@code admin-key} or hold ':') reads as an admin's. Records written before 2026-12-07 carry
     * the bare agent ID on ROTATED records (a rotation's actor is always the agent itself).
     */
    public static final String AGENT_ACTOR_PREFIX = "agent:";

    private final GatewayTokens tokens;
    private final TokenRules rules;
    private final RevocationList revocations;
    private final Recorder recorder;
    private final Clock clock;
    private final Duration rotationGrace;
    private final Collection<String> toolNames;
    private final WorkloadTokens workloads;
    /**
     * Whether this replica still learns every replica's revocations and rotations (the reader of
     * {@code gateway.agent-tokens} is running); none until the readers start.
     */
    private volatile BooleanSupplier revocationsCurrent = () -> false;

    /**
     * Thrown by {@link #authenticate} while the revocation list may be stale: the reader of the
     * token records is not running, so a token revoked through another replica could not be told
     * from a good one. The caller answers 503 (the agent retries, perhaps on another replica).
     */
    public static final class RevocationsUnavailableException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        RevocationsUnavailableException() {
            super("this gateway replica is not reading the token records (gateway.agent-tokens),"
                    + " so it cannot tell whether a token was revoked; retry shortly, or on"
                    + " another replica");
        }
    }

    /**
     * Where token records go: {@code gateway.token-history} and then {@code gateway.agent-tokens},
     * acknowledged, or a test's list.
     */
    @FunctionalInterface
    public interface Recorder {

        /** Returns once the record is durable; throws if it is not. */
        void record(String key, AgentTokenChanged event) throws PublishFailedException;
    }

    /**
     * @param workloads the workload identity tokens accepted besides gateway tokens (OIDC
     *        issuers); none when empty
     */
    public TokenService(GatewayTokens tokens, TokenRules rules, RevocationList revocations,
            EventPublisher publisher, Clock clock, Duration rotationGrace,
            Collection<String> toolNames, WorkloadTokens workloads) {
        this(tokens, rules, revocations, (key, event) -> {
            // the history (kept forever, audited) first: the state a replica replays never
            // holds a change the audit could miss
            publisher.publish(Topics.TOKEN_HISTORY, key, event, headers -> {
            }, PUBLISH_TIMEOUT);
            publisher.publish(Topics.AGENT_TOKENS, key, event, headers -> {
            }, PUBLISH_TIMEOUT);
        }, clock, rotationGrace, toolNames, workloads);
    }

    /** Gateway tokens only. */
    public TokenService(GatewayTokens tokens, TokenRules rules, RevocationList revocations,
            Recorder recorder, Clock clock, Duration rotationGrace,
            Collection<String> toolNames) {
        this(tokens, rules, revocations, recorder, clock, rotationGrace, toolNames,
                new WorkloadTokens(List.of(), issuer -> null, clock));
    }

    public TokenService(GatewayTokens tokens, TokenRules rules, RevocationList revocations,
            Recorder recorder, Clock clock, Duration rotationGrace,
            Collection<String> toolNames, WorkloadTokens workloads) {
        this.workloads = workloads;
        this.tokens = tokens;
        this.rules = rules;
        this.revocations = revocations;
        this.recorder = recorder;
        this.clock = clock;
        this.rotationGrace = rotationGrace;
        this.toolNames = toolNames;
    }

    /**
     * Where to learn whether revocations are current: the reader of {@code gateway.agent-tokens}
     * running. Until this is called, and whenever it answers false, {@link #authenticate} and
     * {@link #stillValid} accept no token.
     */
    public void revocationsCurrentWhile(BooleanSupplier readerRunning) {
        this.revocationsCurrent = readerRunning;
    }

    /** The record key of a family's issue and rotations. */
    public static String familyKey(String familyId) {
        return "family:" + familyId;
    }

    /** The record key of a family's revocation. */
    public static String revokedKey(String familyId) {
        return "revoked:" + familyId;
    }

    /** The record key of an agent's revocation in every environment. */
    public static String agentKey(String agentId) {
        return "agent:" + agentId;
    }

    /**
     * The record key of an agent's revocation in one environment. An environment name holds no
     * ':', so no two (environment, agent) pairs share a key, and the prefix is not
     * {@code agent:}, so none is an agent's revocation in every environment (whose ID may hold
     * ':').
     */
    public static String agentKey(AgentPrincipal principal) {
        return "agent-in:" + principal.environment() + ":" + principal.agentId();
    }

    /**
     * Checks a presented token: signature, times, family, revocation, supersession. A token whose
     * {@code iss} is a configured workload identity issuer's, or without {@code iss} while a
     * SPIFFE trust domain is trusted, is checked as a workload token (and its agent can be revoked
     * like any other); every other token as a gateway token.
     */
    public AgentIdentity authenticate(String token) throws TokenRejectedException {
        AgentIdentity identity = workloads.routesHere(token)
                ? workloads.verify(token)
                : tokens.verify(token);
        Optional<String> revoked = revocations.reason(identity);
        if (revoked.isPresent()) {
            throw new TokenRejectedException(revoked.get());
        }
        if (!revocationsCurrent.getAsBoolean()) {
            throw new RevocationsUnavailableException();
        }
        return identity;
    }

    /**
     * Whether {@code identity}, authenticated before, still holds now: not expired, not revoked,
     * not replaced by a rotation whose grace has run out. For what outlives one request (an
     * event stream).
     */
    public boolean stillValid(AgentIdentity identity) {
        return clock.instant().isBefore(identity.expiresAt()) && revocations.reason(identity)
                .isEmpty() && revocationsCurrent.getAsBoolean();
    }

    /**
     * Mints a token from an admin request body ({@code agent, environment, expires-in, grants}).
     *
     * @param actor the admin asking, recorded on the event
     * @param clientAddress where the admin's request came from, recorded on the event
     */
    public GatewayTokens.Minted issue(Map<String, Object> request, String actor,
            String clientAddress) throws PublishFailedException {
        for (String key : request.keySet()) {
            if (!Set.of("agent", "environment", "expires-in", "grants").contains(key)) {
                throw new InvalidTokenRequestException("unknown field '" + key
                        + "'; expected agent, environment, expires-in, grants");
            }
        }
        String agent = rules.agentId(request.get("agent"));
        String environment = rules.environment(request.get("environment"));
        Duration lifetime = rules.lifetime(request.get("expires-in"));
        Optional<GrantNarrowing> narrowing = Optional.ofNullable(request.get("grants"))
                .map(grants -> GrantNarrowing.requested(grants, toolNames));
        GatewayTokens.Minted minted = tokens.mint(agent, environment, lifetime, narrowing, rules
                .maxLifetime());
        AgentIdentity identity = minted.identity();
        publish(familyKey(identity.family().id()), event(AgentTokenAction.ISSUED, identity,
                identity.tokenId(), identity.expiresAt(), actor, narrowing.map(
                        n -> "grants narrowed to " + n.toJson()).orElse(null))
                .setGeneration(0)
                .setClientAddress(clientAddress)
                .build());
        revocations.issued(identity.family().id(), identity.expiresAt(), identity.family()
                .expiresAt());
        log.info("{} issued gateway token {} to agent {} ({}), expires {}, its rotations end {}",
                actor, identity.tokenId(), agent, environment, identity.expiresAt(), identity
                        .family().expiresAt());
        return minted;
    }

    /**
     * The next token of {@code old}'s family; {@code old} keeps working for the rotation grace
     * (never past its own expiry), then stops, and cannot be rotated again.
     *
     * @throws RotationRefusedException when {@code old} was rotated already, or its family is
     *         being rotated on this replica right now
     * @throws TokenRejectedException when the family has expired
     */
    public GatewayTokens.Minted rotate(AgentIdentity old, String clientAddress)
            throws PublishFailedException, RotationRefusedException, TokenRejectedException {
        if (!old.isGatewayToken()) {
            throw new RotationRefusedException("only gateway tokens are rotated here; a workload"
                    + " identity token is renewed by its issuer");
        }
        String familyId = old.family().id();
        Optional<String> refusal = revocations.beginRotation(old);
        if (refusal.isPresent()) {
            throw new RotationRefusedException(refusal.get());
        }
        boolean committed = false;
        try {
            GatewayTokens.Minted minted = tokens.rotate(old, rules.maxLifetime());
            AgentIdentity fresh = minted.identity();
            Instant graceEnds = clock.instant().plus(rotationGrace);
            if (graceEnds.isAfter(old.expiresAt())) {
                graceEnds = old.expiresAt();
            }
            publish(familyKey(familyId), event(AgentTokenAction.ROTATED, old, old.tokenId(),
                    graceEnds, agentActor(old.agentId()), "replaced by " + fresh.tokenId()
                            + "; stops working at " + graceEnds)
                    .setGeneration(fresh.family().generation())
                    .setReplacementTokenId(fresh.tokenId())
                    .setReplacementExpiresAt(fresh.expiresAt()).setClientAddress(clientAddress)
                    .build());
            revocations.rotated(familyId, fresh.family().generation(), graceEnds, fresh
                    .expiresAt(), fresh.family().expiresAt());
            committed = true;
            log.info("agent {} rotated gateway token {} to {}; the old one stops at {}, the"
                    + " family at {}", old.agentId(), old.tokenId(), fresh.tokenId(), graceEnds,
                    fresh.family().expiresAt());
            return minted;
        } finally {
            if (!committed) {
                revocations.abortRotation(familyId);
            }
        }
    }

    /** The {@code actor} recorded for what agent {@code agentId} does to its own token. */
    public static String agentActor(String agentId) {
        return AGENT_ACTOR_PREFIX + agentId;
    }

    /** Revokes the family of a token ID (any member's), effective now, for {@code actor}. */
    public Instant revokeToken(String tokenId, String agentId, String reason, String actor,
            String clientAddress) throws PublishFailedException {
        if (!TokenIds.isValid(tokenId)) {
            throw new InvalidTokenRequestException("token-id must be the ID of a gateway token "
                    + "(the jti: a UUID, or <UUID>.<n> for a rotation)");
        }
        String familyId = TokenIds.familyOf(tokenId);
        Instant now = clock.instant();
        Instant familyExpiresAt = revocations.familyExpiry(familyId).orElse(null);
        revocations.revokeFamily(familyId, now, familyExpiresAt);
        publish(revokedKey(familyId), AgentTokenChanged.newBuilder().setMeta(EventMetas.create(
                Roles.INGRESS, null, clock)).setAction(AgentTokenAction.REVOKED).setAgentId(
                        agentId == null
                                ? ""
                                : rules.agentId(agentId))
                .setTokenId(tokenId).setExpiresAt(now).setActor(actor).setReason(reason)
                .setFamilyId(familyId).setFamilyExpiresAt(familyExpiresAt).setClientAddress(
                        clientAddress)
                .build());
        log.info("{} revoked gateway token family {} (by token {})", actor, familyId, tokenId);
        return now;
    }

    /**
     * Revokes every token the agent holds now, rotations included, for {@code actor}: in
     * {@code environment} only, or in every environment when it is null. The record carries the
     * environment (null: every environment, as every record written before environments could be
     * named).
     *
     * @throws InvalidTokenRequestException when the agent ID or the environment is not valid
     *         (nothing is revoked or recorded)
     */
    public Instant revokeAgent(String agentId, String environment, String reason, String actor,
            String clientAddress) throws PublishFailedException {
        String agent = rules.agentId(agentId);
        String scope = environment == null ? null : rules.environment(environment);
        Instant now = clock.instant();
        if (scope == null) {
            revocations.revokeAgent(agent, now);
        } else {
            revocations.revokeAgent(new AgentPrincipal(scope, agent), now);
        }
        publish(scope == null ? agentKey(agent) : agentKey(new AgentPrincipal(scope, agent)),
                AgentTokenChanged.newBuilder().setMeta(EventMetas.create(Roles.INGRESS, null,
                        clock)).setAction(AgentTokenAction.REVOKED).setAgentId(agent)
                        .setEnvironment(scope).setTokenId(null).setExpiresAt(now).setActor(actor)
                        .setReason(reason).setClientAddress(clientAddress).build());
        log.info("{} revoked every gateway token of agent {} {}", actor, agent, scope == null
                ? "in every environment"
                : "in environment " + scope);
        return now;
    }

    /** Revokes every token the agent holds now in every environment. */
    public Instant revokeAgent(String agentId, String reason, String actor,
            String clientAddress) throws PublishFailedException {
        return revokeAgent(agentId, null, reason, actor, clientAddress);
    }

    /**
     * Applies a token record read from the topic (this replica's own, another's, or one written
     * before rotation families existed, which then stands for a family of one token).
     */
    public void apply(AgentTokenChanged event) {
        String familyId = event.getFamilyId();
        switch (event.getAction()) {
            case ISSUED -> {
                if (event.getTokenId() != null && event.getExpiresAt() != null) {
                    revocations.issued(familyId != null ? familyId : event.getTokenId(), event
                            .getExpiresAt(),
                            event.getFamilyExpiresAt() != null
                                    ? event.getFamilyExpiresAt()
                                    : event.getExpiresAt());
                }
            }
            case ROTATED -> {
                if (familyId != null && event.getGeneration() != null
                        && event.getExpiresAt() != null) {
                    revocations.rotated(familyId, event.getGeneration(), event.getExpiresAt(),
                            event.getReplacementExpiresAt(), event.getFamilyExpiresAt());
                } else if (event.getTokenId() != null && event.getExpiresAt() != null) {
                    // before families: the rotated token stopped at expiresAt
                    revocations.rotated(event.getTokenId(), 1, event.getExpiresAt(), null, null);
                }
            }
            case REVOKED -> {
                Instant at = event.getExpiresAt() != null
                        ? event.getExpiresAt()
                        : event.getMeta().getOccurredAt();
                if (event.getTokenId() != null) {
                    revocations.revokeFamily(familyId != null
                            ? familyId
                            : TokenIds.isValid(event.getTokenId())
                                    ? TokenIds.familyOf(event.getTokenId())
                                    : event.getTokenId(),
                            at, event.getFamilyExpiresAt());
                } else if (!event.getAgentId().isEmpty()) {
                    // no environment (every record before environments could be named, and
                    // every revocation that named none): every environment
                    if (event.getEnvironment() == null) {
                        revocations.revokeAgent(event.getAgentId(), at);
                    } else {
                        revocations.revokeAgent(new AgentPrincipal(event.getEnvironment(), event
                                .getAgentId()), at);
                    }
                }
            }
            default -> {
            }
        }
    }

    /** The workload identity issuers trusted besides gateway tokens. */
    public WorkloadTokens workloads() {
        return workloads;
    }

    public RevocationList revocations() {
        return revocations;
    }

    private AgentTokenChanged.Builder event(AgentTokenAction action, AgentIdentity identity,
            String tokenId, Instant expiresAt, String actor, String reason) {
        return AgentTokenChanged.newBuilder().setMeta(EventMetas.create(Roles.INGRESS, null,
                clock)).setAction(action).setAgentId(identity.agentId()).setEnvironment(identity
                        .environment())
                .setTokenId(tokenId).setExpiresAt(expiresAt).setActor(actor)
                .setReason(reason).setFamilyId(identity.family().id()).setFamilyExpiresAt(
                        identity.family().expiresAt());
    }

    private void publish(String key, AgentTokenChanged event) throws PublishFailedException {
        recorder.record(key, event);
    }

}
