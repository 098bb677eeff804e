package dev.tollgate.ingress.core.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What stops a validly signed gateway token: its rotation family was revoked, it was superseded
 * by a rotation (the replaced token keeps working until its grace ends, the ones before it stop at
 * once), or its agent was revoked (every family first issued at or before that second), in
 * one environment or in every environment.
 *
 * <p>One entry per rotation family, however often it rotates, kept until no member can still be
 * valid: for a family never rotated, its one token's expiry as learnt from the issue record; for a
 * rotated family, the family's absolute expiry (a generation before the head can outlive the head
 * when the maximum lifetime was lowered between them, and a replay of the compacted topic learns
 * only the head's expiry); without those, the latest expiry learnt, else (a revocation of a family
 * this replica never saw issued) the longest family any configuration allows. Nothing here depends on the configured maximum
 * lifetime, so no configuration change can make an entry be forgotten while a token it stops is
 * still valid. One entry per revoked agent (in every environment) and per revoked agent in one
 * environment ({@link AgentPrincipal}: the same agent ID in another environment is another
 * agent), each kept for that longest family. Thread-safe.
 */
public final class RevocationList {

    /** Tokens a replica has not learnt about are kept this much past what it knows. */
    private static final Duration SLACK = Duration.ofMinutes(5);

    /**
     * The state of one family. {@code head} is its newest generation; generation {@code head - 1}
     * works until {@code predecessorUntil}; older ones do not.
     */
    private record Family(int head, Instant predecessorUntil, Instant liveUntil,
            Instant expiresAt, Instant revokedAt, boolean rotating) {

        Instant forgetAfter() {
            if (head > 0 && expiresAt != null) {
                // a generation before the head may outlive it (issued while max-lifetime was
                // longer, or by a replica configured so), and a replay of the compacted topic
                // knows only the head's expiry: keep the entry until the family ends
                return latest(expiresAt, predecessorUntil);
            }
            if (liveUntil != null) {
                return latest(liveUntil, predecessorUntil);
            }
            if (expiresAt != null) {
                return expiresAt;
            }
            return latest(revokedAt, predecessorUntil).plus(TokenRules.LIFETIME_CEILING);
        }
    }

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    /** Agents revoked in every environment, by agent ID. */
    private final Map<String, Instant> agents = new ConcurrentHashMap<>();
    /** Agents revoked in one environment. */
    private final Map<AgentPrincipal, Instant> principals = new ConcurrentHashMap<>();
    private final Clock clock;

    public RevocationList(Clock clock) {
        this.clock = clock;
    }

    /** A family's first token was issued: remember how long the family can live. */
    public void issued(String familyId, Instant tokenExpiresAt, Instant familyExpiresAt) {
        families.merge(familyId, new Family(0, Instant.EPOCH, tokenExpiresAt, familyExpiresAt,
                null, false), RevocationList::merge);
    }

    /**
     * Generation {@code head} replaced generation {@code head - 1}, which works until
     * {@code predecessorUntil}; the new token expires at {@code headExpiresAt} (null if unknown).
     */
    public void rotated(String familyId, int head, Instant predecessorUntil,
            Instant headExpiresAt, Instant familyExpiresAt) {
        families.merge(familyId, new Family(head, predecessorUntil, headExpiresAt,
                familyExpiresAt, null, false), RevocationList::merge);
    }

    /** Every member of {@code familyId} stops working at {@code at}. */
    public void revokeFamily(String familyId, Instant at, Instant familyExpiresAt) {
        families.merge(familyId, new Family(0, Instant.EPOCH, null, familyExpiresAt, at, false),
                RevocationList::merge);
    }

    /**
     * Every token of {@code agentId}, in every environment, whose family was first issued at or
     * before {@code revokedAt} stops working. Issue times have one-second resolution, so a family
     * started in the same second is revoked too.
     */
    public void revokeAgent(String agentId, Instant revokedAt) {
        agents.merge(agentId, revokedAt, RevocationList::latest);
    }

    /**
     * As {@link #revokeAgent(String, Instant)}, for the agent in one environment only: the same
     * agent ID in another environment keeps its tokens.
     */
    public void revokeAgent(AgentPrincipal principal, Instant revokedAt) {
        principals.merge(principal, revokedAt, RevocationList::latest);
    }

    /**
     * When {@code principal} was last revoked as a whole, in its environment or in every
     * environment (its families first issued at or before then are refused), if it was and that is
     * still remembered.
     */
    public Optional<Revoked> agentRevokedAt(AgentPrincipal principal) {
        Instant everywhere = agents.get(principal.agentId());
        Instant here = principals.get(principal);
        if (everywhere == null && here == null) {
            return Optional.empty();
        }
        return Optional.of(here == null || (everywhere != null && !everywhere.isBefore(here))
                ? new Revoked(everywhere, true)
                : new Revoked(here, false));
    }

    /**
     * An agent's revocation as a whole.
     *
     * @param at its families first issued at or before this second are refused
     * @param everyEnvironment whether it was revoked in every environment, not only in its own
     */
    public record Revoked(Instant at, boolean everyEnvironment) {
    }

    /** The latest instant any member of {@code familyId} is known to be valid, if known. */
    public Optional<Instant> familyExpiry(String familyId) {
        Family family = families.get(familyId);
        if (family == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(family.expiresAt != null ? family.expiresAt : family.liveUntil);
    }

    /** Why {@code identity} is stopped now, if it is. */
    public Optional<String> reason(AgentIdentity identity) {
        Instant now = clock.instant();
        Optional<Revoked> agent = agentRevokedAt(identity.principal());
        if (agent.isPresent() && identity.family().issuedAt().getEpochSecond() <= agent.get().at()
                .getEpochSecond()) {
            return Optional.of("all tokens of agent " + identity.agentId() + (agent.get()
                    .everyEnvironment()
                            ? " (in every environment)"
                            : " in environment " + identity.environment())
                    + " issued before " + agent.get().at() + " have been revoked");
        }
        Family family = families.get(identity.family().id());
        if (family == null) {
            return Optional.empty();
        }
        if (family.revokedAt != null && !now.isBefore(family.revokedAt)) {
            return Optional.of("token has been revoked");
        }
        int generation = identity.family().generation();
        if (generation < family.head - 1 || (generation == family.head - 1 && !now.isBefore(
                family.predecessorUntil))) {
            return Optional.of("token was replaced by a rotation; use the token that replaced"
                    + " it");
        }
        return Optional.empty();
    }

    /**
     * Marks {@code parent}'s family as rotating, unless the parent may not be rotated: it was
     * rotated already (on any replica this one has heard from), or another rotation of its family
     * is under way here. The caller then either {@link #rotated commits} the rotation or
     * {@link #abortRotation aborts} it.
     *
     * @return why the rotation is refused, or empty if it may go on
     */
    public Optional<String> beginRotation(AgentIdentity parent) {
        AtomicReference<String> refusal = new AtomicReference<>();
        AgentIdentity.Family claimed = parent.family();
        families.compute(claimed.id(), (id, family) -> {
            if (family == null) {
                return new Family(claimed.generation(), Instant.EPOCH, parent.expiresAt(),
                        claimed.expiresAt(), null, true);
            }
            if (family.revokedAt != null) {
                refusal.set("token has been revoked");
            } else if (claimed.generation() < family.head) {
                refusal.set("this token was rotated already: use the token that replaced it (a"
                        + " token can be rotated once)");
            } else if (family.rotating) {
                refusal.set("a rotation of this token is already under way");
            }
            return refusal.get() == null
                    ? new Family(family.head, family.predecessorUntil, family.liveUntil,
                            family.expiresAt, family.revokedAt, true)
                    : family;
        });
        return Optional.ofNullable(refusal.get());
    }

    /** A rotation begun with {@link #beginRotation} did not happen. */
    public void abortRotation(String familyId) {
        families.computeIfPresent(familyId, (id, family) -> new Family(family.head,
                family.predecessorUntil, family.liveUntil, family.expiresAt, family.revokedAt,
                false));
    }

    /** Drops entries that can no longer stop a valid token. */
    public void prune() {
        Instant now = clock.instant();
        families.values().removeIf(family -> !family.rotating && now.isAfter(family.forgetAfter()
                .plus(SLACK)));
        agents.values().removeIf(revokedAt -> now.isAfter(revokedAt.plus(
                TokenRules.LIFETIME_CEILING).plus(SLACK)));
        principals.values().removeIf(revokedAt -> now.isAfter(revokedAt.plus(
                TokenRules.LIFETIME_CEILING).plus(SLACK)));
    }

    /** Families and agents (in every environment, and in one) held. */
    public int size() {
        return families.size() + agents.size() + principals.size();
    }

    /** Folds two views of one family; nothing a later record omits is lost. */
    private static Family merge(Family held, Family learnt) {
        int head = Math.max(held.head, learnt.head);
        Instant predecessorUntil;
        if (held.head == learnt.head) {
            predecessorUntil = held.head == 0
                    ? Instant.EPOCH
                    : earliestKnown(held.predecessorUntil, learnt.predecessorUntil);
        } else {
            predecessorUntil = held.head > learnt.head
                    ? held.predecessorUntil
                    : learnt.predecessorUntil;
        }
        return new Family(head, predecessorUntil, latest(held.liveUntil, learnt.liveUntil),
                held.expiresAt != null ? held.expiresAt : learnt.expiresAt, earliest(
                        held.revokedAt, learnt.revokedAt),
                held.rotating && !(learnt.head > held.head));
    }

    private static Instant earliestKnown(Instant a, Instant b) {
        if (Instant.EPOCH.equals(a)) {
            return b;
        }
        if (Instant.EPOCH.equals(b)) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.isAfter(b) ? a : b;
    }
}
