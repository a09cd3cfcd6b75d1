package io.mpsec.kernel.bpf;

import java.util.List;

/**
 * One contest on a {@link SharedBottleneck}: a 2-subflow MPTCP bulk transfer ({@link BulkTransfer},
 * TCP_CONGESTION {@code mptcpCongestion}) against one single-path TCP flow ({@link SinglePathFlow},
 * {@code tcpCongestion}), started together; after {@code warmMillis} each side's bytes received by the
 * server are counted over {@code windowMillis}, together with the bottleneck's counters over the same
 * window, the largest cwnd ss showed (sampled every 250 ms) and what ss showed at the end.
 */
final class BottleneckContest {
    private BottleneckContest() {
    }

    /** What one contest measured. */
    record Result(String mptcpCongestion, String tcpCongestion, long mptcpBytes, long tcpBytes, double seconds,
            SharedBottleneck.Counters bottleneck, List<SsSubflows.Subflow> subflows, List<SsSubflows.Subflow> tcp,
            String coupling, int maxSubflowCwnd, int maxTcpCwnd) {
        /** MPTCP's share of the bytes both sides delivered in the window. */
        double mptcpShare() {
            return (double) mptcpBytes / (mptcpBytes + tcpBytes);
        }

        double mptcpMbit() {
            return mptcpBytes * 8 / seconds / 1e6;
        }

        double tcpMbit() {
            return tcpBytes * 8 / seconds / 1e6;
        }

        /** Payload delivered / bytes HTB sent (headers included): about 0.95 when both flows are all the traffic. */
        double deliveredOfSent() {
            return (double) (mptcpBytes + tcpBytes) / bottleneck.sentBytes();
        }

        /** Mean size of the packets HTB sent, in bytes. */
        double meanPacketBytes() {
            return (double) bottleneck.sentBytes() / Math.max(1, bottleneck.sentPackets());
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT,
                    "MPTCP %s %.1f Mbit/s vs TCP %s %.1f Mbit/s: MPTCP share %.3f over %.1f s; bottleneck dropped %d,"
                            + " sent %d pkt (mean %.0f B), delivered/sent %.3f; largest cwnd seen (ss every 250 ms): subflows %d,"
                            + " single-path %d; at the end: subflows %s; tcp %s; %s",
                    mptcpCongestion, mptcpMbit(), tcpCongestion, tcpMbit(), mptcpShare(), seconds, bottleneck.dropped(),
                    bottleneck.sentPackets(), meanPacketBytes(), deliveredOfSent(), maxSubflowCwnd, maxTcpCwnd, subflows, tcp, coupling);
        }
    }

    /**
     * Runs one contest. {@code coupled}, when not null, is read at the end of the window for the printout
     * (the BPF map's view of the connection).
     */
    static Result run(SharedBottleneck b, String mptcpCongestion, String tcpCongestion, long warmMillis, long windowMillis,
            CoupledCongestionControl coupled) throws Exception {
        try (SinglePathFlow tcp = new SinglePathFlow(b.client(), b.server(), b.serverAddress(), tcpCongestion)) {
            // a python process can take seconds to start on a loaded machine: both must run during the warm-up
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (tcp.received() == 0 && tcp.senderAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            try (BulkTransfer mptcp = new BulkTransfer(b.client(), b.server(), b.serverAddress(), mptcpCongestion)) {
                return measure(b, tcp, tcpCongestion, mptcp, mptcpCongestion, warmMillis, windowMillis, coupled);
            }
        }
    }

    private static Result measure(SharedBottleneck b, SinglePathFlow tcp, String tcpCongestion, BulkTransfer mptcp,
            String mptcpCongestion, long warmMillis, long windowMillis, CoupledCongestionControl coupled) throws Exception {
        Thread.sleep(warmMillis);
        if (!tcp.senderAlive()) {
            throw new AssertionError("the single-path sender died: " + tcp.senderError());
        }
        if (mptcp.received() == 0 || tcp.received() == 0) {
            throw new AssertionError("nothing received after " + warmMillis + " ms: MPTCP " + mptcp.received()
                    + " bytes, TCP " + tcp.received() + " bytes; ss at the client: "
                    + SsSubflows.of(b.client(), mptcp.socket().getPort()) + SsSubflows.of(b.client(), tcp.port()));
        }
        SharedBottleneck.Counters c0 = b.counters();
        long m0 = mptcp.received();
        long t0 = tcp.received();
        long n0 = System.nanoTime();
        long end = n0 + windowMillis * 1_000_000;
        int maxSubflowCwnd = 0;
        int maxTcpCwnd = 0;
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(250, (end - System.nanoTime()) / 1_000_000)));
            for (SsSubflows.Subflow sf : SsSubflows.of(b.client(), mptcp.socket().getPort())) {
                maxSubflowCwnd = Math.max(maxSubflowCwnd, sf.cwnd());
            }
            for (SsSubflows.Subflow sf : SsSubflows.of(b.client(), tcp.port())) {
                maxTcpCwnd = Math.max(maxTcpCwnd, sf.cwnd());
            }
        }
        long m1 = mptcp.received();
        long t1 = tcp.received();
        long n1 = System.nanoTime();
        SharedBottleneck.Counters c1 = b.counters();
        List<SsSubflows.Subflow> sfs = SsSubflows.of(b.client(), mptcp.socket().getPort());
        List<SsSubflows.Subflow> single = SsSubflows.of(b.client(), tcp.port());
        String coupling = coupling(coupled);
        mptcp.finish();
        return new Result(mptcpCongestion, tcpCongestion, m1 - m0, t1 - t0, (n1 - n0) / 1e9, c1.minus(c0), sfs, single, coupling,
                maxSubflowCwnd, maxTcpCwnd);
    }

    private static String coupling(CoupledCongestionControl coupled) throws java.io.IOException {
        if (coupled == null) {
            return "uncoupled";
        }
        return "map " + switch (coupled.kernelName()) {
            case "mpsec_olia" -> coupled.oliaConnections().toString();
            case "mpsec_balia" -> coupled.baliaConnections().toString();
            default -> coupled.connections().toString();
        } + "; " + coupled.callbackRepairs().map(Object::toString).orElse("no repair counters");
    }
}
