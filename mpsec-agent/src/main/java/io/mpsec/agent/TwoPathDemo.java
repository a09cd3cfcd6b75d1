package io.mpsec.agent;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.Mptcp;
import io.mpsec.SubflowInfo;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo: one path, then two paths, then a path lost in the middle of a transfer, all with
 * {@link MpsecSocket}s between two namespaces on this machine.
 */
final class TwoPathDemo {
    private final int seconds;
    private final int rateMbit;

    TwoPathDemo(int seconds, int rateMbit) {
        this.seconds = seconds;
        this.rateMbit = rateMbit;
    }

    int run() throws Exception {
        if (!"0".equals(DemoNetwork.sh("id", "-u").trim())) {
            System.err.println("the demo builds network namespaces and needs root: run 'sudo ./mpsec demo'");
            return 2;
        }
        if (!Mptcp.isAvailable()) {
            System.err.println("MPTCP is not available here: " + Mptcp.unavailabilityCause().getMessage());
            return 2;
        }
        System.out.printf("MPSec demo: hosts c and s, two paths of %d Mbit/s each (198.18.1.0/24, 198.18.2.0/24)%n", rateMbit);
        try (DemoNetwork net = new DemoNetwork(rateMbit);
             NetNamespace c = NetNamespace.open(net.client);
             NetNamespace s = NetNamespace.open(net.server)) {
            InetAddress server = InetAddress.getByName("198.18.1.2");

            transfer(c, s, server, net, false, 1); // warm-up: JIT and TCP, not reported
            Result one = transfer(c, s, server, net, false);
            System.out.printf("%n1) one path:   %6.1f Mbit/s  (path 1 %s, path 2 %s)%n", one.mbit, mb(one.path1), mb(one.path2));

            net.addSubflowEndpoint(2);
            Result two = transfer(c, s, server, net, false);
            System.out.printf("2) two paths:  %6.1f Mbit/s  (path 1 %s, path 2 %s), %d subflows, %.2fx one path%n",
                    two.mbit, mb(two.path1), mb(two.path2), two.subflows.size(), two.mbit / one.mbit);
            for (SubflowInfo sf : two.subflows) {
                System.out.printf("     subflow %s -> %s  rtt %d us  cwnd %d%n", sf.local(), sf.remote(), sf.rttMicros(), sf.cwnd());
            }

            Result cut = transfer(c, s, server, net, true);
            System.out.printf("3) path 1 cut mid-transfer: %.1f Mbit/s, longest receive gap %d ms, SHA-256 %s%n",
                    cut.mbit, cut.gapMillis, cut.intact ? "equal (nothing lost)" : "DIFFERENT");
            return cut.intact && two.mbit / one.mbit > 1.5 ? 0 : 1;
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    private record Result(double mbit, long path1, long path2, List<SubflowInfo> subflows, long gapMillis, boolean intact) {
    }

    private Result transfer(NetNamespace c, NetNamespace s, InetAddress server, DemoNetwork net, boolean cutPath1) throws Exception {
        return transfer(c, s, server, net, cutPath1, seconds);
    }

    private Result transfer(NetNamespace c, NetNamespace s, InetAddress server, DemoNetwork net, boolean cutPath1,
                            int seconds) throws Exception {
        long p1 = net.txBytes(1);
        long p2 = net.txBytes(2);
        try (MpsecServerSocket listener = s.call(() -> new MpsecServerSocket(0, 50, server))) {
            CompletableFuture<Received> rx = CompletableFuture.supplyAsync(() -> receive(listener));
            List<SubflowInfo> subflows;
            byte[] sentDigest;
            try (MpsecSocket socket = c.call(() -> new MpsecSocket(server, listener.getLocalPort()))) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                OutputStream out = socket.getOutputStream();
                byte[] chunk = new byte[128 * 1024];
                Random random = new Random(42);
                long start = System.nanoTime();
                long end = start + TimeUnit.SECONDS.toNanos(seconds);
                boolean cut = false;
                subflows = List.of();
                while (System.nanoTime() < end) {
                    random.nextBytes(chunk);
                    out.write(chunk);
                    md.update(chunk);
                    long elapsed = System.nanoTime() - start;
                    if (cutPath1 && !cut && elapsed > TimeUnit.SECONDS.toNanos(seconds) / 3) {
                        net.linkDown(1);
                        cut = true;
                    }
                    if (subflows.isEmpty() && elapsed > TimeUnit.SECONDS.toNanos(seconds) / 2) {
                        subflows = socket.subflows();
                    }
                }
                socket.shutdownOutput();
                sentDigest = md.digest();
            }
            Received r = rx.get(60, TimeUnit.SECONDS);
            if (cutPath1) {
                net.linkUp(1);
            }
            boolean intact = HexFormat.of().formatHex(sentDigest).equals(r.sha256());
            return new Result(r.bytes() * 8.0 / (r.nanos() / 1e9) / 1e6, net.txBytes(1) - p1, net.txBytes(2) - p2,
                    subflows, r.gapMillis(), intact);
        }
    }

    private record Received(long bytes, long nanos, long gapMillis, String sha256) {
    }

    private static Received receive(MpsecServerSocket listener) {
        try (MpsecSocket peer = listener.accept(); InputStream in = peer.getInputStream()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[128 * 1024];
            long total = 0;
            long start = 0;
            long last = 0;
            long gap = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                long now = System.nanoTime();
                if (start == 0) {
                    start = now;
                } else {
                    gap = Math.max(gap, now - last);
                }
                last = now;
                md.update(buf, 0, n);
                total += n;
            }
            return new Received(total, last - start, gap / 1_000_000, HexFormat.of().formatHex(md.digest()));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
