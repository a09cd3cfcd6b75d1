package io.mpsec.ipsec.inspect;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * The inspector's verdict: on demand, captures a few packets between the configured peers on one
 * interface (libpcap through pcap4j, a BPF filter on the peer addresses) and classifies each one
 * independently of the kernel counters ({@link FrameClassifier}: an ESP header, or TCP whose
 * payload is readable). It verifies, it does not count: it is off unless called, reads at most
 * {@code maxPackets} packets or waits at most {@code timeout}, and keeps only the first
 * {@value #SNAPLEN} bytes of each packet (headers; payload bytes are never kept or printed).
 *
 * <p>Needs root (a packet socket in the namespace) and libpcap (Debian package {@code libpcap0.8}).
 */
public final class PeerInspector {
    /** Bytes kept per packet: enough for link, IP (with extension headers), ESP or TCP headers. */
    static final int SNAPLEN = 256;
    private static final int BUFFER_BYTES = 4 << 20;
    private static final int READ_TIMEOUT_MILLIS = 50;

    private PeerInspector() {
    }

    /**
     * Captures on {@code iface} in {@code ns} ({@code null}: the JVM's namespace) until
     * {@code maxPackets} packets between the peers were seen or {@code timeout} passed, and classifies them.
     *
     * @throws IllegalArgumentException for a bad count or timeout
     * @throws IOException when libpcap is missing, the interface does not exist, or the capture fails
     */
    public static InspectorVerdict inspect(NetNamespace ns, String iface, PeerAddresses peers, int maxPackets,
            Duration timeout) throws IOException {
        if (maxPackets < 1 || maxPackets > 100_000) {
            throw new IllegalArgumentException("maxPackets " + maxPackets + " out of range 1..100000 (a few suffice, e.g. 20)");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > 600) {
            throw new IllegalArgumentException("timeout " + timeout + " out of range (0, 10 min] (e.g. 2 s)");
        }
        PcapHandle h = ns == null ? open(iface, peers) : ns.call(() -> open(iface, peers));
        PacketCounter.LinkType link;
        try {
            link = PacketCounter.LinkType.fromDlt(h.getDlt().value());
        } catch (RuntimeException e) {
            link = PacketCounter.LinkType.UNSUPPORTED;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        // libpcap may block in poll() until a packet comes (immediate mode): a watchdog breaks the loop at the deadline
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watchdog = new Thread(() -> watch(h, deadline, done), "mpsec-peer-inspector-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        long captured = 0;
        long esp = 0;
        long tcp = 0;
        long other = 0;
        long unreadable = 0;
        long dropped = -1;
        try {
            while (captured < maxPackets && System.nanoTime() < deadline) {
                byte[] f = h.getNextRawPacket();
                if (f == null) {
                    continue;
                }
                FrameClassifier.Verdict v = FrameClassifier.classify(f, link);
                java.util.Arrays.fill(f, (byte) 0);
                if (v == FrameClassifier.Verdict.NOT_IP) {
                    continue;
                }
                captured++;
                switch (v) {
                    case ESP: esp++; break;
                    case CLEARTEXT_TCP: tcp++; break;
                    case OTHER_IP: other++; break;
                    default: unreadable++;
                }
            }
            try {
                PcapStat st = h.getStats();
                dropped = st.getNumPacketsDropped();
            } catch (PcapNativeException | RuntimeException e) {
                dropped = -1;
            }
        } catch (NotOpenException e) {
            throw new IOException("the capture on " + iface + " was closed while reading", e);
        } finally {
            done.set(true);
            try {
                watchdog.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!watchdog.isAlive()) {
                h.close(); // else leaked rather than freed under the watchdog
            }
        }
        return new InspectorVerdict(iface, captured, esp, tcp, other, unreadable, dropped);
    }

    /** Breaks the capture loop from the deadline on, every 50 ms until the reader is done (a break before poll is kept by libpcap). */
    private static void watch(PcapHandle h, long deadline, java.util.concurrent.atomic.AtomicBoolean done) {
        while (!done.get()) {
            long left = deadline - System.nanoTime();
            try {
                Thread.sleep(Math.max(1, Math.min(50, left / 1_000_000)));
            } catch (InterruptedException e) {
                return;
            }
            if (System.nanoTime() >= deadline && !done.get()) {
                try {
                    h.breakLoop();
                } catch (NotOpenException e) {
                    return;
                }
            }
        }
    }

    private static PcapHandle open(String iface, PeerAddresses peers) throws IOException {
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(iface);
            if (nif == null) {
                throw new IOException("no capture device " + iface + " in this namespace; give an interface of the secure paths");
            }
            PcapHandle h = new PcapHandle.Builder(iface).snaplen(SNAPLEN)
                    .promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(READ_TIMEOUT_MILLIS).immediateMode(true).bufferSize(BUFFER_BYTES).build();
            try {
                h.setFilter(filter(peers), BpfProgram.BpfCompileMode.OPTIMIZE);
            } catch (PcapNativeException | NotOpenException | RuntimeException e) {
                h.close();
                throw new IOException("libpcap refused the peer filter on " + iface + ": " + e.getMessage(), e);
            }
            return h;
        } catch (PcapNativeException e) {
            throw new IOException("libpcap could not open " + iface + ": " + e.getMessage()
                    + " (needs root and the Debian package libpcap0.8)", e);
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("libpcap is not installed (Debian package libpcap0.8): " + e.getMessage(), e);
        }
    }

    /**
     * The BPF filter (pcap-filter(7)) for traffic between the peers, either direction, without IPv6
     * neighbour discovery (ICMPv6 types 133-137 directly after the fixed header), which the counters
     * do not count either.
     */
    static String filter(PeerAddresses peers) {
        String out = hosts("src", peers.local()) + " and " + hosts("dst", peers.remote());
        String in = hosts("src", peers.remote()) + " and " + hosts("dst", peers.local());
        return "((" + out + ") or (" + in + ")) and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)";
    }

    private static String hosts(String dir, Set<InetAddress> s) {
        return s.stream().map(PeerAddresses::bare).sorted().map(a -> dir + " host " + a)
                .collect(Collectors.joining(" or ", "(", ")"));
    }
}
