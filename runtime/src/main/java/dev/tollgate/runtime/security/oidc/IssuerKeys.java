package dev.tollgate.runtime.security.oidc;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An issuer's signing keys, fetched over HTTP and kept by nimbus's JWK source (cached for
 * {@code cacheFor}; a key ID not in the cache makes it fetch again, at most once per
 * {@code minRefreshInterval}, so a rotated key is picked up on its first use and a flood of
 * made-up key IDs costs the issuer one request per interval). The keys' address is the configured
 * {@code jwks-uri}, else the {@code jwks_uri} of the issuer's OIDC discovery document, read on
 * first use (and again, at most once per {@code minRefreshInterval}, while it cannot be read); the
 * document must name the configured issuer, and the address must be https (or http to loopback).
 */
public final class IssuerKeys implements JWKSource<SecurityContext> {

    /** Longest JWK set or discovery document read. */
    static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private final TrustedIssuer issuer;
    private final ResourceRetriever retriever;
    private final Duration cacheFor;
    private final long timeoutMillis;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private volatile JWKSource<SecurityContext> keys;
    private Instant lastDiscoveryFailure = Instant.MIN;

    /**
     * @param timeout how long one HTTP request to the issuer may take (connect, then read)
     */
    public IssuerKeys(TrustedIssuer issuer, Duration timeout, Duration cacheFor,
            Duration minRefreshInterval, Clock clock) {
        this.issuer = issuer;
        this.retriever = new DefaultResourceRetriever((int) timeout.toMillis(), (int) timeout
                .toMillis(), MAX_DOCUMENT_BYTES);
        this.cacheFor = cacheFor;
        this.timeoutMillis = timeout.toMillis();
        this.minRefreshInterval = minRefreshInterval;
        this.clock = clock;
        issuer.jwksUri().ifPresent(uri -> this.keys = source(uri));
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context)
            throws KeySourceException {
        JWKSource<SecurityContext> source = keys;
        if (source == null) {
            source = discover();
        }
        return source.get(selector, context);
    }

    private synchronized JWKSource<SecurityContext> discover() throws KeySourceException {
        if (keys != null) {
            return keys;
        }
        Instant now = clock.instant();
        if (lastDiscoveryFailure.plus(minRefreshInterval).isAfter(now)) {
            throw new KeySourceException("OIDC discovery of issuer " + issuer.name()
                    + " failed recently; not retried before " + lastDiscoveryFailure.plus(
                            minRefreshInterval));
        }
        try {
            URL url = issuer.discoveryUri().toURL();
            Map<String, Object> document = JSONObjectUtils.parse(retriever.retrieveResource(url)
                    .getContent());
            String expected = issuer.issuer().orElseThrow();
            if (!expected.equals(document.get("issuer"))) {
                throw new KeySourceException("the OIDC discovery document at " + url
                        + " names another issuer than " + expected);
            }
            if (!(document.get("jwks_uri") instanceof String jwks)) {
                throw new KeySourceException("the OIDC discovery document at " + url
                        + " has no jwks_uri");
            }
            URI uri;
            try {
                uri = TrustedIssuer.requireSecureUri("jwks_uri of " + url, jwks);
            } catch (IllegalArgumentException e) {
                throw new KeySourceException(e.getMessage());
            }
            keys = source(uri);
            return keys;
        } catch (KeySourceException e) {
            lastDiscoveryFailure = now;
            throw e;
        } catch (IOException | ParseException | RuntimeException e) {
            lastDiscoveryFailure = now;
            throw new KeySourceException("OIDC discovery of issuer " + issuer.name() + " at "
                    + issuer.discoveryUri() + " failed: " + e.getMessage(), e);
        }
    }

    private JWKSource<SecurityContext> source(URI uri) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(uri.toURL(), retriever)
                    .cache(cacheFor.toMillis(), 2 * timeoutMillis)
                    .refreshAheadCache(false)
                    .rateLimited(minRefreshInterval.toMillis())
                    .retrying(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwks-uri " + uri + ": " + e.getMessage(), e);
        }
    }
}
