package dev.tollgate.audit.core;

/**
 * The last record of a chain, as much of it as the next append needs: where to link, and where
 * its source left off (to notice a source that was reset).
 *
 * @param head the last record's chain, sequence and hash
 * @param sourceOffset the last record's source offset
 * @param sourceCluster the last record's source cluster (null if unknown)
 * @param reset whether the last record is a {@link SourceResets source reset}
 */
public record ChainTip(ChainHead head, long sourceOffset, String sourceCluster, boolean reset) {

    public static ChainTip of(AuditRecord record) {
        return new ChainTip(AuditChain.headOf(record), record.sourceOffset(), record.entry()
                .source().cluster(), SourceResets.isReset(record));
    }
}
