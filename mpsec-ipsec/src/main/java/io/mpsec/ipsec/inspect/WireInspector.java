package io.mpsec.ipsec.inspect;

import io.mpsec.kernel.netns.NetNamespace;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;

/**
 * Wire verification: captures on an interface (inside a network namespace) with libpcap through
 * pcap4j and counts ESP packets, cleartext TCP packets, and whether a known plaintext marker appears
 * in any packet. A secure path shows ESP &gt; 0, cleartext TCP 0 and no marker.
 *
 * <p>The capture handle is opened on a thread inside the namespace (a pcap socket belongs to the
 * namespace it was created in); packets are then read on the inspector's own thread. Needs root and
 * libpcap (Debian package {@code libpcap0.8}).
 */
public final class WireInspector implements AutoCloseable {
    private static final int ETH_HLEN = 14;
    private final PcapHandle handle;
    private final byte[] marker;
    private final Thread thread;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong esp = new AtomicLong();
    private final AtomicLong clearTcp = new AtomicLong();
    private final AtomicBoolean found = new AtomicBoolean();
    private volatile boolean running = true;

    private WireInspector(PcapHandle handle, byte[] marker) {
        this.handle = handle;
        this.marker = marker.clone();
        this.thread = new Thread(this::loop, "mpsec-wire-inspector");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts capturing on {@code iface} in {@code ns} ({@code null}: the JVM's namespace), looking
     * for {@code marker} in every packet.
     */
    public static WireInspector start(NetNamespace ns, String iface, byte[] marker) throws IOException {
        PcapHandle h = ns == null ? open(iface) : ns.call(() -> open(iface));
        return new WireInspector(h, marker);
    }

    private static PcapHandle open(String iface) throws IOException {
        try {
            PcapNetworkInterface nif = Pcaps.getDevByName(iface);
            if (nif == null) {
                throw new IOException("no capture device " + iface + " in this namespace");
            }
            return new PcapHandle.Builder(iface).snaplen(65536).promiscuousMode(PcapNetworkInterface.PromiscuousMode.PROMISCUOUS)
                    .timeoutMillis(100).immediateMode(true).build();
        } catch (PcapNativeException e) {
            throw new IOException("libpcap could not open " + iface + ": " + e.getMessage()
                    + " (needs root and the Debian package libpcap0.8)", e);
        } catch (UnsatisfiedLinkError e) {
            throw new IOException("libpcap is not installed (Debian package libpcap0.8): " + e.getMessage(), e);
        }
    }

    private void loop() {
        while (running) {
            byte[] frame;
            try {
                frame = handle.getNextRawPacket();
            } catch (org.pcap4j.core.NotOpenException e) {
                return;
            }
            if (frame != null) {
                inspect(frame);
            }
        }
    }

    /** Classifies one Ethernet frame (veth links are Ethernet). */
    void inspect(byte[] f) {
        int offset = ETH_HLEN;
        if (f.length < ETH_HLEN + 20) {
            return;
        }
        int ethType = (f[12] & 0xff) << 8 | (f[13] & 0xff);
        int proto;
        if (ethType == 0x0800) {
            proto = f[offset + 9] & 0xff;
        } else if (ethType == 0x86dd) {
            proto = f[offset + 6] & 0xff; // next header (no extension headers in MPSec's traffic)
        } else {
            return;
        }
        total.incrementAndGet();
        if (proto == 50) {
            esp.incrementAndGet();
        } else if (proto == 6) {
            clearTcp.incrementAndGet();
        }
        if (marker.length > 0 && contains(f, marker)) {
            found.set(true);
        }
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The counts so far. */
    public WireReport report() {
        return new WireReport(total.get(), esp.get(), clearTcp.get(), found.get());
    }

    /** Stops capturing and returns the final counts. */
    public WireReport stop() {
        running = false;
        try {
            handle.breakLoop();
        } catch (org.pcap4j.core.NotOpenException ignored) {
            // already closed
        }
        try {
            thread.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handle.close();
        return report();
    }

    @Override
    public void close() {
        if (handle.isOpen()) {
            stop();
        }
    }
}
