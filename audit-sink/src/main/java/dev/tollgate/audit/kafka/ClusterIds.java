package dev.tollgate.audit.kafka;

import org.apache.kafka.common.ClusterResource;
import org.apache.kafka.common.ClusterResourceListener;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ID of the Kafka cluster a consumer reads from, as its own metadata says: a value
 * deserializer (raw bytes; decoding is the mapper's job) that the consumer also tells about every
 * metadata update ({@link ClusterResourceListener}). Records carry no cluster of their own; this
 * is the cluster the consumer fetched them from, the same one a replay's consumer sees.
 */
public final class ClusterIds extends ByteArrayDeserializer implements ClusterResourceListener {

    private volatile String clusterId;

    @Override
    public void onUpdate(ClusterResource cluster) {
        if (cluster != null && cluster.clusterId() != null) {
            clusterId = cluster.clusterId();
        }
    }

    /** The cluster ID of the last metadata update, or null before the first. */
    public String clusterId() {
        return clusterId;
    }
}
