package dev.tollgate.executor.core;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Signs the GitHub App JWT: RS256, {@code iat} 60 s in the past (GitHub's clock may be behind),
 * {@code exp} 9 minutes ahead (GitHub refuses more than 10), {@code iss} the App ID or client ID.
 */
public final class AppJwtSigner {

    static final Duration BACKDATE = Duration.ofSeconds(60);
    static final Duration LIFETIME = Duration.ofMinutes(9);

    private final String issuer;
    private final RSASSASigner signer;
    private final Clock clock;

    public AppJwtSigner(String issuer, RSAPrivateKey key, Clock clock) {
        this.issuer = issuer;
        this.signer = new RSASSASigner(key);
        this.clock = clock;
    }

    /**
     * Signs a JWT as if the time were now plus {@code skew} (GitHub's clock minus ours; zero
     * unless GitHub told us otherwise).
     */
    public String sign(Duration skew) {
        Instant now = clock.instant().plus(skew);
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer)
                .issueTime(Date.from(now.minus(BACKDATE)))
                .expirationTime(Date.from(now.plus(LIFETIME))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the GitHub App JWT: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
