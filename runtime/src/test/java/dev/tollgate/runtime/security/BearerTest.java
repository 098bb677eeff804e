package dev.tollgate.runtime.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerTest {

    @Test
    void theTokenIsTakenFromABearerHeaderOnly() {
        assertThat(Bearer.token("Bearer abc")).isEqualTo("abc");
        assertThat(Bearer.token("bearer  abc ")).isEqualTo("abc");
        assertThat(Bearer.token("BEARER abc")).isEqualTo("abc");
        assertThat(Bearer.token("Basic abc")).isNull();
        assertThat(Bearer.token("Bearer ")).isNull();
        assertThat(Bearer.token("Bearer")).isNull();
        assertThat(Bearer.token(null)).isNull();
    }

    @Test
    void aPresentedSecretMatchesOnlyTheConfiguredOne() {
        byte[] configured = Bearer.digest("s3cret-admin-key");

        assertThat(Bearer.matches(configured, "s3cret-admin-key")).isTrue();
        assertThat(Bearer.matches(configured, "s3cret-admin-kez")).isFalse();
        assertThat(Bearer.matches(configured, "s3cret-admin-key ")).isFalse();
        assertThat(Bearer.matches(configured, "")).isFalse();
        assertThat(Bearer.matches(configured, null)).isFalse();
    }

    @Test
    void theDigestIsSha256() {
        assertThat(java.util.HexFormat.of().formatHex(Bearer.digest("abc"))).isEqualTo(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
