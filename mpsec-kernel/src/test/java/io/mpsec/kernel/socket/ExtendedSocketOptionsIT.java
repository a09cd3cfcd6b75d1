package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.testbed.Testbed;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ExtendedSocketOptions} on MPSec sockets next to JDK sockets on the same testbed: same values
 * back, same exception types for bad values, the kernel's own view read independently (python3
 * getsockopt on a duplicate of the descriptor taken with pidfd_getfd, and the keepalive timer in
 * {@code ss}).
 */
class ExtendedSocketOptionsIT {
    @RegisterExtension
    static final Testbed NET = Testbed.builder().hosts("c", "s").paths(1, 0).build();

    private static final List<SocketOption<Integer>> KEEPALIVE = List.of(ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT);

    /** Reads TCP_KEEPIDLE/INTVL/CNT of the socket with inode {@code ino} in process {@code pid}. */
    private static final String PY_GETSOCKOPT = String.join("\n",
            "import ctypes, os, socket, sys",
            "pid, ino = int(sys.argv[1]), sys.argv[2]",
            "fd = next(int(f) for f in os.listdir(f'/proc/{pid}/fd')",
            "          if os.readlink(f'/proc/{pid}/fd/{f}') == f'socket:[{ino}]')",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "pidfd = libc.syscall(434, pid, 0)",  // pidfd_open
            "dup = libc.syscall(438, pidfd, fd, 0)",  // pidfd_getfd
            "assert dup >= 0, os.strerror(ctypes.get_errno())",
            "s = socket.socket(fileno=dup)",
            "print(s.getsockopt(6, 4), s.getsockopt(6, 5), s.getsockopt(6, 6), s.getsockopt(1, 9), s.proto)");

    @Test
    void keepaliveOptionsMatchAJdkSocketAndTheKernel() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (ServerSocket jdkServer = s.call(() -> new ServerSocket(0, 50, addr));
                MpsecServerSocket mpServer = s.call(() -> new MpsecServerSocket(0, 50, addr));
                Socket jdk = c.call(() -> new Socket(addr, jdkServer.getLocalPort()));
                MpsecSocket mp = c.call(() -> new MpsecSocket(addr, mpServer.getLocalPort()));
                Socket jdkPeer = jdkServer.accept();
                Socket mpPeer = mpServer.accept()) {
            assertThat(mp.isMultipath()).isTrue();
            int[][] values = {{1, 33, 32767}, {1, 7, 32767}, {1, 5, 127}};
            for (int i = 0; i < KEEPALIVE.size(); i++) {
                SocketOption<Integer> o = KEEPALIVE.get(i);
                assertThat(mp.getOption(o)).as("default " + o).isEqualTo(jdk.getOption(o));
                for (int v : values[i]) {
                    jdk.setOption(o, v);
                    mp.setOption(o, v);
                    assertThat(mp.getOption(o)).as(o + " = " + v).isEqualTo(jdk.getOption(o)).isEqualTo(v);
                }
            }
            assertThat(mp.getOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID))
                    .isEqualTo(jdk.getOption(ExtendedSocketOptions.SO_INCOMING_NAPI_ID));

            // the kernel's view, read by python3 through a duplicate of MPSec's descriptor
            mp.setKeepAlive(true);
            mp.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 40);
            mp.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 9);
            mp.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 4);
            String ino = mptcpInode(c, mp.getLocalPort());
            String py = c.execOk("python3", "-c", PY_GETSOCKOPT, Long.toString(ProcessHandle.current().pid()), ino)
                    .stdout().trim();
            assertThat(py).as("python3 getsockopt KEEPIDLE KEEPINTVL KEEPCNT SO_KEEPALIVE proto").isEqualTo("40 9 4 1 262");
            // and the subflow's keepalive timer runs on the new idle time (ss -o shows the time left)
            int left = keepaliveTimerSeconds(c, mp.getLocalPort());
            assertThat(left).as("keepalive timer of the subflow, seconds left").isBetween(25, 40);
        }
    }

    @Test
    void supportedOptionsAreTheJdkOnesExceptQuickAckOnMptcp() throws Exception {
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (Socket jdk = new Socket(); MpsecSocket mp = new MpsecSocket();
                ServerSocket jdkServer = new ServerSocket(); MpsecServerSocket mpServer = s.call(() -> new MpsecServerSocket(0, 50, addr))) {
            assertThat(mp.supportedOptions()).containsAll(without(jdk.supportedOptions(), ExtendedSocketOptions.TCP_QUICKACK))
                    .containsAll(KEEPALIVE).doesNotContain(ExtendedSocketOptions.TCP_QUICKACK);
            assertThat(mpServer.supportedOptions())
                    .containsAll(without(jdkServer.supportedOptions(), ExtendedSocketOptions.TCP_QUICKACK))
                    .doesNotContain(ExtendedSocketOptions.TCP_QUICKACK);
            // Linux refuses TCP_QUICKACK on MPTCP sockets: a clear UnsupportedOperationException
            assertThat(catchThrowable(() -> mp.setOption(ExtendedSocketOptions.TCP_QUICKACK, true)))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("MPTCP");
            assertThat(catchThrowable(() -> mpServer.getOption(ExtendedSocketOptions.TCP_QUICKACK)))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ENOPROTOOPT");
        }
    }

    @Test
    void quickAckWorksWhereTheSocketIsPlainTcp() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        c.sysctl("net.mptcp.enabled", "0");
        try (ServerSocket server = s.call(() -> new ServerSocket(0, 50, addr));
                Socket jdk = c.call(() -> new Socket(addr, server.getLocalPort()));
                MpsecSocket mp = c.call(() -> new MpsecSocket(addr, server.getLocalPort()))) {
            assertThat(mp.fallbackCause()).isPresent();
            assertThat(mp.supportedOptions()).containsAll(jdk.supportedOptions());
            for (boolean v : new boolean[] {false, true, false}) {
                jdk.setOption(ExtendedSocketOptions.TCP_QUICKACK, v);
                mp.setOption(ExtendedSocketOptions.TCP_QUICKACK, v);
                assertThat(mp.getOption(ExtendedSocketOptions.TCP_QUICKACK)).as("TCP_QUICKACK = " + v)
                        .isEqualTo(jdk.getOption(ExtendedSocketOptions.TCP_QUICKACK)).isEqualTo(v);
            }
        }
    }

    @Test
    void badValuesFailAsOnAJdkSocket() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        int[][] bad = {{-1, 0, 32768, Integer.MAX_VALUE, Integer.MIN_VALUE}, {-1, 0, 32768, Integer.MAX_VALUE},
                {-1, 0, 128, 255, Integer.MAX_VALUE}};
        try (MpsecServerSocket server = s.call(() -> new MpsecServerSocket(0, 50, addr));
                ServerSocket jdkServer = s.call(() -> new ServerSocket(0, 50, addr));
                Socket jdkUnconnected = new Socket(); MpsecSocket mpUnconnected = new MpsecSocket();
                Socket jdk = c.call(() -> new Socket(addr, server.getLocalPort()));
                MpsecSocket mp = c.call(() -> new MpsecSocket(addr, server.getLocalPort()))) {
            List<String> compared = new ArrayList<>();
            for (int i = 0; i < KEEPALIVE.size(); i++) {
                SocketOption<Integer> o = KEEPALIVE.get(i);
                for (int v : bad[i]) {
                    compared.add(sameFailure(jdkUnconnected, mpUnconnected, o, v, "unconnected"));
                    compared.add(sameFailure(jdk, mp, o, v, "connected"));
                    compared.add(sameFailure(jdkServer, server, o, v, "listening"));
                }
                compared.add(sameFailure(jdk, mp, o, null, "connected"));
                assertThat(mp.getOption(o)).as("unchanged after bad values").isEqualTo(jdk.getOption(o));
            }
            compared.add(sameFailure(jdk, mp, ExtendedSocketOptions.SO_INCOMING_NAPI_ID, 5, "connected"));
            compared.add(sameFailure(jdkUnconnected, mpUnconnected, ExtendedSocketOptions.SO_INCOMING_NAPI_ID, 0, "unconnected"));
            assertThat(compared).hasSize(3 * (5 + 4 + 5) + 3 + 2).allMatch(x -> !x.isEmpty());
        }
    }

    @Test
    void acceptedSocketsInheritTheListenersKeepaliveOptions() throws Exception {
        Testbed.Host c = NET.host("c");
        Testbed.Host s = NET.host("s");
        InetAddress addr = s.address(1);
        try (ServerSocket jdkServer = s.call(() -> new ServerSocket(0, 50, addr));
                MpsecServerSocket mpServer = s.call(() -> new MpsecServerSocket(0, 50, addr))) {
            for (ServerSocket ss : List.of(jdkServer, mpServer)) {
                ss.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 111);
                ss.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 22);
                ss.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 7);
            }
            for (SocketOption<Integer> o : KEEPALIVE) {
                assertThat(mpServer.getOption(o)).as("listener " + o).isEqualTo(jdkServer.getOption(o));
            }
            try (Socket jc = c.call(() -> new Socket(addr, jdkServer.getLocalPort()));
                    Socket mc = c.call(() -> new MpsecSocket(addr, mpServer.getLocalPort()));
                    Socket jdkPeer = jdkServer.accept(); MpsecSocket mpPeer = mpServer.accept()) {
                assertThat(mpPeer.isMultipath()).isTrue();
                for (SocketOption<Integer> o : KEEPALIVE) {
                    assertThat(mpPeer.getOption(o)).as("accepted " + o).isEqualTo(jdkPeer.getOption(o));
                }
                assertThat(List.of(mpPeer.getOption(ExtendedSocketOptions.TCP_KEEPIDLE),
                        mpPeer.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                        mpPeer.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT))).containsExactly(111, 22, 7);
                String ino = mptcpInode(s, mpPeer.getLocalPort(), mpPeer.getPort());
                String py = s.execOk("python3", "-c", PY_GETSOCKOPT, Long.toString(ProcessHandle.current().pid()), ino)
                        .stdout().trim();
                assertThat(py).as("python3 getsockopt on the accepted MPTCP socket").startsWith("111 22 7 ").endsWith(" 262");
            }
        }
    }

    /**
     * Sets {@code o = v} on {@code jdk} and {@code mp} (JDK and MPSec sockets, or server sockets) and
     * asserts both fail with the same exception type. Returns that type's name.
     */
    @SuppressWarnings("rawtypes")
    private static String sameFailure(Object jdk, Object mp, SocketOption o, Object v, String state) {
        Throwable a = catchThrowable(() -> setOption(jdk, o, v));
        Throwable b = catchThrowable(() -> setOption(mp, o, v));
        assertThat(a).as("JDK " + state + " " + o + " = " + v).isNotNull();
        assertThat(b).as("MPSec " + state + " " + o + " = " + v).isNotNull();
        assertThat(b.getClass()).as(state + " " + o + " = " + v + " (JDK: " + a + ", MPSec: " + b + ")").isEqualTo(a.getClass());
        assertThat(b.getMessage()).isNotBlank();
        return a.getClass().getSimpleName();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void setOption(Object socket, SocketOption o, Object v) throws Exception {
        if (socket instanceof Socket) {
            ((Socket) socket).setOption(o, v);
        } else {
            ((ServerSocket) socket).setOption(o, v);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static Throwable catchThrowable(ThrowingRunnable r) {
        try {
            r.run();
            return null;
        } catch (Exception | Error e) {
            return e;
        }
    }

    private static Set<SocketOption<?>> without(Set<SocketOption<?>> set, SocketOption<?> o) {
        Set<SocketOption<?>> copy = new HashSet<>(set);
        copy.remove(o);
        return copy;
    }

    /** The inode of the MPTCP socket (ss -M) whose local port is {@code port}. */
    private static String mptcpInode(Testbed.Host h, int port) {
        return mptcpInode(h, port, -1);
    }

    private static String mptcpInode(Testbed.Host h, int port, int peerPort) {
        String out = h.execOk("ss", "-Mnie").stdout();
        Pattern p = Pattern.compile("\\S+:" + port + "\\s+\\S+:(\\d+)\\s.*?\\bino:(\\d+)");
        for (String line : out.split("\n")) {
            Matcher m = p.matcher(line);
            if (m.find() && (peerPort < 0 || Integer.parseInt(m.group(1)) == peerPort)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no MPTCP socket on local port " + port + " in ss -Mnie:\n" + out);
    }

    /** Seconds left on the keepalive timer of the TCP subflow with local port {@code port} (ss -tno). */
    private static int keepaliveTimerSeconds(Testbed.Host h, int port) {
        String out = h.execOk("ss", "-tno", "sport", "= :" + port).stdout();
        Matcher m = Pattern.compile("timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)(?:\\.\\d+)?sec)?").matcher(out);
        assertThat(m.find()).as("keepalive timer in ss -tno:\n" + out).isTrue();
        int min = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
        int sec = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        return min * 60 + sec;
    }
}
