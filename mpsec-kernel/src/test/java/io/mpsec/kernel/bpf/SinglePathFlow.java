package io.mpsec.kernel.bpf;

import io.mpsec.testbed.Testbed;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain single-path TCP bulk flow, the competitor on a shared bottleneck: the sender is a python3
 * process in the client host ({@code socket.IPPROTO_TCP}, TCP_CONGESTION set before connecting, so it
 * never depends on the host default, bbr here); the receiver is a JDK {@link ServerSocket} in the server
 * host that counts the bytes as they arrive.
 */
final class SinglePathFlow implements AutoCloseable {
    /** argv: address, port, congestion control. Writes zeros until killed. */
    static final String SENDER = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)",
            "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[3].encode())",
            "s.connect((sys.argv[1], int(sys.argv[2])))",
            "b = bytes(262144)",
            "while True:",
            "    s.sendall(b)");

    private final ServerSocket listener;
    private final Process sender;
    private final AtomicLong received = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CompletableFuture<Void> receiver;

    SinglePathFlow(Testbed.Host c, Testbed.Host s, InetAddress server, String congestion) throws IOException {
        listener = s.call(() -> new ServerSocket(0, 50, server));
        receiver = CompletableFuture.runAsync(() -> {
            try (Socket peer = listener.accept(); InputStream in = peer.getInputStream()) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) > 0) {
                    received.addAndGet(n);
                }
            } catch (IOException e) {
                if (!stop.get()) {
                    throw new IllegalStateException(e);
                }
            }
        });
        sender = c.startProcess("python3", "-c", SENDER, server.getHostAddress(), String.valueOf(listener.getLocalPort()), congestion);
    }

    /** The receiver's port: the sender's peer port in ss. */
    int port() {
        return listener.getLocalPort();
    }

    long received() {
        return received.get();
    }

    /** Whether the sender is still running (it only ends on an error, e.g. an unknown algorithm). */
    boolean senderAlive() {
        return sender.isAlive();
    }

    /** What the sender wrote to stderr (after it died). */
    String senderError() {
        try {
            return sender.isAlive() ? "" : new String(sender.getErrorStream().readAllBytes());
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws IOException {
        stop.set(true);
        sender.descendants().forEach(ProcessHandle::destroyForcibly);
        sender.destroyForcibly();
        listener.close();
    }
}
