package dev.tollgate.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.events.DecisionSignature;
import dev.tollgate.events.EventMeta;
import dev.tollgate.events.PolicyDecided;
import dev.tollgate.events.Resource;
import dev.tollgate.events.ToolCallRequested;
import dev.tollgate.schemas.AvroSingleObjectCodec;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Signing and verifying decisions: what verifies, and every way a forgery is refused. */
class DecisionSignaturesTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        AvroSingleObjectCodec.shared(); // trusts the event classes
    }

    private final DecisionKey key = newKey();
    private final DecisionSigner signer = new DecisionSigner(key);
    private final DecisionVerifier verifier = new DecisionVerifier(List.of(key));

    static DecisionKey newKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return DecisionKey.of(secret);
    }

    static PolicyDecided decision() {
        EventMeta meta = EventMeta.newBuilder().setEventId("e-1").setRequestId("req-1")
                .setOccurredAt(Instant.parse("2026-12-01T10:00:00Z")).setProducer(
                        "decision-worker")
                .build();
        ToolCallRequested request = ToolCallRequested.newBuilder().setMeta(meta).setAgentId(
                "agent-1").setEnvironment("prod").setTool("get_file").setResource(Resource
                        .newBuilder().setOwner("octo-org").setRepo("hello-world").build())
                .setArgumentsJson("{\"owner\":\"octo-org\",\"repo\":\"hello-world\","
                        + "\"path\":\"README.md\"}")
                .build();
        Map<String, String> permissions = new LinkedHashMap<>();
        permissions.put("contents", "read");
        permissions.put("metadata", "read");
        return PolicyDecided.newBuilder().setMeta(meta).setRequest(request).setAllowed(true)
                .setReason("granted").setPolicyVersion("sha256:0f1e").setPermissions(permissions)
                .setRepositories(new ArrayList<>(List.of("octo-org/hello-world")))
                .setRoutingKey("4242").setInstallationId(4242L).build();
    }

    @Test
    void aSignedDecisionVerifiesAfterCrossingTheWire() {
        PolicyDecided signed = signer.sign(decision());
        byte[] wire = AvroSingleObjectCodec.shared().encode(signed);

        PolicyDecided received = AvroSingleObjectCodec.shared().decode(wire, PolicyDecided.class);

        assertThat(received.getSignature().getKeyId()).isEqualTo(key.id());
        assertThat(received.getSignature().getAlgorithm()).isEqualTo("HMAC-SHA256");
        assertThat(received.getSignature().getValue().remaining()).isEqualTo(32);
        assertThat(verifier.refusal(received)).isEmpty();
    }

    @Test
    void anUnsignedDecisionIsRefused() {
        assertThat(verifier.refusal(decision())).contains(
                "the decision is not signed by the decision worker");
    }

    @Test
    void aDecisionSignedWithAKeyTheExecutorWasNotGivenIsRefused() {
        PolicyDecided signed = new DecisionSigner(newKey()).sign(decision());

        assertThat(verifier.refusal(signed)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("signed with key " + signed.getSignature().getKeyId()).contains(
                        "does not accept"));
    }

    @Test
    void aMacFromAnotherKeyUnderTheAcceptedKeysIdIsRefused() {
        PolicyDecided forged = new DecisionSigner(newKey()).sign(decision());
        forged.getSignature().setKeyId(key.id());

        assertThat(verifier.refusal(forged)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("does not match its content"));
    }

    @Test
    void changingAnythingTheExecutorActsOnAfterSigningBreaksTheSignature() {
        List<Consumer<PolicyDecided>> alterations = List.of(
                d -> d.getRequest().setArgumentsJson(
                        "{\"owner\":\"octo-org\",\"repo\":\"secrets\",\"path\":\"key.txt\"}"),
                d -> d.getRequest().setTool("create_issue"),
                d -> d.getRequest().setAgentId("agent-2"),
                d -> d.setRepositories(new ArrayList<>(List.of("octo-org/secrets"))),
                d -> d.getPermissions().put("contents", "write"),
                d -> d.setInstallationId(1L),
                d -> d.setRoutingKey("1"),
                d -> d.setPolicyVersion("sha256:other"),
                d -> d.getMeta().setRequestId("req-2"));

        for (Consumer<PolicyDecided> alteration : alterations) {
            PolicyDecided signed = signer.sign(decision());
            alteration.accept(signed);

            assertThat(verifier.refusal(signed)).as("after an alteration").isPresent();
        }
    }

    @Test
    void aSignatureNamingAnotherAlgorithmIsRefused() {
        PolicyDecided signed = signer.sign(decision());
        signed.getSignature().setAlgorithm("none");

        assertThat(verifier.refusal(signed)).contains(
                "the decision's signature is not HMAC-SHA256");
    }

    @Test
    void aKeyIdThatIsNotAKeyIdIsNotEchoed() {
        PolicyDecided signed = signer.sign(decision());
        signed.getSignature().setKeyId("<script>\n" + "x".repeat(500));

        assertThat(verifier.refusal(signed)).contains(
                "the decision is signed with a key that this executor does not accept");
    }

    @Test
    void theCanonicalFormIgnoresMapOrderAndTheSignatureAndNamesTheSchema() {
        PolicyDecided one = decision();
        PolicyDecided other = decision();
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("metadata", "read");
        reversed.put("contents", "read");
        other.setPermissions(reversed);
        other.setSignature(DecisionSignature.newBuilder().setAlgorithm("x").setKeyId("y")
                .setValue(ByteBuffer.wrap(new byte[]{1})).build());

        byte[] canonical = DecisionCanonicalForm.encode(one);

        assertThat(DecisionCanonicalForm.encode(other)).isEqualTo(canonical);
        assertThat(canonical[0]).isEqualTo((byte) 0xC3);
        assertThat(canonical[1]).isEqualTo((byte) 0x01);
        assertThat(ByteBuffer.wrap(canonical, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong()).isEqualTo(SchemaNormalization.parsingFingerprint64(
                        PolicyDecided
                                .getClassSchema()));
        assertThat(verifier.refusal(signer.sign(other))).isEmpty();
    }

    @Test
    void oneWriterServesEveryThreadAndEachGetsTheSameBytes() throws Exception {
        PolicyDecided decision = decision();
        byte[] expected = DecisionCanonicalForm.encode(decision);
        List<java.util.concurrent.Callable<Boolean>> encoders = new ArrayList<>();
        for (int thread = 0; thread < 8; thread++) {
            PolicyDecided own = decision();
            encoders.add(() -> {
                for (int i = 0; i < 500; i++) {
                    if (!java.util.Arrays.equals(DecisionCanonicalForm.encode(own), expected)) {
                        return false;
                    }
                }
                return true;
            });
        }
        try (var threads = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (var result : threads.invokeAll(encoders)) {
                assertThat(result.get()).as("every encoding on every thread equals the first")
                        .isTrue();
            }
        }
    }

    @Test
    void anExecutorGivenTheOldAndTheNewKeyAcceptsBothAndDroppingTheOldRefusesIt() {
        DecisionKey next = newKey();
        PolicyDecided old = signer.sign(decision());
        PolicyDecided renewed = new DecisionSigner(next).sign(decision());

        DecisionVerifier during = new DecisionVerifier(List.of(key, next));
        DecisionVerifier after = new DecisionVerifier(List.of(next));

        assertThat(during.refusal(old)).isEmpty();
        assertThat(during.refusal(renewed)).isEmpty();
        assertThat(after.refusal(renewed)).isEmpty();
        assertThat(after.refusal(old)).isPresent();
        assertThat(during.keyIds()).containsExactlyInAnyOrder(key.id(), next.id());
    }

    @Test
    void keysAreBase64OfAtLeast32BytesAndTheirIdsComeFromTheKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String standard = Base64.getEncoder().encodeToString(secret);
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);

        DecisionKey fromStandard = DecisionKey.parse(standard + "\n", "a-file");
        DecisionKey fromUrlSafe = DecisionKey.parse(urlSafe, "a-file");

        assertThat(fromStandard.id()).isEqualTo(fromUrlSafe.id()).matches("[0-9a-f]{16}")
                .isEqualTo(DecisionKey.of(secret).id());
        assertThat(fromStandard.toString()).doesNotContain(standard).doesNotContain(urlSafe);
        assertThatThrownBy(() -> DecisionKey.parse(Base64.getEncoder().encodeToString(new byte[16]),
                "short-key")).hasMessageContaining("short-key has 16 bytes").hasMessageContaining(
                        "openssl rand -base64 32");
        assertThatThrownBy(() -> DecisionKey.parse("not base64 at all!", "odd-key"))
                .hasMessageContaining("odd-key is not base64").hasMessageNotContaining(
                        "not base64 at all!");
        assertThatThrownBy(() -> new DecisionVerifier(List.of())).hasMessageContaining(
                "at least one decision key");
    }
}
