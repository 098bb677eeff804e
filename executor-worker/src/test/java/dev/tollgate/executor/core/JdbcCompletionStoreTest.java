package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.postgres.CompletionsDatabase;
import dev.tollgate.testsupport.PostgresTestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against the real PostgreSQL 15 of these machines, in a fresh schema, as deployments open it. */
class JdbcCompletionStoreTest extends CompletionStoreContract {

    private final PostgresTestDatabase database = PostgresTestDatabase.fromEnvironment();
    private final String url = database.freshSchemaUrl("completions");
    private final List<JdbcCompletionStore> opened = new ArrayList<>();
    private final JdbcCompletionStore store = newStore();

    private JdbcCompletionStore newStore() {
        JdbcCompletionStore opening = CompletionsDatabase.open(url, database.user(), database
                .password(), 2, CLOCK);
        opened.add(opening);
        return opening;
    }

    @AfterEach
    void close() throws Exception {
        for (JdbcCompletionStore each : opened) {
            each.close();
        }
    }

    @Override
    protected CompletionStore store() {
        return store;
    }

    @Test
    void aRestartedReplicaFindsTheSameAnswer() {
        var answer = completed("r-restart", "done");
        store.record(answer);

        JdbcCompletionStore afterRestart = newStore();

        assertThat(afterRestart.find("r-restart")).contains(answer);
    }

    @Test
    void aWritesFirstAttemptIsKnownOnceAndAcrossARestart() {
        assertThat(store.firstAttempt("r-attempt")).as("the first delivery").isTrue();
        assertThat(store.firstAttempt("r-attempt")).as("a redelivery").isFalse();
        assertThat(newStore().firstAttempt("r-attempt")).as("a redelivery after a restart")
                .isFalse();
        assertThat(store.firstAttempt("r-other")).isTrue();
    }
}
