package dev.tollgate.runtime.security.oidc;

import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A role's OIDC settings every role shares, bound under the role's own prefix
 * ({@code tollgate.ingress.oidc}, {@code tollgate.executor.oidc}): the admins' issuers and how
 * their keys are fetched and kept. A role adds its own (the ingress: agents' issuers).
 */
public class OidcSettings {

    /** Longest {@code fetch-timeout}: a request thread waits this long for a slow issuer. */
    public static final Duration MAX_FETCH_TIMEOUT = Duration.ofMinutes(1);

    /** The admins' issuers, by a short name of your choosing. */
    private Map<String, AdminIssuerSettings> adminIssuers = new LinkedHashMap<>();
    /** How long one request for an issuer's keys or discovery document may take. */
    private Duration fetchTimeout = Duration.ofSeconds(5);
    /** How long fetched keys are used before they are fetched again. */
    private Duration keysCacheFor = Duration.ofMinutes(15);
    /** At most one fetch of an issuer's keys per interval, however many unknown key IDs. */
    private Duration keysMinRefreshInterval = Duration.ofSeconds(30);

    public Map<String, AdminIssuerSettings> getAdminIssuers() {
        return adminIssuers;
    }

    public void setAdminIssuers(Map<String, AdminIssuerSettings> adminIssuers) {
        this.adminIssuers = adminIssuers;
    }

    public Duration getFetchTimeout() {
        return fetchTimeout;
    }

    public void setFetchTimeout(Duration fetchTimeout) {
        this.fetchTimeout = fetchTimeout;
    }

    public Duration getKeysCacheFor() {
        return keysCacheFor;
    }

    public void setKeysCacheFor(Duration keysCacheFor) {
        this.keysCacheFor = keysCacheFor;
    }

    public Duration getKeysMinRefreshInterval() {
        return keysMinRefreshInterval;
    }

    public void setKeysMinRefreshInterval(Duration keysMinRefreshInterval) {
        this.keysMinRefreshInterval = keysMinRefreshInterval;
    }

    /**
     * Each issuer's keys, fetched and kept as these settings say ({@link IssuerKeys}), once the
     * settings are checked: a fetch timeout of 0 would wait for a stalled issuer forever, a cache
     * or refresh interval of 0 would fetch the keys for every token.
     *
     * @param prefix where these settings are bound ({@code tollgate.executor.oidc}), named in
     *        refusals
     * @throws IllegalArgumentException naming the setting at fault
     */
    public Function<TrustedIssuer, JWKSource<SecurityContext>> keys(String prefix, Clock clock) {
        requirePositive(prefix + ".fetch-timeout", fetchTimeout);
        if (fetchTimeout.compareTo(MAX_FETCH_TIMEOUT) > 0) {
            throw new IllegalArgumentException(prefix + ".fetch-timeout must be at most "
                    + MAX_FETCH_TIMEOUT.toSeconds() + "s, not " + fetchTimeout);
        }
        requirePositive(prefix + ".keys-cache-for", keysCacheFor);
        requirePositive(prefix + ".keys-min-refresh-interval", keysMinRefreshInterval);
        Duration timeout = fetchTimeout;
        Duration cacheFor = keysCacheFor;
        Duration minRefresh = keysMinRefreshInterval;
        return issuer -> new IssuerKeys(issuer, timeout, cacheFor, minRefresh, clock);
    }

    private static void requirePositive(String setting, Duration value) {
        if (value == null || value.isNegative() || value.toMillis() < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1ms, not " + value);
        }
    }
}
