package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The interfaces that wrappers implement around a real implementation declare no default method:
 * a wrapper that leaves one out would silently get the default instead of what it wraps (a
 * transport's refused redirect broke {@code get_job_log}; a guard's permissive default would skip
 * the revocation check; a completion store's would stop recording write attempts).
 */
class NoSilentDefaultsTest {

    private static List<String> defaults(Class<?> type) {
        return Arrays.stream(type.getMethods()).filter(Method::isDefault).map(Method::getName)
                .toList();
    }

    @Test
    void aTokenGuardSaysWhatItDoesWithEveryCheck() {
        assertThat(defaults(MintGuard.class)).isEmpty();
    }

    @Test
    void aCompletionStoreSaysWhatItDoesWithEveryWrite() {
        assertThat(defaults(CompletionStore.class)).isEmpty();
    }

    @Test
    void aTransportSaysWhatItDoesWithTheRedirectFollowedByHand() {
        assertThat(defaults(GitHubTransport.class)).isEmpty();
    }
}
