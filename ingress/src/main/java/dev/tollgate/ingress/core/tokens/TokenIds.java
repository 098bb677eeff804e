package dev.tollgate.ingress.core.tokens;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Token IDs (the {@code jti}): the first token of a rotation family has a random UUID, which is
 * also the family's ID; the n-th rotation is {@code <family>.<n>}. So any member's ID names its
 * family, and an admin can revoke a family by the ID of whichever member they saw.
 */
public final class TokenIds {

    private static final Pattern ID = Pattern
            .compile("([A-Za-z0-9-]{1,64})(?:\\.([1-9][0-9]{0,8}))?");

    private TokenIds() {
    }

    /** Whether {@code tokenId} has the form of a gateway token ID. */
    public static boolean isValid(String tokenId) {
        return tokenId != null && ID.matcher(tokenId).matches();
    }

    /** The family a token ID belongs to. */
    public static String familyOf(String tokenId) {
        Matcher matcher = ID.matcher(tokenId);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a gateway token ID");
        }
        return matcher.group(1);
    }

    /** The ID of generation {@code generation} of {@code family}. */
    public static String member(String family, int generation) {
        return generation == 0 ? family : family + "." + generation;
    }
}
