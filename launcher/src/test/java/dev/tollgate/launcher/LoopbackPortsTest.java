package dev.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    /** Sockets that say the ports given, in turn, and remember whether they were closed. */
    private static final class ScriptedKernel implements LoopbackPorts.Opener {
        private final Deque<Integer> ports;
        private final List<ServerSocket> opened = new ArrayList<>();

        ScriptedKernel(Integer... ports) {
            this.ports = new ArrayDeque<>(List.of(ports));
        }

        @Override
        public ServerSocket open() throws IOException {
            int port = ports.isEmpty() ? 1 : ports.removeFirst();
            ServerSocket socket = new ServerSocket() { // unbound: it only says its port
                @Override
                public int getLocalPort() {
                    return port;
                }
            };
            opened.add(socket);
            return socket;
        }
    }

    @Test
    void aPortTheKernelGivesTwiceOrOneAlreadyTakenIsSkippedAndEverySocketIsClosed()
            throws IOException {
        // the embedded broker's client port was given (9092); the kernel then offers it, and one
        // port twice: the broker's two other listeners must still get two other ports
        ScriptedKernel kernel = new ScriptedKernel(9092, 40000, 40000, 40001);

        List<Integer> ports = LoopbackPorts.free(2, Set.of(9092), kernel);

        assertThat(ports).containsExactly(40000, 40001);
        assertThat(kernel.opened).hasSize(4).allMatch(ServerSocket::isClosed);
    }

    @Test
    void aKernelThatKeepsGivingTakenPortsEndsInAnErrorThatSaysSo() {
        ScriptedKernel kernel = new ScriptedKernel(); // every socket says port 1

        assertThatThrownBy(() -> LoopbackPorts.free(2, Set.of(), kernel))
                .isInstanceOf(IOException.class)
                .hasMessage("found 1 of 2 free loopback ports; the other "
                        + (LoopbackPorts.MAX_TAKEN_SKIPPED + 1)
                        + " the kernel gave were taken ([])");
        assertThat(kernel.opened).isNotEmpty().allMatch(ServerSocket::isClosed);
    }

    @Test
    void theRealKernelGivesDistinctPortsThatCanBeBoundOnceFound() throws IOException {
        // One socket opened and closed per port let the kernel give the same port to two of the
        // broker's listeners (a CI run's "two listeners on the same port"). Sockets held together
        // cannot share a port; the old way repeated one in about 5 of 10,000 draws of three here.
        for (int draw = 0; draw < 10_000; draw++) {
            List<Integer> ports = LoopbackPorts.free(3, Set.of());
            assertThat(new HashSet<>(ports)).as("draw %d: %s", draw, ports).hasSize(3);
        }
        List<Integer> ports = LoopbackPorts.free(3, Set.of());
        List<ServerSocket> bound = new ArrayList<>();
        try {
            for (int port : ports) {
                bound.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
            }
        } finally {
            for (ServerSocket socket : bound) {
                socket.close();
            }
        }
        assertThat(bound).hasSize(3);
    }

    @Test
    void noPortsAskedForIsNoneAndANegativeCountIsAnError() throws IOException {
        assertThat(LoopbackPorts.free(0, Set.of())).isEmpty();
        assertThatThrownBy(() -> LoopbackPorts.free(-1, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
