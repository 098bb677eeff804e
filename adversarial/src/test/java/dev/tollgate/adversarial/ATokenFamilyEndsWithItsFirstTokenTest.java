package dev.tollgate.adversarial;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Promise 11 (rotations) and 8 (forged or expired gateway tokens), for a token's whole life: an
 * agent that rotates its token gets one successor, never a fork; every rotation keeps the
 * family's absolute expiry, the first token's issue time plus the maximum lifetime; revoking any
 * one token ends its whole family at the door, and only that family.
 */
@ExtendWith(Standalone.Extension.class)
class ATokenFamilyEndsWithItsFirstTokenTest {

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":\
            "2025-06-18","capabilities":{},"clientInfo":{"name":"attacker","version":"1"}}}""";

    private final Standalone tollgate;

    ATokenFamilyEndsWithItsFirstTokenTest(Standalone tollgate) {
        this.tollgate = tollgate;
    }

    @Test
    void rotationNeitherForksNorOutlivesTheFamilyAndRevokingOneEndsThemAll() {
        Map<String, Object> first = mint("reader");
        Map<String, Object> bystander = mint("reader");
        String original = (String) first.get("token");

        Map<String, Object> second = rotate(original, 200);
        Map<String, Object> fork = rotate(original, 409);
        Map<String, Object> third = rotate((String) second.get("token"), 200);

        assertThat(fork).as("rotating a replaced token again").containsEntry("error",
                "token_already_rotated");
        assertThat(second.get("family-expires-at")).as("the family's expiry, after a rotation")
                .isEqualTo(first.get("family-expires-at"));
        assertThat(third.get("family-expires-at")).isEqualTo(first.get("family-expires-at"));
        assertThat(((Number) third.get("expires-at")).longValue()).as(
                "no member outlives its family").isLessThanOrEqualTo(
                        ((Number) first.get(
                                "family-expires-at")).longValue());
        assertThat(tollgate.mcp((String) third.get("token"), INITIALIZE, Map.of()).statusCode())
                .as("the newest rotation opens the door").isEqualTo(200);

        HttpResponse<String> revoked = tollgate.post("/admin/tokens/revoke",
                Standalone.ADMIN_KEY, "{\"token-id\": \"" + second.get("token-id") + "\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

        for (Map<String, Object> member : new Map[]{first, second, third}) {
            HttpResponse<String> refused = tollgate.mcp((String) member.get("token"),
                    INITIALIZE, Map.of());
            assertThat(refused.statusCode()).as("%s after revoking %s: %s", member.get(
                    "token-id"), second.get("token-id"), refused.body()).isEqualTo(401);
            assertThat(refused.body()).contains("revoked");
        }
        rotate((String) third.get("token"), 401);
        assertThat(tollgate.mcp((String) bystander.get("token"), INITIALIZE, Map.of())
                .statusCode()).as("another family of the same agent").isEqualTo(200);
        tollgate.assertTheCanaryIsStillAnswered();
    }

    private Map<String, Object> mint(String agent) {
        HttpResponse<String> response = tollgate.post("/admin/tokens", Standalone.ADMIN_KEY,
                "{\"agent\":\"" + agent + "\",\"environment\":\"dev\",\"expires-in\":900}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    private Map<String, Object> rotate(String token, int expected) {
        HttpResponse<String> response = tollgate.post("/token/rotate", token, "");
        assertThat(response.statusCode()).as("rotating: %s", response.body()).isEqualTo(
                expected);
        return json(response.body());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) {
        return Standalone.JSON.readValue(text, Map.class);
    }
}
