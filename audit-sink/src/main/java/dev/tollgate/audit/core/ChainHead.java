package dev.tollgate.audit.core;

/**
 * The last record of a chain: comparing heads compares whole chains.
 *
 * @param chainId the chain ({@code topic-partition})
 * @param sequence the last record's sequence number (the chain's length)
 * @param hash the last record's hash
 */
public record ChainHead(String chainId, long sequence, String hash) {

    @Override
    public String toString() {
        return chainId + " " + sequence + " " + hash;
    }
}
