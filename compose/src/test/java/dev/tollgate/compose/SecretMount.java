package dev.tollgate.compose;

import java.util.LinkedHashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Whether a container can read a file of a secret volume, as the kubelet lays it out: owned by
 * root (uid 0, gid 0) with the volume's mode; with a pod {@code fsGroup}, group-owned by it and
 * the mode OR'd with 0440 (the volume is read-only), and the fsGroup is one of every container's
 * groups (kubelet's {@code SetVolumeOwnership}; the API's {@code PodSecurityContext.fsGroup}).
 */
final class SecretMount {

    private SecretMount() {
    }

    /** The container's user: its own runAsUser, else the pod's, else -1 (the image's, unknown). */
    static long user(JsonNode pod, JsonNode container) {
        return container.at("/securityContext/runAsUser").asLong(pod.at(
                "/securityContext/runAsUser").asLong(-1));
    }

    static boolean readable(JsonNode pod, JsonNode container, int mode) {
        long fsGroup = pod.at("/securityContext/fsGroup").asLong(-1);
        long fileGroup = fsGroup >= 0 ? fsGroup : 0;
        int fileMode = fsGroup >= 0 ? mode | 0440 : mode;
        Set<Long> groups = new LinkedHashSet<>();
        long group = container.at("/securityContext/runAsGroup").asLong(pod.at(
                "/securityContext/runAsGroup").asLong(-1));
        if (group >= 0) {
            groups.add(group);
        }
        pod.at("/securityContext/supplementalGroups").forEach(g -> groups.add(g.asLong()));
        if (fsGroup >= 0) {
            groups.add(fsGroup);
        }
        if (user(pod, container) == 0) {
            return true;
        }
        return (fileMode & 0004) != 0 || groups.contains(fileGroup) && (fileMode & 0040) != 0;
    }
}
