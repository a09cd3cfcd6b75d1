package io.mpsec.ipsec.inspect;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Classifies captured Ethernet frames (veth links are Ethernet): IPv4/IPv6 packets, ESP (IP
 * protocol 50), TCP in clear (protocol 6), and whether a plaintext marker occurs anywhere in a frame.
 * Thread-safe.
 */
public final class PacketCounter {
    private static final int ETH_HLEN = 14;
    private final byte[] marker;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong esp = new AtomicLong();
    private final AtomicLong clearTcp = new AtomicLong();
    private final AtomicBoolean found = new AtomicBoolean();

    public PacketCounter(byte[] marker) {
        this.marker = marker.clone();
    }

    /** Counts one frame. */
    public void inspect(byte[] f) {
        if (marker.length > 0 && contains(f, marker)) {
            found.set(true);
        }
        if (f.length < ETH_HLEN + 20) {
            return;
        }
        int ethType = (f[12] & 0xff) << 8 | (f[13] & 0xff);
        int proto;
        if (ethType == 0x0800) {
            proto = f[ETH_HLEN + 9] & 0xff;
        } else if (ethType == 0x86dd && f.length >= ETH_HLEN + 40) {
            proto = f[ETH_HLEN + 6] & 0xff; // next header; MPSec's traffic has no extension headers
        } else {
            return;
        }
        total.incrementAndGet();
        if (proto == 50) {
            esp.incrementAndGet();
        } else if (proto == 6) {
            clearTcp.incrementAndGet();
        }
    }

    /** The counts so far. */
    public WireReport report() {
        return new WireReport(total.get(), esp.get(), clearTcp.get(), found.get());
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
}
