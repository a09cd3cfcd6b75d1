package io.mpsec.bench;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.MpsecSocketOptions;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two contenders of one fairness contest on a {@link BottleneckNet}, started together: a
 * 2-subflow MPTCP bulk transfer from {@code MpsecSocket} (TCP_CONGESTION {@code mptcpCongestion}) and
 * one plain single-path TCP flow from a python3 sender ({@code IPPROTO_TCP}, TCP_CONGESTION
 * {@code tcpCongestion}; both set explicitly because the host default is bbr). Both receivers run in
 * the server namespace and count the bytes that arrive, so each side's share comes from what the
 * server received, not from the senders' own view.
 */
final class FairnessFlows implements AutoCloseable {
    /** argv: address, port, congestion control. Writes zeros until killed. */
    private static final String TCP_SENDER = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)",
            "s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, sys.argv[3].encode())",
            "s.connect((sys.argv[1], int(sys.argv[2])))",
            "b = bytes(262144)",
            "while True:",
            "    s.sendall(b)");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicLong mptcpReceived = new AtomicLong();
    private final AtomicLong tcpReceived = new AtomicLong();
    private final List<Throwable> failures = new ArrayList<>();
    private volatile boolean stop;
    private int mptcpPort;
    private int tcpPort;
    private Process tcpSender;

    private FairnessFlows() {
    }

    /**
     * Starts both flows: the single-path one first, and the MPTCP one once its first bytes arrived (a
     * python process can take seconds to start on a loaded machine, and both must run during the warm-up).
     */
    static FairnessFlows start(BottleneckNet net, String mptcpCongestion, String tcpCongestion) throws IOException {
        FairnessFlows f = new FairnessFlows();
        try {
            f.startTcp(net, tcpCongestion);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (f.tcpReceived() == 0 && System.nanoTime() < deadline) {
                f.check();
                PathNet.sleep(20);
            }
            f.startMptcp(net, mptcpCongestion);
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    private void startTcp(BottleneckNet net, String congestion) throws IOException {
        ServerSocket listener;
        try (NetNamespace s = NetNamespace.open(net.server())) {
            listener = s.call(() -> new ServerSocket(0, 4, BottleneckNet.serverAddress()));
        }
        resources.add(listener);
        tcpPort = listener.getLocalPort();
        daemon("mpsec-bench-fair-tcp-rx", () -> {
            try (Socket peer = listener.accept()) {
                drain(peer.getInputStream(), tcpReceived);
            }
        });
        tcpSender = new ProcessBuilder(BenchNet.in(net.client(), "python3", "-c", TCP_SENDER, BottleneckNet.SERVER_ADDRESS,
                String.valueOf(tcpPort), congestion)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private void startMptcp(BottleneckNet net, String congestion) throws IOException {
        MpsecServerSocket listener;
        try (NetNamespace s = NetNamespace.open(net.server())) {
            listener = s.call(() -> new MpsecServerSocket(0, 4, BottleneckNet.serverAddress()));
        }
        resources.add(listener);
        mptcpPort = listener.getLocalPort();
        daemon("mpsec-bench-fair-mptcp-rx", () -> {
            try (MpsecSocket peer = listener.accept()) {
                drain(peer.getInputStream(), mptcpReceived);
            }
        });
        MpsecSocket socket;
        try (NetNamespace c = NetNamespace.open(net.client())) {
            socket = c.call(() -> {
                MpsecSocket m = new MpsecSocket();
                m.setOption(MpsecSocketOptions.TCP_CONGESTION, congestion);
                m.connect(new InetSocketAddress(BottleneckNet.serverAddress(), mptcpPort), 5_000);
                return m;
            });
        }
        resources.add(socket);
        daemon("mpsec-bench-fair-mptcp-tx", () -> {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            while (!stop) {
                out.write(chunk);
            }
        });
    }

    private interface Body {
        void run() throws IOException;
    }

    private void daemon(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (IOException | RuntimeException e) {
                if (!stop) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void drain(InputStream in, AtomicLong counter) throws IOException {
        byte[] buf = new byte[256 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            counter.addAndGet(n);
        }
    }

    long mptcpReceived() {
        return mptcpReceived.get();
    }

    long tcpReceived() {
        return tcpReceived.get();
    }

    /** The server port of the MPTCP connection (the subflows' peer port in ss). */
    int mptcpPort() {
        return mptcpPort;
    }

    /** The server port of the single-path flow. */
    int tcpPort() {
        return tcpPort;
    }

    /** Throws what went wrong so far: a failed sender or receiver, a dead python sender. */
    void check() throws IOException {
        synchronized (failures) {
            if (!failures.isEmpty()) {
                throw new IOException("a fairness flow failed: " + failures.get(0), failures.get(0));
            }
        }
        if (!tcpSender.isAlive()) {
            throw new IOException("the single-path python3 sender ended (exit " + tcpSender.exitValue() + "): "
                    + new String(tcpSender.getErrorStream().readAllBytes()).strip());
        }
    }

    @Override
    public void close() {
        stop = true;
        if (tcpSender != null) {
            tcpSender.descendants().forEach(ProcessHandle::destroyForcibly);
            tcpSender.destroyForcibly();
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // best effort: the contest is over
            }
        }
    }
}
