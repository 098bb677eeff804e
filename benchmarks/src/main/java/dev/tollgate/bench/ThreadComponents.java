package dev.tollgate.bench;

import java.util.List;

/**
 * Which part of Tollgate a thread works for, from its name as {@code /proc/<pid>/task/<tid>/comm}
 * shows it: the first 15 characters of the Java thread name. A pure function; the prefixes are the
 * names the broker, the roles and the JVM give their threads (checked against a running system).
 */
final class ThreadComponents {

    static final String BROKER = "broker";
    static final String INGRESS = "ingress";
    static final String DECISION = "decision";
    static final String EXECUTOR = "executor";
    static final String AUDIT = "audit";
    static final String KAFKA_CLIENTS = "kafka-clients";
    static final String LOAD = "load+stand-in";
    static final String CARRIERS = "vthread-carriers";
    static final String COMMON_POOL = "common-pool";
    static final String GC = "gc";
    static final String JIT = "jit";
    static final String OTHER = "other";

    /** Every component, in the order tables print them. */
    static final List<String> ALL = List.of(BROKER, INGRESS, DECISION, EXECUTOR, AUDIT,
            KAFKA_CLIENTS, LOAD, CARRIERS, COMMON_POOL, GC, JIT, OTHER);

    private ThreadComponents() {
    }

    /** The component of a thread named {@code comm} (at most 15 characters, as /proc has it). */
    static String of(String comm) {
        String name = comm.strip();
        // the roles' own threads first ("decision-consumer-N" is the executor's)
        if (name.startsWith("decision-loop")) {
            return DECISION;
        }
        if (startsWithAny(name, "decision-consum", "decision-call", "github-retry", "OkHttp",
                "Okio", "installation-sy")) {
            return EXECUTOR;
        }
        if (startsWithAny(name, "auditListenerCo", "audit", "tollgate-audit")) {
            return AUDIT;
        }
        // Tomcat (only the ingress serves HTTP in the launcher; in a role JVM it is /readyz),
        // the readers of answers, requests, token records and the policy, housekeeping
        if (startsWithAny(name, "http-nio", "tollgate-replie", "tollgate-reques", "tollgate-polic",
                "tollgate-ingres", "tollgate-agent", "Catalina-utilit", "container")) {
            return INGRESS;
        }
        // Kafka's clients inside every role: producer I/O, consumer heartbeats, admin clients
        if (startsWithAny(name, "kafka-producer-", "kafka-coordinat", "kafka-admin-cli",
                "consumer_backgr")) {
            return KAFKA_CLIENTS;
        }
        // the broker: network and request handlers, purgatories, log, coordinators, KRaft
        if (startsWithAny(name, "data-plane-kafk", "kafka-", "group-coordinat", "share-coordinat",
                "share-group-", "transaction-", "TxnMarkerSender", "AddPartitionsTo", "controller",
                "broker-", "raft", "quorum", "executor-", "ExpirationReape", "LogDirFailureHa",
                "PersisterStateM", "persister-state", "ReplicaFetcher", "client-metrics-",
                "metrics-meter-t")) {
            return BROKER;
        }
        // the benchmark's own side: MCP client (JDK HttpClient, Reactor), stand-in, progress
        if (startsWithAny(name, "bench-", "HttpClient-", "HTTP-Dispatcher", "boundedElastic",
                "parallel-")) {
            return LOAD;
        }
        // virtual threads run on the carriers of the JDK's scheduler; their I/O waits on pollers
        if (startsWithAny(name, "ForkJoinPool-", "MasterPoller", "Read-Poller", "Write-Poller",
                "VirtualThread-u")) {
            return CARRIERS;
        }
        if (name.startsWith("ForkJoinPool.co")) {
            return COMMON_POOL;
        }
        if (startsWithAny(name, "GC Thread", "G1 ", "VM Thread")) {
            return GC;
        }
        if (startsWithAny(name, "C2 CompilerThre", "C1 CompilerThre")) {
            return JIT;
        }
        return OTHER;
    }

    private static boolean startsWithAny(String name, String... prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
