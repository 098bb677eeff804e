package dev.tollgate.audit.core;

import java.util.List;
import java.util.Optional;

/**
 * The verdict on one chain.
 *
 * @param chainId the chain
 * @param records how many records were read
 * @param head the last record read (the head a copy of this chain should have), if any
 * @param firstBreak the first broken link, if any
 * @param resets the source resets recorded in the chain (up to the first break), in order
 * @param tombstones how many records (up to the first break) are tombstones: erased under the
 *            retention policy, their hashes kept
 */
public record ChainReport(String chainId, long records, Optional<ChainHead> head,
        Optional<ChainBreak> firstBreak, List<SourceResets.Noted> resets, long tombstones) {

    public ChainReport {
        resets = List.copyOf(resets);
    }

    public boolean intact() {
        return firstBreak.isEmpty();
    }
}
