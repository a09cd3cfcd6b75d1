package io.mpsec.bench;

import io.mpsec.MpsecServerSocket;
import io.mpsec.MpsecSocket;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Send and receive efficiency of {@link MpsecSocket} against the C peer on an unshaped veth: bytes per
 * CPU-second of the whole process (user + system) over a steady-state window, for the side under test,
 * with the same C program as the other end. The MPSec side runs in this JVM; the C side is a process.
 *
 * <p>The kernel's stall mode (runs of ~200-300 Mbit/s with ~200 ms stalls, see the platform notes) hits
 * any sender, per connection. A run is <em>stalled</em> when its sender gave up at 600 ms (too few
 * bytes), either side saw a 100 ms sample interval without progress, or the window averaged below
 * 1 Gbit/s; the sender's MPTCP-level retransmitted bytes (MPTCP_INFO {@code mptcpi_bytes_retrans},
 * the socket's own counter) are reported with it. Stalled runs are counted and reported, never
 * compared; the run is retried with a new connection. Measured on 6.18 (2026-11-29): with the
 * namespaces' default congestion control bbr, 10 of 10 C-to-C MPTCP transfers stalled (0.16-1.04
 * Gbit/s, 10-114 KB retransmitted at MPTCP level); with reno, 0 of 10 (11-46 Gbit/s); plain TCP
 * never stalled. The benchmark therefore runs with reno unless told otherwise.
 */
public final class Efficiency implements AutoCloseable {
    /** Below this many bytes after 600 ms (0.67 Gbit/s) a sender gives up: the connection stalls. */
    static final long MIN_BYTES_AT_600MS = 50L << 20;
    static final double SKIP_SECONDS = 1.0;

    /** Which side MPSec plays. */
    public enum Direction { SEND, RECEIVE }

    /** One transfer: the measured side's and the peer's windows, and the stall evidence. */
    public record Run(String who, Direction direction, Samples.Window self, Samples.Window peer, long bytesRetrans,
                      boolean aborted) {
        public boolean stalled() {
            return aborted || self.stalls() > 0 || peer.stalls() > 0 || self.gbitPerSecond() < 1.0;
        }

        @Override
        public String toString() {
            return String.format("%-5s %-7s %s | peer %.2f Gbit/CPU-s | mptcp bytes_retrans %d%s", who, direction,
                    self, peer.gbitPerCpuSecond(), bytesRetrans, stalled() ? (aborted ? " | STALLED (gave up)" : " | STALLED") : "");
        }
    }

    /**
     * MPSec and C (and, when asked for, the JDK's socket under mptcpize and the Netty peer on MPSec's
     * channels) in one direction, measured back to back.
     */
    public record Pair(Direction direction, Run mpsec, Run c, Run jdk, Run netty) {
        /** The JDK socket's efficiency over C's, the side under test alone; NaN without a JDK run. */
        public double jdkRatio() {
            return ratioOf(jdk);
        }

        /** {@link #jdkRatio()} for both processes together. */
        public double jdkPairRatio() {
            return pairRatioOf(jdk);
        }

        /** The Netty peer's efficiency over C's, the side under test alone; NaN without a Netty run. */
        public double nettyRatio() {
            return ratioOf(netty);
        }

        /** {@link #nettyRatio()} for both processes together. */
        public double nettyPairRatio() {
            return pairRatioOf(netty);
        }

        /** MPSec's efficiency over C's, the side under test alone (>= 0.90 is the target). */
        public double ratio() {
            return ratioOf(mpsec);
        }

        /**
         * The same ratio for both processes together (Gbit per CPU-second of sender + receiver). The
         * kernel charges network work (softirqs) to whichever process is running, so CPU moves between
         * the two sides from run to run; the sum is steadier, and the peer is the same C program.
         */
        public double pairRatio() {
            return pairRatioOf(mpsec);
        }

        private double ratioOf(Run r) {
            return r == null ? Double.NaN : r.self().gbitPerCpuSecond() / c.self().gbitPerCpuSecond();
        }

        private double pairRatioOf(Run r) {
            return r == null ? Double.NaN : combined(r) / combined(c);
        }

        private static double combined(Run r) {
            return 1 / (1 / r.self().gbitPerCpuSecond() + 1 / r.peer().gbitPerCpuSecond());
        }
    }

    private final BenchNet net;
    private final boolean mptcp;
    private final CPeer c;
    /** {@link JdkPeer} under mptcpize, or null when not compared. */
    private final CPeer jdk;
    /** {@link NettyPeer}, or null when not compared. */
    private final CPeer netty;
    private final NetNamespace clientNs;
    private final NetNamespace serverNs;
    private final double seconds;
    private final int cpu;
    private final List<Run> stalledRuns = new ArrayList<>();

    private Efficiency(BenchNet net, boolean mptcp, CPeer c, CPeer jdk, CPeer netty, NetNamespace clientNs,
                       NetNamespace serverNs, double seconds, int cpu) {
        this.net = net;
        this.mptcp = mptcp;
        this.c = c.onCpu(cpu);
        this.jdk = jdk == null ? null : jdk.onCpu(cpu);
        this.netty = netty == null ? null : netty.onCpu(cpu);
        this.clientNs = clientNs;
        this.serverNs = serverNs;
        this.seconds = seconds;
        this.cpu = cpu;
    }

    /**
     * Builds the namespaces and the C peer (in {@code scratch}); transfers last {@code seconds}. With
     * {@code mptcp} false both peers fall back to plain TCP (MPTCP disabled in the namespaces): the
     * same data path without the kernel's MPTCP stall mode. With {@code cpu} >= 0 both sides of every
     * transfer (the MPSec thread and the C processes) run on that CPU only, so the network work the
     * kernel does for one side in the other side's context lands on the same core every time.
     * {@code congestionControl}: see {@link BenchNet#create}.
     */
    public static Efficiency create(Path scratch, double seconds, boolean mptcp, int cpu, String congestionControl)
            throws IOException {
        return create(scratch, seconds, mptcp, cpu, congestionControl, false);
    }

    /**
     * Like {@link #create(Path, double, boolean, int, String)}; with {@code withJdk} every pair also
     * measures a plain JDK socket program under {@code mptcpize} on the side under test
     * ({@link CPeer#jdkUnderMptcpize()}), against the same C peer.
     */
    public static Efficiency create(Path scratch, double seconds, boolean mptcp, int cpu, String congestionControl,
                                    boolean withJdk) throws IOException {
        return create(scratch, seconds, mptcp, cpu, congestionControl, withJdk, false);
    }

    /**
     * Like {@link #create(Path, double, boolean, int, String, boolean)}; with {@code withNetty} every pair
     * also measures the Netty peer ({@link CPeer#nettyPeer()}: MPSec's channels on Netty's epoll
     * transport) on the side under test, against the same C peer.
     */
    public static Efficiency create(Path scratch, double seconds, boolean mptcp, int cpu, String congestionControl,
                                    boolean withJdk, boolean withNetty) throws IOException {
        CPeer c = CPeer.build(scratch);
        CPeer jdk = withJdk ? CPeer.jdkUnderMptcpize() : null;
        CPeer netty = withNetty ? CPeer.nettyPeer() : null;
        BenchNet net = BenchNet.create(mptcp, congestionControl);
        try {
            return new Efficiency(net, mptcp, c, jdk, netty, NetNamespace.open(net.client()), NetNamespace.open(net.server()),
                    seconds, cpu);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** Runs that were stalled so far (not used in any comparison). */
    public List<Run> stalledRuns() {
        return List.copyOf(stalledRuns);
    }

    /**
     * One clean MPSec run and one clean C run in {@code direction} (and a clean JDK and Netty run when
     * asked for at creation), each retried up to {@code attempts} times.
     */
    public Pair pair(Direction direction, int attempts) throws Exception {
        Run m = clean(direction, Side.MPSEC, attempts);
        Run cc = clean(direction, Side.C, attempts);
        Run j = jdk == null ? null : clean(direction, Side.JDK, attempts);
        Run n = netty == null ? null : clean(direction, Side.NETTY, attempts);
        boolean missing = m == null || cc == null || (jdk != null && j == null) || (netty != null && n == null);
        return missing ? null : new Pair(direction, m, cc, j, n);
    }

    /** What runs on the side under test. */
    private enum Side { MPSEC, C, JDK, NETTY }

    private Run clean(Direction d, Side side, int attempts) throws Exception {
        for (int i = 0; i < attempts; i++) {
            Run r = run(d, side);
            if (!r.stalled()) {
                return r;
            }
            stalledRuns.add(r);
        }
        return null;
    }

    /** One transfer with MPSec (or C) on the side under test and the C peer on the other. */
    public Run run(Direction d, boolean mpsec) throws Exception {
        return run(d, mpsec ? Side.MPSEC : Side.C);
    }

    private Run run(Direction d, Side side) throws Exception {
        long[] affinity = Syscalls.threadAffinity();
        if (cpu >= 0) {
            long[] one = new long[affinity.length];
            one[cpu / 64] = 1L << (cpu % 64);
            Syscalls.setThreadAffinity(one);
        }
        try {
            return transfer(d, side);
        } finally {
            Syscalls.setThreadAffinity(affinity);
        }
    }

    private Run transfer(Direction d, Side side) throws Exception {
        boolean mpsec = side == Side.MPSEC;
        String who = side.name().toLowerCase(java.util.Locale.ROOT);
        CPeer measured = side == Side.JDK ? jdk : side == Side.NETTY ? netty : c;
        if (d == Direction.SEND) {
            CPeer.Sink sink = c.sink(net.server(), BenchNet.SERVER_ADDRESS);
            try {
                PeerResult sender;
                if (mpsec) {
                    InetAddress server = BenchNet.serverAddress();
                    try (MpsecSocket s = clientNs.call(() -> new MpsecSocket(server, sink.port()))) {
                        sender = JavaPeer.send(s, seconds, MIN_BYTES_AT_600MS);
                    }
                } else {
                    sender = measured.source(net.client(), BenchNet.SERVER_ADDRESS, sink.port(), seconds, MIN_BYTES_AT_600MS);
                }
                PeerResult receiver = sink.result();
                requireMptcp(side, receiver);
                return new Run(who, d, sender.samples().steady(SKIP_SECONDS), receiver.samples().steady(SKIP_SECONDS),
                        sender.infoLong("mptcp.bytes_retrans"), sender.infoLong("aborted") != 0);
            } finally {
                sink.kill();
            }
        }
        PeerResult receiver;
        PeerResult sender;
        if (mpsec) {
            InetAddress server = BenchNet.serverAddress();
            try (MpsecServerSocket listener = serverNs.call(() -> new MpsecServerSocket(0, 1, server))) {
                CompletableFuture<PeerResult> src = CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.source(net.client(), BenchNet.SERVER_ADDRESS, listener.getLocalPort(), seconds, MIN_BYTES_AT_600MS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                try (MpsecSocket peer = listener.accept()) {
                    receiver = JavaPeer.receive(peer);
                }
                sender = src.get((long) seconds + 60, TimeUnit.SECONDS);
            }
        } else {
            CPeer.Sink sink = measured.sink(net.server(), BenchNet.SERVER_ADDRESS);
            try {
                sender = c.source(net.client(), BenchNet.SERVER_ADDRESS, sink.port(), seconds, MIN_BYTES_AT_600MS);
                receiver = sink.result();
                requireMptcp(side, sender);
            } finally {
                sink.kill();
            }
        }
        return new Run(who, d, receiver.samples().steady(SKIP_SECONDS), sender.samples().steady(SKIP_SECONDS),
                sender.infoLong("mptcp.bytes_retrans"), sender.infoLong("aborted") != 0);
    }

    /**
     * A JDK or Netty run counts only over MPTCP: the C peer on the other end reports whether its
     * connection fell back to TCP (MPTCP_INFO mptcpi_flags), i.e. whether mptcpize (JDK) or MPSec's
     * channels (Netty) made the peer's socket MPTCP.
     */
    private void requireMptcp(Side side, PeerResult cPeer) throws IOException {
        if ((side == Side.JDK || side == Side.NETTY) && mptcp && !"0".equals(cPeer.info().get("mptcp.fallback"))) {
            throw new IOException("the " + side + " peer's connection is not MPTCP (C peer: mptcp.fallback="
                    + cPeer.info().get("mptcp.fallback") + ")");
        }
    }

    @Override
    public void close() {
        clientNs.close();
        serverNs.close();
        net.close();
    }
}
