package dev.tollgate.audit.core;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Checks a store's chains against signed {@link Checkpoint checkpoints}, on the records a
 * {@link StoreVerifier} pass reads anyway ({@link #tap}): every checkpoint must verify with the
 * public key, and every head it signed must still be in the store with the same hash. A rewritten
 * suffix (whose hashes were recomputed, so the chain itself verifies) and a truncated one are
 * both caught, back to the latest checkpoint that covered them.
 */
public final class CheckpointVerifier {

    /** What is wrong. */
    public enum Kind {
        /** The signature does not verify with the key: forged, altered, or another key. */
        BAD_SIGNATURE,
        /** A signed chain is not in the store. */
        MISSING,
        /** A signed chain is shorter now than it was at the checkpoint. */
        TRUNCATED,
        /** The record at a signed sequence has another hash than was signed. */
        REWRITTEN
    }

    /** One finding; {@code checkpoint} is its 1-based position in the file. */
    public record Finding(Kind kind, int checkpoint, String chainId, long sequence,
            String detail) {

        public String describe() {
            return kind + " (checkpoint " + checkpoint + ")" + (chainId == null
                    ? ""
                    : " " + chainId + "#" + sequence) + ": " + detail;
        }
    }

    /** The verdict. */
    public record Result(int checkpoints, List<Finding> findings,
            Optional<Checkpoint> latest) {

        public boolean intact() {
            return findings.isEmpty();
        }
    }

    private final List<Checkpoint> checkpoints;
    private final PublicKey key;
    /** chain → sequences some checkpoint signed. */
    private final Map<String, Set<Long>> wanted = new HashMap<>();
    /** chain → sequence → the hash found there. */
    private final Map<String, Map<Long, String>> found = new HashMap<>();
    private final Map<String, Long> lengths = new HashMap<>();

    public CheckpointVerifier(List<Checkpoint> checkpoints, PublicKey key) {
        this.checkpoints = List.copyOf(checkpoints);
        this.key = key;
        for (Checkpoint checkpoint : checkpoints) {
            for (ChainHead head : checkpoint.heads()) {
                wanted.computeIfAbsent(head.chainId(), id -> new HashSet<>()).add(head
                        .sequence());
            }
        }
    }

    /** Sees every record a verification pass reads. */
    public Consumer<AuditRecord> tap() {
        return record -> {
            String chain = record.entry().chainId();
            lengths.merge(chain, record.sequence(), Math::max);
            Set<Long> sequences = wanted.get(chain);
            if (sequences != null && sequences.contains(record.sequence())) {
                found.computeIfAbsent(chain, id -> new HashMap<>()).put(record.sequence(),
                        record.hash());
            }
        };
    }

    /** The findings, once the pass has read every chain. */
    public Result finish() {
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint checkpoint = checkpoints.get(i);
            int number = i + 1;
            if (!checkpoint.verifies(key)) {
                findings.add(new Finding(Kind.BAD_SIGNATURE, number, null, 0, "the checkpoint of "
                        + checkpoint.at() + " does not verify with this public key"));
                continue;
            }
            for (ChainHead head : checkpoint.heads()) {
                Long length = lengths.get(head.chainId());
                String hash = found.getOrDefault(head.chainId(), Map.of()).get(head.sequence());
                if (length == null) {
                    findings.add(new Finding(Kind.MISSING, number, head.chainId(), head
                            .sequence(),
                            "the chain is not in the store; it had " + head
                                    .sequence() + " records at " + checkpoint.at()));
                } else if (length < head.sequence()) {
                    findings.add(new Finding(Kind.TRUNCATED, number, head.chainId(), head
                            .sequence(),
                            "the chain has " + length + " records; it had " + head
                                    .sequence() + " at " + checkpoint.at()));
                } else if (!head.hash().equals(hash)) {
                    findings.add(new Finding(Kind.REWRITTEN, number, head.chainId(), head
                            .sequence(),
                            "the record's hash is " + hash + "; " + head.hash()
                                    + " was signed at " + checkpoint.at()));
                }
            }
        }
        return new Result(checkpoints.size(), findings, checkpoints.isEmpty()
                ? Optional.empty()
                : Optional.of(checkpoints.getLast()));
    }
}
