package dev.tollgate.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The launcher's own flags; everything else on the command line is passed to every role as a
 * Spring argument (e.g. {@code --tollgate.policy.file=policy.toml}).
 *
 * @param dataDir where the embedded broker and the embedded audit store keep their data
 * @param fresh wipe {@code dataDir} before starting
 * @param kafkaPort the embedded broker's client port (0: any free port)
 * @param externalKafka bootstrap servers of an existing cluster; no embedded broker then
 * @param roleArgs arguments passed to every role
 */
public record LauncherOptions(Path dataDir, boolean fresh, int kafkaPort, String externalKafka,
        boolean help, List<String> roleArgs) {

    static final String USAGE = """
            Usage: tollgate [--fresh] [--data-dir DIR] [--kafka-port PORT] [--kafka HOST:PORT] [--ROLE.KEY=VALUE ...]

              --fresh             wipe the data folder first (broker log, embedded audit store)
              --data-dir DIR      where data is kept (default .tollgate; env TOLLGATE_DATA_DIR)
              --kafka-port PORT   the embedded broker's port on 127.0.0.1 (default 9092, 0 = any free;
                                  env TOLLGATE_KAFKA_PORT)
              --kafka HOST:PORT   use an existing Kafka cluster instead of the embedded broker
                                  (also SPRING_KAFKA_BOOTSTRAP_SERVERS)
              --help              this text

            The HTTP listener is 127.0.0.1:8080 (SERVER_PORT changes the port). Any other --key=value
            is passed to every role, e.g. --tollgate.policy.file=policy.toml.
            """;

    /** Parses the launcher's command line; {@code env} supplies the defaults it reads. */
    public static LauncherOptions parse(String[] args, Map<String, String> env) {
        Path dataDir = Path.of(env.getOrDefault("TOLLGATE_DATA_DIR", ".tollgate"));
        boolean fresh = false;
        boolean help = false;
        int kafkaPort = parsePort(env.getOrDefault("TOLLGATE_KAFKA_PORT", "9092"),
                "TOLLGATE_KAFKA_PORT");
        String external = blankToNull(env.get("SPRING_KAFKA_BOOTSTRAP_SERVERS"));
        List<String> roleArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            switch (name) {
                case "--fresh" -> fresh = true;
                case "--help", "-h" -> help = true;
                case "--data-dir" -> dataDir = Path.of(value != null
                        ? value
                        : next(args, ++i,
                                name));
                case "--kafka-port" -> kafkaPort = parsePort(value != null
                        ? value
                        : next(args,
                                ++i, name),
                        name);
                case "--kafka", "--spring.kafka.bootstrap-servers" -> external = value != null
                        ? value
                        : next(args, ++i, name);
                default -> {
                    if (!arg.startsWith("--") || value == null) {
                        throw new IllegalArgumentException("unknown argument '" + arg
                                + "'; role settings take the form --key=value\n\n" + USAGE);
                    }
                    roleArgs.add(arg);
                }
            }
        }
        return new LauncherOptions(dataDir, fresh, kafkaPort, external, help, List.copyOf(
                roleArgs));
    }

    private static String next(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value\n\n" + USAGE);
        }
        return args[index];
    }

    private static int parsePort(String text, String source) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 0 || port > 65_535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + " must be a port number (0-65535), was '"
                    + text + "'");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
