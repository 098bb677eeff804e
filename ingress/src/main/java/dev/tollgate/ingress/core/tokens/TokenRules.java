package dev.tollgate.ingress.core.tokens;

import java.time.Duration;
import java.util.regex.Pattern;

/** What an agent ID, an environment and a token lifetime may be. */
public final class TokenRules {

    /**
     * Letters, digits and {@code . _ @ - : /}: ':' and '/' so that workload identities keep their
     * natural names ({@code system:serviceaccount:ci:runner}, {@code gha:octo/app}); a policy's
     * agent glob matches within '/'-separated segments ({@code gha:octo/*}).
     */
    private static final Pattern AGENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@:/-]{0,127}");
    private static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public static final Duration MIN_LIFETIME = Duration.ofMinutes(1);
    /**
     * The longest a token family may live whatever the configuration: revocations of families a
     * replica never saw issued, and of whole agents, are kept this long.
     */
    public static final Duration LIFETIME_CEILING = Duration.ofDays(366);

    private final Duration defaultLifetime;
    private final Duration maxLifetime;

    public TokenRules(Duration defaultLifetime, Duration maxLifetime) {
        if (maxLifetime.compareTo(MIN_LIFETIME) < 0 || defaultLifetime.compareTo(maxLifetime) > 0
                || defaultLifetime.compareTo(MIN_LIFETIME) < 0) {
            throw new IllegalArgumentException("token lifetimes: need 60 s <= default ("
                    + defaultLifetime.toSeconds() + " s) <= max (" + maxLifetime.toSeconds()
                    + " s)");
        }
        if (maxLifetime.compareTo(LIFETIME_CEILING) > 0) {
            throw new IllegalArgumentException("tollgate.ingress.tokens.max-lifetime ("
                    + maxLifetime.toDays() + " days) must be at most "
                    + LIFETIME_CEILING.toDays() + " days");
        }
        this.defaultLifetime = defaultLifetime;
        this.maxLifetime = maxLifetime;
    }

    /**
     * The longest a token may live, and a rotation family with it: a family's first token is
     * issued with an absolute expiry this far away, which no rotation extends.
     */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** Whether {@code value} may name an agent. */
    public static boolean isAgentId(String value) {
        return value != null && AGENT.matcher(value).matches();
    }

    /** Whether {@code value} may name an environment. */
    public static boolean isEnvironment(String value) {
        return value != null && ENVIRONMENT.matcher(value).matches();
    }

    public String agentId(Object value) {
        if (!(value instanceof String s) || !isAgentId(s)) {
            throw new InvalidTokenRequestException("agent must be 1 to 128 letters, digits, "
                    + "'.', '_', '@', ':', '/' or '-', starting with a letter or digit");
        }
        return s;
    }

    public String environment(Object value) {
        if (!(value instanceof String s) || !isEnvironment(s)) {
            throw new InvalidTokenRequestException("environment must be 1 to 63 lower-case "
                    + "letters, digits, '_' or '-' (e.g. dev, ci, prod)");
        }
        return s;
    }

    /** The lifetime asked for in seconds, or the default when absent. */
    public Duration lifetime(Object value) {
        if (value == null) {
            return defaultLifetime;
        }
        long seconds = switch (value) {
            case Integer i -> i;
            case Long l -> l;
            default -> -1;
        };
        if (seconds < MIN_LIFETIME.toSeconds() || seconds > maxLifetime.toSeconds()) {
            throw new InvalidTokenRequestException("expires-in must be a whole number of seconds "
                    + "from " + MIN_LIFETIME.toSeconds() + " to " + maxLifetime.toSeconds());
        }
        return Duration.ofSeconds(seconds);
    }
}
