package dev.tollgate.bench;

import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the broker did for each gateway call of a series: the requests it served, by type, and the
 * records it appended, by topic (transaction markers included: they are records too), read from
 * the broker's own counters (Kafka's JMX metrics {@code kafka.network:type=RequestMetrics,
 * name=RequestsPerSec} and {@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec})
 * right before and right after the series. The broker runs in this JVM ({@code --system
 * in-process}) or in a child the benchmark started; a child is reached through the JDK's Attach
 * API, which the JDK allows only to the same user, and which starts the child's local JMX agent
 * (local connections only).
 *
 * <p>The broker is the largest consumer of CPU per call, and its cost follows its requests and
 * appends more than its bytes: this says how many each call makes, and how many of them are the
 * decision worker's transaction.
 */
final class BrokerRequests {

    static final String REQUESTS = "kafka.network:type=RequestMetrics,name=RequestsPerSec,*";
    static final String APPENDED = "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,*";

    /**
     * The clients' own request counters ({@code request-total}: every request a client sent —
     * fetches, produces, heartbeats, commits, metadata), by client ID, when the clients run in the
     * broker's JVM (the standalone system): they say which role's client makes the broker's
     * requests.
     */
    static final List<String> CLIENTS = List.of("kafka.producer:type=producer-metrics,*",
            "kafka.consumer:type=consumer-metrics,*",
            "kafka.admin.client:type=admin-client-metrics,*");

    /** Parts of another count (Fetch = consumers' + followers' fetches): never added twice. */
    static final Set<String> PARTS = Set.of("FetchConsumer", "FetchFollower");

    /**
     * The requests a Kafka transaction makes besides its records' own produce: partitions added to
     * it (by the producer, or by the partition leaders and the group coordinator on its behalf
     * under transaction version 2), its offsets, its end, and the coordinator's markers.
     */
    static final Set<String> TRANSACTION = Set.of("AddPartitionsToTxn", "AddOffsetsToTxn",
            "TxnOffsetCommit", "EndTxn", "WriteTxnMarkers");
    private static final String TRANSACTION_NAMES = String.join(", ", new TreeSet<>(TRANSACTION));

    private BrokerRequests() {
    }

    /**
     * The broker's counters at one moment: requests by type, records appended by topic, and the
     * requests each client in its JVM sent, by client ID (empty when the clients run elsewhere).
     */
    record Sample(Map<String, Long> requests, Map<String, Long> appended,
            Map<String, Long> clients) {

        Sample(Map<String, Long> requests, Map<String, Long> appended) {
            this(requests, appended, Map.of());
        }
    }

    /** Per gateway call between two samples, or why it was not measured. */
    record Delta(Map<String, Double> requests, Map<String, Double> appended,
            Map<String, Double> clients, String notMeasured) {

        static Delta notMeasured(String why) {
            return new Delta(Map.of(), Map.of(), Map.of(), why);
        }

        double requestsPerCall() {
            return requests.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double transactionRequestsPerCall() {
            return requests.entrySet().stream().filter(e -> TRANSACTION.contains(e.getKey()))
                    .mapToDouble(Map.Entry::getValue).sum();
        }

        double appendedPerCall() {
            return appended.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        String lines() {
            if (notMeasured != null) {
                return "broker per call: not measured (" + notMeasured + ")\n";
            }
            return String.format(Locale.ROOT, "broker requests per call: %.2f (%s); the"
                    + " transactions' own (%s): %.2f%n", requestsPerCall(), list(requests),
                    TRANSACTION_NAMES,
                    transactionRequestsPerCall())
                    + String.format(Locale.ROOT, "broker records appended per call: %.2f (%s)%n",
                            appendedPerCall(), list(appended))
                    + (clients.isEmpty()
                            ? ""
                            : String.format(Locale.ROOT, "client requests per call, by client:"
                                    + " %s%n", list(clients)));
        }

        ObjectNode json(JsonMapper mapper) {
            ObjectNode node = mapper.createObjectNode();
            if (notMeasured != null) {
                return node.put("not_measured", notMeasured);
            }
            node.put("requests_per_call", requestsPerCall()).put(
                    "transaction_requests_per_call", transactionRequestsPerCall()).put(
                            "records_appended_per_call", appendedPerCall());
            ObjectNode byType = node.putObject("requests_per_call_by_type");
            requests.forEach(byType::put);
            ObjectNode byTopic = node.putObject("records_appended_per_call_by_topic");
            appended.forEach(byTopic::put);
            if (!clients.isEmpty()) {
                ObjectNode byClient = node.putObject("client_requests_per_call_by_client");
                clients.forEach(byClient::put);
            }
            return node;
        }

        private static String list(Map<String, Double> perCall) {
            List<String> items = new ArrayList<>();
            perCall.forEach((name, value) -> items.add(String.format(Locale.ROOT, "%s %.2f", name,
                    value)));
            return String.join(", ", items);
        }
    }

    /**
     * What changed between two samples, per call: each count's increase divided by
     * {@code calls}, largest first; counts that did not grow are left out, and so are the
     * {@link #PARTS} of another count.
     */
    static Delta between(Sample before, Sample after, long calls) {
        if (calls <= 0) {
            throw new IllegalArgumentException("calls must be positive, got " + calls);
        }
        return new Delta(perCall(before.requests(), after.requests(), calls, PARTS), perCall(
                before.appended(), after.appended(), calls, Set.of()),
                perCall(before.clients(),
                        after.clients(), calls, Set.of()),
                null);
    }

    private static Map<String, Double> perCall(Map<String, Long> before, Map<String, Long> after,
            long calls, Set<String> leftOut) {
        Map<String, Double> grown = new TreeMap<>();
        after.forEach((name, count) -> {
            long increase = count - before.getOrDefault(name, 0L);
            if (increase > 0 && !leftOut.contains(name)) {
                grown.put(name, (double) increase / calls);
            }
        });
        Map<String, Double> largestFirst = new LinkedHashMap<>();
        grown.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue(Comparator
                .reverseOrder())).forEach(e -> largestFirst.put(e.getKey(), e.getValue()));
        return largestFirst;
    }

    /** The counters of the broker in process {@code pid} (this JVM's own, or a child's). */
    static Sample read(long pid) throws Exception {
        if (pid == ProcessHandle.current().pid()) {
            return read(ManagementFactory.getPlatformMBeanServer());
        }
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            return read(connector.getMBeanServerConnection());
        }
    }

    static Sample read(MBeanServerConnection server) throws java.io.IOException, JMException {
        // one meter per request type and version: summed
        Map<String, Long> requests = sumBy(server, List.of(REQUESTS), "request", "Count");
        // the meter without a topic is the sum of the others: left out
        Map<String, Long> appended = sumBy(server, List.of(APPENDED), "topic", "Count");
        if (requests.isEmpty()) {
            throw new IllegalStateException("no Kafka broker in that JVM (no " + REQUESTS
                    + " metrics)");
        }
        return new Sample(requests, appended, clientRequests(server));
    }

    /** Each client's {@code request-total} in that JVM, by client ID; empty if it has none. */
    static Map<String, Long> clientRequests(MBeanServerConnection server)
            throws java.io.IOException, JMException {
        return sumBy(server, CLIENTS, "client-id", "request-total");
    }

    /**
     * The numeric {@code attribute} of every MBean matching {@code patterns}, summed by the value
     * of its {@code key} property; MBeans without that property are left out.
     */
    private static Map<String, Long> sumBy(MBeanServerConnection server, List<String> patterns,
            String key, String attribute) throws java.io.IOException, JMException {
        Map<String, Long> sums = new TreeMap<>();
        for (String pattern : patterns) {
            for (ObjectName name : server.queryNames(new ObjectName(pattern), null)) {
                String value = name.getKeyProperty(key);
                if (value != null && server.getAttribute(name, attribute) instanceof Number n) {
                    sums.merge(value, (long) n.doubleValue(), Long::sum);
                }
            }
        }
        return sums;
    }

    /** Reads the sample, or says why it could not in a line for the report. */
    static Sampled sample(long pid) {
        try {
            return new Sampled(read(pid), null);
        } catch (Exception | LinkageError e) {
            return new Sampled(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** A sample, or why there is none. */
    record Sampled(Sample sample, String failure) {

        static Delta between(Sampled before, Sampled after, long calls) {
            if (before.failure() != null) {
                return Delta.notMeasured(before.failure());
            }
            if (after.failure() != null) {
                return Delta.notMeasured(after.failure());
            }
            return BrokerRequests.between(before.sample(), after.sample(), calls);
        }
    }
}
