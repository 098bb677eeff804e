package dev.tollgate.executor.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one redirect followed by hand (a job's log) cannot be dropped by a decorator by accident: a
 * transport must say what it does with it, a decorator that overrides only {@code send} passes it
 * on, and a send-only stand-in refuses it by name.
 */
class ForwardingTransportTest {

    private static final GitHubResponse REDIRECT = new GitHubResponse(302, ResponseHeaders.of(
            "Location", "https://logs.example.com/job/1?sig=x"), "");
    private static final GitHubResponse LOG = new GitHubResponse(200, ResponseHeaders.empty(),
            "the log");
    private static final GitHubResponse API = new GitHubResponse(200, ResponseHeaders.empty(),
            "{}");
    private static final GitHubRequest.Caller CALLER = new GitHubRequest.Caller(7, "agent");

    /** Records what reaches it: the innermost transport of a chain. */
    private static final class Recording implements GitHubTransport {

        final List<String> calls = new ArrayList<>();

        @Override
        public GitHubResponse send(GitHubRequest request) {
            calls.add("send " + request.method() + " " + request.path());
            return API;
        }

        @Override
        public GitHubResponse fetchRedirect(String path, GitHubResponse redirect,
                GitHubRequest.Caller caller, ResponseBudget.Account account) {
            calls.add("redirect " + path + " " + redirect.status() + " " + caller.agentId() + " "
                    + account);
            return LOG;
        }

        @Override
        public java.util.Optional<GitHubError> redirectRefusal() {
            calls.add("refusal?");
            return java.util.Optional.empty();
        }
    }

    @Test
    void aTransportDeclaresBothMethodsSoALambdaCannotBeOne() {
        List<String> defaults = Arrays.stream(GitHubTransport.class.getMethods()).filter(
                Method::isDefault).map(Method::getName).toList();
        List<String> abstracts = Arrays.stream(GitHubTransport.class.getMethods()).filter(
                method -> Modifier.isAbstract(method.getModifiers())).map(Method::getName)
                .toList();

        assertThat(defaults).as("a default here is what a lambda decorator silently inherits")
                .isEmpty();
        assertThat(abstracts).containsExactlyInAnyOrder("send", "fetchRedirect",
                "redirectRefusal");
        assertThat(GitHubTransport.class.isAnnotationPresent(FunctionalInterface.class))
                .isFalse();
    }

    @Test
    void aDecoratorThatOverridesOnlySendPassesTheRedirectOnUnchanged() throws Exception {
        Recording inner = new Recording();
        List<String> seen = new ArrayList<>();
        GitHubTransport decorated = new ForwardingTransport(inner) {
            @Override
            public GitHubResponse send(GitHubRequest request) throws java.io.IOException {
                seen.add(request.path());
                return super.send(request);
            }
        };
        ResponseBudget.Account account = ResponseBudget.forHeap(64L * 1024 * 1024).account();

        GitHubResponse sent = decorated
                .send(GitHubRequest.get("/repos/o/r", new GitHubRequest.Credential.AppJwt("jwt")));
        GitHubResponse fetched = decorated.fetchRedirect("/repos/o/r/actions/jobs/1/logs",
                REDIRECT, CALLER, account);

        assertThat(sent).isSameAs(API);
        assertThat(fetched).isSameAs(LOG);
        assertThat(seen).containsExactly("/repos/o/r");
        assertThat(inner.calls).containsExactly("send GET /repos/o/r",
                "redirect /repos/o/r/actions/jobs/1/logs 302 agent " + account);
    }

    @Test
    void theBaseForwardsEveryMethodAsItIs() throws Exception {
        Recording inner = new Recording();
        GitHubTransport plain = new ForwardingTransport(inner) {
        };

        plain.send(GitHubRequest.get("/repos/o/r/issues", new GitHubRequest.Credential.AppJwt(
                "jwt")));
        java.util.Optional<GitHubError> refusal = plain.redirectRefusal();
        GitHubResponse fetched = plain.fetchRedirect("/repos/o/r/actions/jobs/2/logs", REDIRECT,
                CALLER, null);

        assertThat(refusal).isEmpty();
        assertThat(fetched).isSameAs(LOG);
        assertThat(inner.calls).containsExactly("send GET /repos/o/r/issues", "refusal?",
                "redirect /repos/o/r/actions/jobs/2/logs 302 agent null");
    }

    @Test
    void decoratorsStackedAsTheAssemblyStacksThemStillReachTheInnermostTransport()
            throws Exception {
        Recording inner = new Recording();
        GitHubTransport chain = inner;
        for (int i = 0; i < 3; i++) {
            chain = new ForwardingTransport(chain) {
            };
        }

        GitHubResponse fetched = chain.fetchRedirect("/repos/o/r/actions/jobs/3/logs", REDIRECT,
                CALLER, null);

        assertThat(fetched).isSameAs(LOG);
        assertThat(inner.calls).singleElement().asString().startsWith(
                "redirect /repos/o/r/actions/jobs/3/logs");
    }

    @Test
    void aSendOnlyStandInRefusesEveryRedirectByName() throws Exception {
        List<String> sent = new ArrayList<>();
        GitHubTransport standIn = GitHubTransport.sendOnly(request -> {
            sent.add(request.path());
            return API;
        });

        GitHubResponse answer = standIn.send(GitHubRequest.get("/user",
                new GitHubRequest.Credential.AppJwt("jwt")));

        assertThat(answer).isSameAs(API);
        assertThat(sent).containsExactly("/user");
        assertThatThrownBy(() -> standIn.fetchRedirect("/repos/o/r/actions/jobs/1/logs",
                REDIRECT, CALLER, null)).isInstanceOfSatisfying(GitHubCallException.class,
                        e -> {
                            assertThat(e.error().errorClass()).isEqualTo(
                                    ErrorClass.REDIRECT_NOT_FOLLOWED);
                            assertThat(e.error().message()).contains("HTTP 302").doesNotContain(
                                    "logs.example.com", "sig=");
                        });
    }

    @Test
    void noDelegateIsRefusedAtOnce() {
        assertThatThrownBy(() -> new ForwardingTransport(null) {
        }).isInstanceOf(NullPointerException.class).hasMessageContaining("delegate");
    }
}
