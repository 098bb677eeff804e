package dev.tollgate.schemas.signing;

import dev.tollgate.events.DecisionSignature;
import dev.tollgate.events.PolicyDecided;
import java.nio.ByteBuffer;
import java.util.Objects;

/** The decision worker's side: signs each allowed decision with one key. Thread-safe. */
public final class DecisionSigner {

    private final DecisionKey key;

    public DecisionSigner(DecisionKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /**
     * Sets {@code decision}'s signature to this key's MAC of its canonical form
     * ({@link DecisionCanonicalForm}), replacing any earlier one, and returns it. The decision
     * must not change afterwards.
     */
    public PolicyDecided sign(PolicyDecided decision) {
        byte[] value = key.mac(DecisionCanonicalForm.encode(decision));
        decision.setSignature(DecisionSignature.newBuilder().setAlgorithm(DecisionKey.ALGORITHM)
                .setKeyId(key.id()).setValue(ByteBuffer.wrap(value)).build());
        return decision;
    }

    /** The ID of the key this signer uses. */
    public String keyId() {
        return key.id();
    }
}
