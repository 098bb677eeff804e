package dev.tollgate.executor.admin;

import dev.tollgate.executor.core.ConfigurationException;
import dev.tollgate.runtime.security.AdminGate;
import dev.tollgate.runtime.security.Bearer;
import dev.tollgate.runtime.security.oidc.AdminIssuer;
import dev.tollgate.runtime.security.oidc.AdminPrincipal;
import dev.tollgate.runtime.security.oidc.AdminRole;
import dev.tollgate.runtime.security.oidc.AdminTokens;
import dev.tollgate.runtime.security.oidc.JwtRejectedException;
import dev.tollgate.runtime.security.oidc.OidcSettings;
import dev.tollgate.runtime.web.ErrorResponses;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * Who may call the executor's admin endpoints, in order: the shared admin key ({@link AdminKey},
 * compared first, in constant time, and always accepted, however many refusals its address has
 * had); else a JWT of an admin issuer configured under {@value #OIDC_SETTINGS}{@code
 * .admin-issuers} (checked as the ingress checks its admins' tokens, the runtime's
 * {@link AdminTokens}) holding the endpoint's role. Anything else, including a token of such an
 * issuer that does not verify, counts against the client's address like a wrong key, so that
 * neither can be guessed: 401, then 429 once the address has sent too many. A valid token without
 * the role gets 403 {@code insufficient_role}. With neither a key nor an issuer configured every
 * call gets 403 {@code admin_disabled} (fail closed).
 */
public final class AdminAccess {

    /** Where the executor's OIDC settings are bound. */
    public static final String OIDC_SETTINGS = "tollgate.executor.oidc";

    private static final Logger log = LoggerFactory.getLogger(AdminAccess.class);

    /** A request let through, by whom; or the answer refusing it. */
    public sealed interface Check permits Admitted, Refused {
    }

    /** Let through: {@code principal} is whom to record. */
    public record Admitted(AdminPrincipal principal) implements Check {
    }

    /** Refused with {@code answer} (401, 403 or 429). */
    public record Refused(ResponseEntity<Map<String, Object>> answer) implements Check {
    }

    private final AdminKey key;
    private final AdminTokens tokens;

    public AdminAccess(AdminKey key, AdminTokens tokens) {
        this.key = key;
        this.tokens = tokens;
    }

    /**
     * The admins' issuers of {@value #OIDC_SETTINGS}{@code .admin-issuers.<name>.*} (and its
     * {@code fetch-timeout}, {@code keys-cache-for}, {@code keys-min-refresh-interval}), checked.
     *
     * @throws ConfigurationException naming the setting at fault
     */
    public static AdminTokens tokens(Environment environment, Clock clock) {
        OidcSettings settings = Binder.get(environment).bind(OIDC_SETTINGS, Bindable.of(
                OidcSettings.class)).orElseGet(OidcSettings::new);
        AdminTokens tokens;
        try {
            tokens = AdminTokens.configured(OIDC_SETTINGS, settings, List.of(), clock);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        for (AdminIssuer issuer : tokens.issuers()) {
            log.info("accepting admin tokens of issuer {} ({}): admin {}, roles {}, audience {};"
                    + " the shared admin key is now break-glass", issuer.name(),
                    issuer.trust().label(),
                    issuer.subjectClaim(), issuer.rolesClaim(), issuer.trust().audiences());
        }
        return tokens;
    }

    /** Whether any credential opens the admin endpoints. */
    public boolean configured() {
        return key.configured() || !tokens.isEmpty();
    }

    /** Where the admin key came from, if one is configured (never the key). */
    public Optional<String> keySource() {
        return key.configured() ? Optional.of(key.source()) : Optional.empty();
    }

    /** The configured admin issuers' names. */
    public List<String> issuerNames() {
        return tokens.issuers().stream().map(AdminIssuer::name).toList();
    }

    /**
     * Lets a request with this {@code Authorization} header from {@code clientAddress} through
     * if it carries the admin key or a valid admin token holding {@code role}; never logs or
     * answers the credential.
     */
    public Check check(String authorization, String clientAddress, AdminRole role) {
        if (!configured()) {
            return new Refused(ErrorResponses.of(HttpStatus.FORBIDDEN, "admin_disabled",
                    "no admin key and no admin issuer are configured here: set "
                            + AdminKey.SETTINGS + ", or " + OIDC_SETTINGS
                            + ".admin-issuers.<name>.*, to enable the admin endpoints"));
        }
        if (key.accepts(authorization)) {
            return new Admitted(AdminPrincipal.adminKey(!tokens.isEmpty()));
        }
        String presented = Bearer.token(authorization);
        if (presented != null && tokens.claims(presented)) {
            AdminPrincipal principal;
            try {
                principal = tokens.verify(presented);
            } catch (JwtRejectedException e) {
                AdminGate.Verdict verdict = key.failure(clientAddress, true);
                return new Refused(verdict.outcome() == AdminGate.Outcome.THROTTLED
                        ? key.refusal(verdict)
                        : ErrorResponses.unauthorized(AdminKey.REALM, "invalid_token",
                                "invalid_token", "admin token refused: " + e.getMessage()));
            }
            if (!principal.may(role)) {
                log.info("{} from {} lacks the role {}: refused", principal.actor(), AdminGate
                        .printable(clientAddress), role.claimValue());
                return new Refused(ErrorResponses.of(HttpStatus.FORBIDDEN, "insufficient_role",
                        principal.actor() + " lacks the role " + role.claimValue()
                                + " (in the token's roles claim)"));
            }
            return new Admitted(principal);
        }
        AdminGate.Verdict verdict = key.failure(clientAddress, presented != null);
        if (tokens.isEmpty() || verdict.outcome() == AdminGate.Outcome.THROTTLED) {
            return new Refused(key.refusal(verdict));
        }
        String accepted = (key.configured() ? "the admin key (" + AdminKey.SETTINGS + ") or " : "")
                + "a token of an admin issuer (" + OIDC_SETTINGS + ".admin-issuers) with the role "
                + role.claimValue();
        return new Refused(verdict.outcome() == AdminGate.Outcome.MISSING
                ? ErrorResponses.unauthorized(AdminKey.REALM, null, "unauthorized", "send "
                        + accepted + " as Authorization: Bearer <credential>")
                : ErrorResponses.unauthorized(AdminKey.REALM, "invalid_token", "invalid_token",
                        "the credential is not " + accepted));
    }
}
