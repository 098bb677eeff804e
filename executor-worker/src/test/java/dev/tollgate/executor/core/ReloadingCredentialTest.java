package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A token file read again: at most every ten seconds, at once after a 401, never lost. */
class ReloadingCredentialTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final AtomicReference<String> file = new AtomicReference<>("token-1");
    private final AtomicInteger reads = new AtomicInteger();

    private final ReloadingCredential credential = new ReloadingCredential("GitLab token for"
            + " gitlab.test", file::get, () -> {
                reads.incrementAndGet();
                String content = file.get();
                if (content == null) {
                    throw new IllegalStateException("the GitLab token file is missing");
                }
                return content;
            }, token -> GitHubRequest.Credential.HostToken.gitlab("gitlab.test", token), "token-1",
            clock);

    @Test
    void aNewTokenInTheFileIsUsedWithinTenSecondsAndTheFileIsNotReadMoreOften() {
        assertThat(credential.current().authorization()).isEqualTo("Bearer token-1");
        file.set("token-2");
        clock.advance(Duration.ofSeconds(9));
        for (int i = 0; i < 100; i++) {
            assertThat(credential.current().authorization()).isEqualTo("Bearer token-1");
        }
        assertThat(reads).as("not read again within ten seconds").hasValue(0);

        clock.advance(Duration.ofSeconds(1));
        assertThat(credential.current().authorization()).isEqualTo("Bearer token-2");
        assertThat(credential.current()).isSameAs(credential.current());
        assertThat(reads).hasValue(1);
        assertThat(credential.toString()).doesNotContain("token-2");
    }

    @Test
    void aRefusedTokenIsReadAgainAtOnceAndAnUnchangedFileGivesNothingNewer() {
        GitHubRequest.Credential first = credential.current();
        assertThat(credential.refreshAfterUnauthorized(first)).as("the file still holds it")
                .isEmpty();

        file.set("token-2");
        assertThat(credential.refreshAfterUnauthorized(first)).get().extracting(
                GitHubRequest.Credential::authorization).isEqualTo("Bearer token-2");
        assertThat(credential.refreshAfterUnauthorized(first)).as("another call refused the"
                + " old one: the new one, without reading again").get().extracting(
                        GitHubRequest.Credential::authorization)
                .isEqualTo("Bearer token-2");
        assertThat(reads).as("read once: when the file had changed").hasValue(1);
    }

    @Test
    void anUnchangedFileIsNotReadAgain() {
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(11));
            credential.current();
            credential.refreshAfterUnauthorized(credential.current());
        }

        assertThat(reads).as("its version unchanged: never read again").hasValue(0);
    }

    @Test
    void aFileThatCannotBeReadAgainLeavesTheTokenReadBefore() {
        file.set(null);
        clock.advance(Duration.ofSeconds(11));

        assertThat(credential.current().authorization()).isEqualTo("Bearer token-1");
        assertThat(credential.refreshAfterUnauthorized(credential.current())).isEmpty();

        file.set("token-3");
        clock.advance(Duration.ofSeconds(11));
        assertThat(credential.current().authorization()).isEqualTo("Bearer token-3");
    }
}
