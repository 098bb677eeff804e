package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Eight callers of one token scope: the first starts the mint, which the test holds at
 * {@code mintHeld} until the seven others are all waiting on it; then it is released and every
 * caller must get the very same token.
 */
final class ConcurrentCallers {

    private ConcurrentCallers() {
    }

    /** The token all eight callers got. */
    static InstallationToken eightShareOneMint(InstallationTokens tokens, TokenScope scope,
            MintContext context, CountDownLatch mintHeld, CountDownLatch release)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Thread> waiters = new CopyOnWriteArrayList<>();
        try {
            Future<InstallationToken> leader = pool.submit(() -> tokens.get(scope, context));
            mintHeld.await(30, TimeUnit.SECONDS);
            List<Future<InstallationToken>> followers = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                followers.add(pool.submit(() -> {
                    waiters.add(Thread.currentThread());
                    return tokens.get(scope, context);
                }));
            }
            while (waiters.size() < 7 || waiters.stream().anyMatch(t -> t
                    .getState() != Thread.State.WAITING)) {
                Thread.onSpinWait();
            }

            release.countDown();

            InstallationToken token = leader.get(30, TimeUnit.SECONDS);
            for (Future<InstallationToken> follower : followers) {
                assertThat(follower.get(30, TimeUnit.SECONDS)).isSameAs(token);
            }
            return token;
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
