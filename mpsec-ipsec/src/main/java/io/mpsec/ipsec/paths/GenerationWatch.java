package io.mpsec.ipsec.paths;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Learns the peer's key generation from the ESP packets it sends: MPSec's SPIs carry the generation
 * in their top 20 bits ({@code SPI = generation << 12 | flow}), so the first packet of a peer that
 * restarted more often than this host tells which inbound SAs to install, however far ahead it is.
 *
 * <p>A packet socket on every interface of the namespace ({@code any}) runs a kernel BPF filter that
 * passes only ESP packets from the peer's addresses whose generation is above a threshold (the
 * generations this host already accepts), and only their first 64 bytes: at line rate nothing
 * reaches user space once the hosts agree. What it reports is a hint, not a proof: {@link SecurePaths}
 * installs the inbound SAs of a reported generation and moves its outbound side only once the kernel
 * has authenticated traffic on them (their counters moved). A forged SPI costs a few unused inbound
 * SAs, removed again after a while. Needs CAP_NET_RAW and libpcap (Debian package {@code libpcap0.8}).
 */
final class GenerationWatch implements AutoCloseable {
    /** How many distinct recent generations are remembered. */
    static final int REMEMBERED = 4;
    private static final int SNAPLEN = 96;
    private final PcapHandle handle;
    private final List<InetAddress> peers;
    private final Thread thread;
    private final Deque<Long> seen = new ArrayDeque<>();
    private volatile long threshold;
    private long appliedThreshold = -1;
    private volatile boolean running = true;
    private volatile IOException failure;

    private GenerationWatch(PcapHandle handle, List<InetAddress> peers, long threshold) {
        this.handle = handle;
        this.peers = List.copyOf(peers);
        this.threshold = threshold;
        this.thread = new Thread(this::loop, "mpsec-generation-watch");
        thread.setDaemon(true);
    }

    /** Starts watching ESP from {@code peers} in {@code ns} ({@code null}: this namespace) for generations above {@code threshold}. */
    static GenerationWatch start(NetNamespace ns, List<InetAddress> peers, long threshold) throws IOException {
        PcapHandle h = ns == null ? open() : ns.call(GenerationWatch::open);
        GenerationWatch w = new GenerationWatch(h, peers, threshold);
        try {
            w.applyFilter();
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        w.thread.start();
        return w;
    }

    private static PcapHandle open() throws IOException {
        try {
            return new PcapHandle.Builder("any").snaplen(SNAPLEN).timeoutMillis(200).immediateMode(true).bufferSize(1 << 20).build();
        } catch (PcapNativeException e) {
            throw new IOException("libpcap could not open a capture on all interfaces: " + e.getMessage()
                    + " (needs CAP_NET_RAW and the Debian package libpcap0.8)", e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("libpcap is not installed (Debian package libpcap0.8): " + e.getMessage(), e);
        }
    }

    /** Only generations above {@code generation} are of interest from now on. */
    void above(long generation) {
        threshold = generation;
    }

    /** The distinct generations above the threshold seen recently, newest last; empty when none. */
    synchronized List<Long> recent() {
        return seen.stream().filter(g -> g > threshold).collect(Collectors.toList());
    }

    /** Why the watch stopped, or {@code null} while it runs. */
    IOException failure() {
        return failure;
    }

    /** The BPF filter (libpcap syntax) for ESP from the peers with a generation above {@code threshold}. */
    static String filter(List<InetAddress> peers, long threshold) {
        List<String> v4 = new ArrayList<>();
        List<String> v6 = new ArrayList<>();
        for (InetAddress a : peers) {
            (a instanceof Inet4Address ? v4 : v6).add("src host " + a.getHostAddress());
        }
        List<String> parts = new ArrayList<>();
        if (!v4.isEmpty()) {
            // the SPI is the first word after the IPv4 header (IHL words)
            parts.add("(ip and ip[9] = 50 and (" + String.join(" or ", v4) + ") and ip[((ip[0] & 0xf) << 2):4] >> 12 > "
                    + threshold + ")");
        }
        if (!v6.isEmpty()) {
            // MPSec's ESP follows the fixed IPv6 header directly (transport mode, no extension headers)
            parts.add("(ip6 and ip6[6] = 50 and (" + String.join(" or ", v6) + ") and ip6[40:4] >> 12 > " + threshold + ")");
        }
        return String.join(" or ", parts);
    }

    private void applyFilter() throws IOException {
        long t = threshold;
        if (t == appliedThreshold) {
            return;
        }
        try {
            handle.setFilter(filter(peers, t), BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            throw new IOException("could not set the capture filter: " + e.getMessage(), e);
        }
        appliedThreshold = t;
    }

    private void loop() {
        try {
            while (running) {
                applyFilter(); // on this thread: libpcap handles are not safe to share between threads
                byte[] frame;
                try {
                    frame = handle.getNextRawPacket();
                } catch (NotOpenException e) {
                    return;
                }
                if (frame != null) {
                    record(frame);
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
        } finally {
            handle.close();
        }
    }

    private void record(byte[] frame) {
        long spi = espSpi(frame, linkHeaderLength());
        if (spi < 0) {
            return;
        }
        long g = io.mpsec.ipsec.keys.SaKeyDerivation.generationOfSpi(spi);
        synchronized (this) {
            if (g > threshold && !seen.contains(g)) {
                seen.addLast(g);
                while (seen.size() > REMEMBERED) {
                    seen.removeFirst();
                }
            }
        }
    }

    private int linkHeaderLength() {
        DataLinkType dlt = handle.getDlt();
        if (DataLinkType.LINUX_SLL.equals(dlt)) {
            return 16;
        }
        return dlt.value() == 276 ? 20 : 14; // 276: DLT_LINUX_SLL2; else Ethernet
    }

    /** The SPI of an ESP packet after {@code link} bytes of link header, or -1. */
    static long espSpi(byte[] f, int link) {
        if (f.length < link + 1) {
            return -1;
        }
        int version = (f[link] & 0xff) >> 4;
        int off;
        if (version == 4) {
            if (f.length < link + 20 || (f[link + 9] & 0xff) != 50) {
                return -1;
            }
            off = link + ((f[link] & 0x0f) << 2);
        } else if (version == 6) {
            if (f.length < link + 40 || (f[link + 6] & 0xff) != 50) {
                return -1;
            }
            off = link + 40;
        } else {
            return -1;
        }
        if (f.length < off + 4) {
            return -1;
        }
        return ((f[off] & 0xffL) << 24) | ((f[off + 1] & 0xffL) << 16) | ((f[off + 2] & 0xffL) << 8) | (f[off + 3] & 0xffL);
    }

    @Override
    public void close() {
        running = false;
        try {
            handle.breakLoop();
        } catch (NotOpenException ignored) {
            // already closed
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
