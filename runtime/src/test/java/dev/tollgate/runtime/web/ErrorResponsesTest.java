package dev.tollgate.runtime.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

class ErrorResponsesTest {

    @Test
    void anErrorIsItsCodeThenItsMessage() {
        var answer = ErrorResponses.of(HttpStatus.CONFLICT, "sync_running", "a sync is running");

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(answer.getBody()).containsExactly(
                java.util.Map.entry("error", "sync_running"),
                java.util.Map.entry("message", "a sync is running"));
    }

    @Test
    void aRefusedCredentialIsChallengedWithTheReasonQuotesAndBackslashesDefused() {
        var answer = ErrorResponses.unauthorized("tollgate-admin", "invalid_token",
                "invalid_token", "key \"x\" is not valid\\");

        assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo(
                "Bearer realm=\"tollgate-admin\", error=\"invalid_token\","
                        + " error_description=\"key 'x' is not valid/\"");
        assertThat(answer.getBody()).containsEntry("error", "invalid_token");
    }

    @Test
    void noCredentialAtAllGetsAChallengeWithoutAnErrorAttribute() {
        var answer = ErrorResponses.unauthorized("tollgate-admin", null, "unauthorized",
                "send the key");

        assertThat(answer.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo(
                "Bearer realm=\"tollgate-admin\"");
        assertThat(answer.getBody()).containsEntry("error", "unauthorized");
    }
}
