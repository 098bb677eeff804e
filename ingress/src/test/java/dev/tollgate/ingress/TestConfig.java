package dev.tollgate.ingress;

/** Settings integration tests share, so that their Spring contexts can be cached and reused. */
public final class TestConfig {

    public static final String ADMIN_KEY = "test-admin-key-0123456789abcdef-0123456789";
    public static final String SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789";
    public static final String ADMIN_KEY_PROPERTY = "tollgate.admin-key=" + ADMIN_KEY;
    public static final String SIGNING_KEY_PROPERTY = "tollgate.ingress.tokens.signing-key="
            + SIGNING_KEY;
    public static final String STATE_DIR_PROPERTY = "tollgate.ingress.state-dir=target/test-state";

    private TestConfig() {
    }
}
