package dev.tollgate.ingress.kafka;

/**
 * Which partition of gateway.replies this replica reads its answers on. Configured
 * ({@code tollgate.ingress.reply-partition=N}, e.g. from a StatefulSet ordinal) or {@code auto}:
 * a stable hash of the instance ID ({@code TOLLGATE_INSTANCE_ID}, else the host name) modulo the
 * partition count. Two replicas that land on the same partition both read every answer on it and
 * each completes only the calls it holds, so a collision costs bandwidth, never a lost answer.
 */
public final class ReplyPartition {

    private ReplyPartition() {
    }

    public static int resolve(String configured, String instanceId, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalStateException("topic gateway.replies has no partitions: create it "
                    + "first (the runtime's topic provisioning, or TopicProvisioner)");
        }
        String value = configured == null ? "auto" : configured.trim();
        if (value.isEmpty() || value.equalsIgnoreCase("auto")) {
            return Math.floorMod(instanceId.hashCode(), partitionCount);
        }
        int partition;
        try {
            partition = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("tollgate.ingress.reply-partition must be a number "
                    + "or 'auto', was '" + value + "'");
        }
        if (partition < 0 || partition >= partitionCount) {
            throw new IllegalStateException("tollgate.ingress.reply-partition=" + partition
                    + " but gateway.replies has partitions 0.." + (partitionCount - 1)
                    + ": pick one of those, or add partitions");
        }
        return partition;
    }
}
