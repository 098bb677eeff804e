package dev.tollgate.ingress.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 9728's metadata location and document, and the 401 challenge that points at it. */
class ProtectedResourceTest {

    private final ProtectedResource resource = new ProtectedResource(
            "https://tollgate.example.com/mcp", List.of("https://idp.example.com"));

    @Test
    void theMetadataUrlInsertsTheWellKnownPathBeforeTheResourcesPath() {
        assertThat(resource.metadataUrl()).isEqualTo(
                "https://tollgate.example.com/.well-known/oauth-protected-resource/mcp");
        assertThat(new ProtectedResource("https://t.example:8443", List.of()).metadataUrl())
                .isEqualTo("https://t.example:8443/.well-known/oauth-protected-resource");
    }

    @Test
    void theDocumentNamesTheResourceAndItsAuthorizationServers() {
        assertThat(resource.document()).containsEntry("resource",
                "https://tollgate.example.com/mcp").containsEntry("authorization_servers",
                        List.of(
                                "https://idp.example.com"))
                .containsEntry("bearer_methods_supported", List
                        .of("header"));
    }

    @Test
    void theChallengeCarriesTheMetadataAndNothingThatSplitsAHeader() {
        assertThat(resource.challenge("tollgate", null, null)).isEqualTo("Bearer realm=\"tollgate\""
                + ", resource_metadata=\"https://tollgate.example.com/.well-known/"
                + "oauth-protected-resource/mcp\"");
        assertThat(resource.challenge("tollgate", "invalid_token", "bad \"x\"\r\nSet-Cookie: a"))
                .contains("error=\"invalid_token\"").contains("error_description=\"bad 'x'??"
                        + "Set-Cookie: a\"")
                .doesNotContain("\r").doesNotContain("\n");
    }

    @Test
    void theResourceIsAnAbsoluteSecureUriWithoutQueryOrFragment() {
        assertThatThrownBy(() -> new ProtectedResource("https://t.example/mcp?x=1", List.of()))
                .hasMessageContaining("no query");
        assertThatThrownBy(() -> new ProtectedResource("http://t.example/mcp", List.of()))
                .hasMessageContaining("https");
        assertThatThrownBy(() -> new ProtectedResource("/mcp", List.of())).hasMessageContaining(
                "absolute");
    }
}
