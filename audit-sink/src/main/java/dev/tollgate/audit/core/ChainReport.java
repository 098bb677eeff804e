package dev.tollgate.audit.core;

import java.util.Optional;

/**
 * The verdict on one chain.
 *
 * @param chainId the chain
 * @param records how many records were read
 * @param head the last record read (the head a copy of this chain should have), if any
 * @param firstBreak the first broken link, if any
 */
public record ChainReport(String chainId, long records, Optional<ChainHead> head,
        Optional<ChainBreak> firstBreak) {

    public boolean intact() {
        return firstBreak.isEmpty();
    }
}
