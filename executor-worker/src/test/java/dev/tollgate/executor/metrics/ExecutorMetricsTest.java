package dev.tollgate.executor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.executor.core.GitHubRequest;
import dev.tollgate.executor.core.GitHubResponse;
import dev.tollgate.executor.core.GitHubTransport;
import dev.tollgate.executor.core.ResponseBudget;
import dev.tollgate.executor.core.ResponseHeaders;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecutorMetricsTest {

    /**
     * The timing wrapper sits between every role's session and its OkHttp transport: the one
     * redirect followed by hand (a job's log) must reach the transport, or it is refused as
     * redirect_not_followed (the standalone's get_job_log failed so).
     */
    @Test
    void theTimedTransportPassesTheRedirectFollowedByHandToItsTransport() throws Exception {
        GitHubResponse redirect = new GitHubResponse(302, ResponseHeaders.of("Location",
                "https://logs.example.com/job/1?sig=x"), "");
        GitHubResponse log = new GitHubResponse(200, ResponseHeaders.empty(), "the log");
        List<String> followed = new ArrayList<>();
        GitHubTransport transport = new GitHubTransport() {
            @Override
            public GitHubResponse send(GitHubRequest request) {
                throw new AssertionError("nothing is sent");
            }

            @Override
            public GitHubResponse fetchRedirect(String path, GitHubResponse answer,
                    GitHubRequest.Caller caller, ResponseBudget.Account account) {
                followed.add(path + " " + answer.status() + " " + caller.agentId());
                return log;
            }
        };

        GitHubResponse fetched = ExecutorMetrics.timed(transport).fetchRedirect(
                "/repos/o/r/actions/jobs/1/logs", redirect, new GitHubRequest.Caller(7, "agent"),
                null);

        assertThat(fetched).isSameAs(log);
        assertThat(followed).containsExactly("/repos/o/r/actions/jobs/1/logs 302 agent");
    }
}
