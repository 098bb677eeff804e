package dev.tollgate.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Free ports on the loopback address for servers that pick their own (the embedded broker's
 * listeners, the bench's roles).
 *
 * <p>The ports are found together: every socket the kernel gave stays open until all are found,
 * so the kernel cannot hand out one port twice. Opening and closing one socket per port did: the
 * broker was once given the same port for its client and controller listeners ("two listeners on
 * the same port") and did not start.
 */
public final class LoopbackPorts {

    /** How many ports the kernel may give that are already in {@code taken} before giving up. */
    static final int MAX_TAKEN_SKIPPED = 100;

    private LoopbackPorts() {
    }

    /** Something that opens a listening socket and holds it; the kernel in production. */
    @FunctionalInterface
    interface Opener {
        ServerSocket open() throws IOException;
    }

    /**
     * {@code count} ports no one was listening on a moment ago, distinct from each other and from
     * {@code taken} (ports already promised to another listener of the same server).
     */
    public static List<Integer> free(int count, Set<Integer> taken) throws IOException {
        return free(count, taken, () -> new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    }

    static List<Integer> free(int count, Set<Integer> taken, Opener opener) throws IOException {
        if (count < 0) {
            throw new IllegalArgumentException("cannot find " + count + " ports");
        }
        List<ServerSocket> held = new ArrayList<>();
        Set<Integer> found = new LinkedHashSet<>();
        try {
            int skipped = 0;
            while (found.size() < count) {
                ServerSocket socket = opener.open();
                held.add(socket);
                int port = socket.getLocalPort();
                if (taken.contains(port) || !found.add(port)) {
                    if (++skipped > MAX_TAKEN_SKIPPED) {
                        throw new IOException("found " + found.size() + " of " + count
                                + " free loopback ports; the other " + skipped
                                + " the kernel gave were taken (" + taken + ")");
                    }
                }
            }
            return List.copyOf(found);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // a port whose socket would not close is still taken: the server that binds
                    // it next fails saying so, which names the port better than this would
                }
            }
        }
    }
}
