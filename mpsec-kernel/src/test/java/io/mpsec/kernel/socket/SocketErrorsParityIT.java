package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same failures through {@code java.net.Socket} and {@code MpsecSocket}: refused, address in use,
 * unreachable, read timeout, reset (on read, again after it, on write), closed, connect timeout.
 * Libraries compare exception types and messages, so both must match the JDK's exactly; MPSec's
 * errno and call stay in the cause.
 */
class SocketErrorsParityIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(2, 0).perClass().build();

    /** Builds a client socket of one kind, not connected. */
    interface Factory {
        Socket create() throws Exception;
    }

    @Test
    void failuresLookLikeTheJdksOwn() throws Exception {
        Map<String, String> jdk = failures(Socket::new);
        Map<String, String> mpsec = failures(MpsecSocket::new);
        jdk.forEach((k, v) -> System.out.printf("%-16s jdk   %s%n%-16s mpsec %s%n", k, v, "", mpsec.get(k)));
        assertThat(mpsec).isEqualTo(jdk);
        assertThat(jdk.values()).as("every case failed").doesNotContain("ok");
    }

    @Test
    void theCauseKeepsCallAndErrno() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        int port;
        try (ServerSocket tmp = s.call(() -> new ServerSocket(0, 1, s.address(1)))) {
            port = tmp.getLocalPort();
        }
        try {
            c.call(() -> new MpsecSocket(s.address(1), port));
            throw new AssertionError("connected to a closed port");
        } catch (java.net.ConnectException e) {
            assertThat(e).hasMessage("Connection refused");
            assertThat(e.getCause()).hasMessageStartingWith("connect(" + s.address(1).getHostAddress() + ":" + port
                    + ") failed: ECONNREFUSED (111, ");
        }
    }

    private Map<String, String> failures(Factory f) throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        Map<String, String> out = new LinkedHashMap<>();
        int closedPort;
        try (ServerSocket tmp = s.call(() -> new ServerSocket(0, 1, addr))) {
            closedPort = tmp.getLocalPort();
        }
        out.put("refused", describe(() -> c.call(() -> {
            Socket so = f.create();
            so.connect(new InetSocketAddress(addr, closedPort));
            return so;
        })));
        try (ServerSocket taken = c.call(() -> new ServerSocket(0, 1, c.address(1)))) {
            out.put("bindInUse", describe(() -> c.call(() -> {
                Socket so = f.create();
                so.bind(new InetSocketAddress(c.address(1), taken.getLocalPort()));
                return so;
            })));
        }
        out.put("unreachable", describe(() -> c.call(() -> {
            Socket so = f.create();
            so.connect(new InetSocketAddress(InetAddress.getByName("198.19.255.1"), 9), 2000);
            return so;
        })));
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr))) {
            // read timeout, then reset on read
            try (Socket so = c.call(() -> connected(f, addr, server.getLocalPort()))) {
                Socket peer = server.accept();
                so.setSoTimeout(200);
                out.put("readTimeout", describe(() -> so.getInputStream().read()));
                peer.setSoLinger(true, 0);
                peer.close(); // RST
                Thread.sleep(200);
                out.put("resetOnRead", describe(() -> so.getInputStream().read()));
                out.put("resetOnReadAgain", describe(() -> so.getInputStream().read()));
            }
            // reset on write
            try (Socket so = c.call(() -> connected(f, addr, server.getLocalPort()))) {
                Socket peer = server.accept();
                peer.setSoLinger(true, 0);
                peer.close();
                Thread.sleep(200);
                out.put("resetOnWrite", describe(() -> {
                    for (int i = 0; i < 100; i++) {
                        so.getOutputStream().write(new byte[65536]);
                        Thread.sleep(10);
                    }
                    return null;
                }));
            }
            // closed
            Socket so = c.call(() -> connected(f, addr, server.getLocalPort()));
            java.io.InputStream in = so.getInputStream();
            so.close();
            out.put("readAfterClose", describe(in::read));
            out.put("streamAfterClose", describe(so::getInputStream));
            server.accept().close();
        }
        NET.path(2).blackhole();
        try {
            out.put("connectTimeout", describe(() -> c.call(() -> {
                Socket s2 = f.create();
                s2.connect(new InetSocketAddress(s.address(2), 9), 300);
                return s2;
            })));
        } finally {
            NET.path(2).restore();
        }
        return out;
    }

    private static Socket connected(Factory f, InetAddress addr, int port) throws Exception {
        Socket so = f.create();
        so.connect(new InetSocketAddress(addr, port));
        return so;
    }

    /** "ExceptionClass: message", or "ok". */
    private static String describe(Callable<?> c) {
        try {
            c.call();
            return "ok";
        } catch (Throwable t) {
            return t.getClass().getName() + ": " + t.getMessage();
        }
    }
}
