package dev.tollgate.schemas.signing;

import dev.tollgate.events.DecisionSignature;
import dev.tollgate.events.PolicyDecided;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * The executor's side: a decision is performed only if its signature is an {@code HMAC-SHA256}
 * MAC, under one of the keys this verifier was given, of the decision's canonical form. Several
 * keys are accepted at once so that an operator can rotate: give the executors the new key beside
 * the old one, switch the decision workers to the new one, then drop the old one. Thread-safe.
 */
public final class DecisionVerifier {

    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

    private final Map<String, DecisionKey> keys;

    public DecisionVerifier(Collection<DecisionKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("an executor needs at least one decision key to"
                    + " verify decisions with");
        }
        Map<String, DecisionKey> byId = new LinkedHashMap<>();
        keys.forEach(key -> byId.put(key.id(), key));
        this.keys = Map.copyOf(byId);
    }

    /** The IDs of the keys accepted. */
    public List<String> keyIds() {
        return keys.keySet().stream().sorted().toList();
    }

    /**
     * Why {@code decision} must not be performed, in words the agent may read, or empty when its
     * signature verifies.
     */
    public Optional<String> refusal(PolicyDecided decision) {
        DecisionSignature signature = decision.getSignature();
        if (signature == null) {
            return Optional.of("the decision is not signed by the decision worker");
        }
        if (!DecisionKey.ALGORITHM.contentEquals(signature.getAlgorithm())) {
            return Optional.of("the decision's signature is not " + DecisionKey.ALGORITHM);
        }
        String keyId = signature.getKeyId().toString();
        DecisionKey key = keys.get(keyId);
        if (key == null) {
            return Optional.of("the decision is signed with " + (KEY_ID.matcher(keyId).matches()
                    ? "key " + keyId + ", which"
                    : "a key that") + " this executor does not accept");
        }
        ByteBuffer value = signature.getValue().duplicate();
        byte[] mac = new byte[value.remaining()];
        value.get(mac);
        for (Schema schema : DecisionCanonicalForm.signedSchemas()) {
            if (key.verifies(DecisionCanonicalForm.encode(decision, schema), mac)) {
                return Optional.empty();
            }
        }
        return Optional.of("the decision's signature does not match its content: it was changed"
                + " after the decision worker signed it");
    }
}
