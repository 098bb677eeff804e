package dev.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ThreadComponentsTest {

    @Test
    void namesThePartEachThreadWorksForFromItsTruncatedName() {
        assertThat(ThreadComponents.of("data-plane-kafk")).isEqualTo(ThreadComponents.BROKER);
        assertThat(ThreadComponents.of("kafka-1-metadat")).isEqualTo(ThreadComponents.BROKER);
        assertThat(ThreadComponents.of("group-coordinat")).isEqualTo(ThreadComponents.BROKER);
        assertThat(ThreadComponents.of("TxnMarkerSender")).isEqualTo(ThreadComponents.BROKER);
        assertThat(ThreadComponents.of("quorum-controll")).isEqualTo(ThreadComponents.BROKER);
        assertThat(ThreadComponents.of("executor-Fetch")).isEqualTo(ThreadComponents.BROKER);
        assertThat(ThreadComponents.of("http-nio-127.0.")).isEqualTo(ThreadComponents.INGRESS);
        assertThat(ThreadComponents.of("tollgate-replie")).isEqualTo(ThreadComponents.INGRESS);
        assertThat(ThreadComponents.of("tollgate-reques")).isEqualTo(ThreadComponents.INGRESS);
        assertThat(ThreadComponents.of("tollgate-policy")).isEqualTo(ThreadComponents.INGRESS);
        assertThat(ThreadComponents.of("decision-loop-0")).isEqualTo(ThreadComponents.DECISION);
        assertThat(ThreadComponents.of("decision-consum")).isEqualTo(ThreadComponents.EXECUTOR);
        assertThat(ThreadComponents.of("auditListenerCo")).isEqualTo(ThreadComponents.AUDIT);
        assertThat(ThreadComponents.of("kafka-producer-")).isEqualTo(
                ThreadComponents.KAFKA_CLIENTS);
        assertThat(ThreadComponents.of("kafka-coordinat")).isEqualTo(
                ThreadComponents.KAFKA_CLIENTS);
        assertThat(ThreadComponents.of("HttpClient-3-Se")).isEqualTo(ThreadComponents.LOAD);
        assertThat(ThreadComponents.of("ForkJoinPool-1-")).isEqualTo(ThreadComponents.CARRIERS);
        assertThat(ThreadComponents.of("MasterPoller")).isEqualTo(ThreadComponents.CARRIERS);
        assertThat(ThreadComponents.of("ForkJoinPool.co")).isEqualTo(
                ThreadComponents.COMMON_POOL);
        assertThat(ThreadComponents.of("OkHttp TaskRunn")).isEqualTo(ThreadComponents.EXECUTOR);
        assertThat(ThreadComponents.of("C2 CompilerThre")).isEqualTo(ThreadComponents.JIT);
        assertThat(ThreadComponents.of("GC Thread#1")).isEqualTo(ThreadComponents.GC);
        assertThat(ThreadComponents.of("G1 Refine#0")).isEqualTo(ThreadComponents.GC);
        assertThat(ThreadComponents.of("java")).isEqualTo(ThreadComponents.OTHER);
    }

    @Test
    void everyComponentIsListedOnce() {
        assertThat(ThreadComponents.ALL).doesNotHaveDuplicates().contains(ThreadComponents.OTHER,
                ThreadComponents.CARRIERS);
    }
}
