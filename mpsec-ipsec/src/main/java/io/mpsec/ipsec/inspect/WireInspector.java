package io.mpsec.ipsec.inspect;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;

/**
 * Wire verification: captures on an interface (inside a network namespace) with libpcap through
 * pcap4j and counts ESP packets, cleartext TCP packets, packets it cannot read (unknown), and
 * whether a known plaintext marker appears in any packet. A secure path shows ESP &gt; 0,
 * cleartext TCP 0, no marker, no unknown packet and no drop ({@link WireReport#provesNoCleartext()}).
 * VLAN tags, IPv6 extension headers, AH and Linux cooked captures (on "any") are read through.
 *
 * <p>The capture handle is opened on a thread inside the namespace (a pcap socket belongs to the
 * namespace it was created in); packets are then read on the inspector's own thread. Needs root and
 * libpcap (Debian package {@code libpcap0.8}).
 */
public final class WireInspector implements AutoCloseable {
    /**
     * Capture ring size: veth traffic arrives as GSO frames of up to 64 KiB, and libpcap's default
     * 2 MiB ring lost about half the packets of a 100 KB burst; a lossy capture proves nothing.
     */
    private static final int CAPTURE_BUFFER_BYTES = 64 << 20;
    private final PcapHandle handle;
    private final PacketCounter counter;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long dropped = -1;

    private WireInspector(PcapHandle handle, byte[] marker) {
        this.handle = handle;
        this.counter = new PacketCounter(marker, linkType(handle));
        this.thread = new Thread(this::loop, "mpsec-wire-inspector");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts capturing on {@code iface} in {@code ns} ({@code null}: the JVM's namespace), looking
     * for {@code marker} in every packet. {@code "any"} captures on every interface of the namespace
     * (Linux cooked frames); frames of a link type the counter does not read count as unknown.
     */
    public static WireInspector start(NetNamespace ns, String iface, byte[] marker) throws IOException {
        PcapHandle h = ns == null ? open(iface) : ns.call(() -> open(iface));
        return new WireInspector(h, marker);
    }

    /** The counter's link type from the handle's data link type (DLT). */
    private static PacketCounter.LinkType linkType(PcapHandle h) {
        try {
            return PacketCounter.LinkType.fromDlt(h.getDlt().value());
        } catch (RuntimeException e) {
            return PacketCounter.LinkType.UNSUPPORTED;
        }
    }

    /** The link type of the frames this inspector reads. */
    public PacketCounter.LinkType linkType() {
        return counter.linkType();
    }

    private static PcapHandle open(String iface) throws IOException {
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(iface);
            if (nif == null) {
                throw new IOException("no capture device " + iface + " in this namespace");
            }
            return new PcapHandle.Builder(iface).snaplen(65536).promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(100).immediateMode(true).bufferSize(CAPTURE_BUFFER_BYTES).build();
        } catch (PcapNativeException e) {
            throw new IOException("libpcap could not open " + iface + ": " + e.getMessage()
                    + " (needs root and the Debian package libpcap0.8)", e);
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("libpcap is not installed (Debian package libpcap0.8): " + e.getMessage(), e);
        }
    }

    private void loop() {
        try {
            while (running) {
                byte[] frame;
                try {
                    frame = handle.getNextRawPacket();
                } catch (org.pcap4j.core.NotOpenException e) {
                    return;
                }
                if (frame != null) {
                    counter.inspect(frame);
                }
            }
        } finally {
            // the reader owns the handle: closing it while getNextRawPacket runs would free it under libpcap
            try {
                PcapStat st = handle.getStats();
                dropped = st.getNumPacketsDropped();
            } catch (PcapNativeException | org.pcap4j.core.NotOpenException | RuntimeException e) {
                dropped = -1;
            }
            handle.close();
        }
    }

    /** The counts so far (without the drop count, known once stopped). */
    public WireReport report() {
        return counter.report();
    }

    /**
     * Stops capturing and returns the final counts with the capture's drop count ({@code -1} if the
     * reader did not stop within 30 s; the handle is then closed by the reader when it does).
     */
    public WireReport stop() {
        running = false;
        try {
            handle.breakLoop();
        } catch (org.pcap4j.core.NotOpenException ignored) {
            // already closed
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return report().withDropped(thread.isAlive() ? -1 : dropped);
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
    }
}
