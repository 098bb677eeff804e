package dev.tollgate.ingress;

import dev.tollgate.testsupport.KafkaTestBroker;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * For trying the ingress by hand (not a test): an embedded broker with the catalogue's topics and
 * the ingress on 127.0.0.1:8080, answered by the test responder for agents named {@code dev-*}.
 * The standalone launcher is the real way to run everything.
 */
public final class DevServer {

    private DevServer() {
    }

    public static void main(String[] args) {
        String bootstrap = KafkaTestBroker.get().bootstrapServers();
        KafkaProbe.provisionTopics();
        new TestResponder("dev-");
        new SpringApplicationBuilder(IngressApplication.class).properties(IngressApplication
                .defaults()).run(concat(args, "--spring.kafka.bootstrap-servers=" + bootstrap));
    }

    private static String[] concat(String[] args, String extra) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = extra;
        return all;
    }
}
