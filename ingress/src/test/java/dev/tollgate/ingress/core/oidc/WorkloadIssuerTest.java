package dev.tollgate.ingress.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Configurations that would let through tokens that should not pass stop the start. */
class WorkloadIssuerTest {

    private static WorkloadIssuer issuer(String issuer, String jwks, List<String> audiences,
            String defaultAudience, String prefix, String environmentClaim, String environment) {
        return WorkloadIssuer.of("ci", issuer, jwks, audiences, defaultAudience, null, prefix,
                environmentClaim, environment, Map.of(), false);
    }

    @Test
    void aWellFormedIssuerKeepsWhatWasConfigured() {
        WorkloadIssuer issuer = WorkloadIssuer.of("gha", "https://token.actions.githubusercontent"
                + ".com", null, List.of(), "https://tollgate.example.com/mcp", "repository",
                "gha:", null, "ci", Map.of("repository_owner", "octo"), true);

        assertThat(issuer.trust().audiences()).containsExactly("https://tollgate.example.com/mcp");
        assertThat(issuer.agentClaim()).contains("repository");
        assertThat(issuer.trust().jwksUri()).isEmpty();
        assertThat(issuer.trust().discoveryUri()).isEqualTo(URI.create(
                "https://token.actions.githubusercontent.com/.well-known/openid-configuration"));
        assertThat(WorkloadIssuer.of("x", "https://a.example/", null, List.of("aud"), null, null,
                "", null, "dev", Map.of(), false).trust().discoveryUri()).hasToString(
                        "https://a.example/.well-known/openid-configuration");
    }

    @Test
    void gitHubActionsWithoutAnOwnerPinnedWouldLetEveryGitHubUsersWorkflowInAndStopsTheStart() {
        for (String iss : List.of("https://token.actions.githubusercontent.com",
                "https://token.actions.githubusercontent.com/")) {
            for (Map<String, String> required : List.<Map<String, String>>of(Map.of(), Map.of(
                    "ref", "refs/heads/main"))) {
                assertThatThrownBy(() -> WorkloadIssuer.of("gha", iss, null, List.of(
                        "https://tollgate.example.com/mcp"), null, "repository", "gha:", null,
                        "ci", required, false)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("tollgate.ingress.oidc.issuers.gha.required-claims"
                                + " must name whose workflows are trusted");
            }
        }

        assertThat(WorkloadIssuer.of("gha", "https://token.actions.githubusercontent.com", null,
                List.of("aud"), null, "repository", "gha:", null, "ci", Map.of(
                        "repository_owner_id", "583231"),
                false).trust().requiredClaims())
                .containsKey("repository_owner_id");
        assertThat(WorkloadIssuer.of("gha", "https://token.actions.githubusercontent.com/octo-corp",
                null, List.of("aud"), null, "repository", "gha:", null, "ci", Map.of(), false))
                .as("an enterprise's own issuer").isNotNull();
    }

    @Test
    void withoutAnAudienceEveryTokenOfTheIssuerWouldPass() {
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of(), null, "", null,
                "dev")).hasMessageContaining("audiences is required");
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("tollgate-mcp"), null,
                "", null, "dev")).hasMessageContaining("gateway tokens' audience");
    }

    @Test
    void aKubernetesAccountNameWithoutItsNamespaceIsNoAgentAndStopsTheStartNamingTheFix() {
        for (String claim : List.of("/kubernetes.io/serviceaccount/name",
                "/kubernetes.io/pod/name")) {
            assertThatThrownBy(() -> WorkloadIssuer.of("k8s", "https://kubernetes.default.svc",
                    "https://k8s.internal/jwks", List.of("tollgate"), null, claim, "k8s:",
                    "/kubernetes.io/namespace", null, Map.of(), false)).isInstanceOf(
                            IllegalArgumentException.class)
                    .hasMessageContaining(
                            "tollgate.ingress.oidc.issuers.k8s.agent-claim " + claim)
                    .hasMessageContaining("without its namespace").hasMessageContaining(
                            "use agent-claim: sub, which is"
                                    + " system:serviceaccount:<namespace>:<name>");
        }

        WorkloadIssuer qualified = WorkloadIssuer.of("k8s", "https://kubernetes.default.svc",
                "https://k8s.internal/jwks", List.of("tollgate"), null, "sub", "k8s:",
                "/kubernetes.io/namespace", null, Map.of(), false);

        assertThat(qualified.agentClaim()).contains("sub");
    }

    @Test
    void thePrefixMustBeChosenNotForgotten() {
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("a"), null, null, null,
                "dev")).hasMessageContaining("agent-prefix is required");
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("a"), null, "a b",
                null, "dev")).hasMessageContaining("agent-prefix must be");
    }

    @Test
    void keysAreFetchedOverHttpsOrFromLoopbackOnly() {
        assertThatThrownBy(() -> issuer("http://idp.example", null, List.of("a"), null, "", null,
                "dev")).hasMessageContaining("must use https");
        assertThatThrownBy(() -> issuer("https://idp.example", "http://idp.example/jwks", List
                .of("a"), null, "", null, "dev")).hasMessageContaining("jwks-uri must use https");
        assertThat(issuer("http://127.0.0.1:8080", "http://localhost:8080/jwks", List.of("a"),
                null, "", null, "dev").trust().jwksUri()).contains(URI.create(
                        "http://localhost:8080/jwks"));
        assertThatThrownBy(() -> issuer("file:///etc/passwd", null, List.of("a"), null, "",
                null, "dev")).hasMessageContaining("absolute https URI");
    }

    @Test
    void theGatewaysOwnIssuerCannotBeTrustedAsAWorkloadIssuer() {
        assertThatThrownBy(() -> issuer("tollgate", null, List.of("a"), null, "", null, "dev"))
                .hasMessageContaining("gateway's own tokens' issuer");
    }

    @Test
    void exactlyOneWayToNameTheEnvironment() {
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("a"), null, "", null,
                null)).hasMessageContaining("exactly one of environment-claim");
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("a"), null, "", "ns",
                "dev")).hasMessageContaining("exactly one of environment-claim");
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("a"), null, "", null,
                "Prod")).hasMessageContaining("environment must be");
        assertThatThrownBy(() -> issuer("https://a.example", null, List.of("a"), null, "",
                "a b", null)).hasMessageContaining("environment-claim must be a claim name");
    }

    @Test
    void namesAndRequiredClaimsAreChecked() {
        assertThatThrownBy(() -> WorkloadIssuer.of("CI", "https://a.example", null, List.of("a"),
                null, null, "", null, "dev", Map.of(), false))
                .hasMessageContaining("the name 'CI'");
        assertThatThrownBy(() -> WorkloadIssuer.of("ci", "https://a.example", null, List.of("a"),
                null, null, "", null, "dev", Map.of("owner", ""), false)).hasMessageContaining(
                        "required-claims");
    }
}
