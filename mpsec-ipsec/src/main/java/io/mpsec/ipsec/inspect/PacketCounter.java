package io.mpsec.ipsec.inspect;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Classifies captured frames ({@link FrameClassifier}): ESP packets, TCP packets in clear, other IP
 * traffic, and frames it cannot read, counted as unknown because they could hide anything; and
 * whether a plaintext marker occurs anywhere in a frame. Link-layer control frames (ARP, LLDP...)
 * are not counted. Thread-safe.
 */
public final class PacketCounter {
    /** The link-layer header a capture's frames start with (libpcap's DLT / LINKTYPE). */
    public enum LinkType {
        /** DLT_EN10MB (1): Ethernet, also veth; 802.1Q/802.1ad tags are read through. */
        ETHERNET,
        /** DLT_LINUX_SLL (113): Linux cooked capture v1, what a capture on "any" gives. */
        LINUX_SLL,
        /** DLT_LINUX_SLL2 (276): Linux cooked capture v2 ({@code tcpdump -i any} since 4.99). */
        LINUX_SLL2,
        /** DLT_RAW (12 on Linux; LINKTYPE_RAW 101, IPV4 228, IPV6 229 in files): the frame is the IP packet. */
        RAW_IP,
        /** Any other link type: every frame is counted as unknown. */
        UNSUPPORTED;

        /** The link type of a libpcap DLT / LINKTYPE value. */
        public static LinkType fromDlt(int dlt) {
            switch (dlt) {
                case 1: return ETHERNET;
                case 113: return LINUX_SLL;
                case 276: return LINUX_SLL2;
                case 12: case 14: case 101: case 228: case 229: return RAW_IP;
                default: return UNSUPPORTED;
            }
        }
    }

    private final byte[] marker;
    private final LinkType link;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong esp = new AtomicLong();
    private final AtomicLong clearTcp = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicBoolean found = new AtomicBoolean();

    /** A counter for Ethernet frames. */
    public PacketCounter(byte[] marker) {
        this(marker, LinkType.ETHERNET);
    }

    /** A counter for frames of link type {@code link}. */
    public PacketCounter(byte[] marker, LinkType link) {
        this.marker = marker.clone();
        this.link = link;
    }

    /** The link type this counter reads. */
    public LinkType linkType() {
        return link;
    }

    /** Counts one frame. */
    public void inspect(byte[] f) {
        if (marker.length > 0 && contains(f, marker)) {
            found.set(true);
        }
        FrameClassifier.Verdict v = FrameClassifier.classify(f, link);
        if (v == FrameClassifier.Verdict.NOT_IP) {
            return;
        }
        total.incrementAndGet();
        if (v == FrameClassifier.Verdict.ESP) {
            esp.incrementAndGet();
        } else if (v == FrameClassifier.Verdict.CLEARTEXT_TCP) {
            clearTcp.incrementAndGet();
        } else if (v == FrameClassifier.Verdict.UNKNOWN) {
            unknown.incrementAndGet();
        }
    }

    /** The counts so far. */
    public WireReport report() {
        return new WireReport(total.get(), esp.get(), clearTcp.get(), found.get(), -1, unknown.get());
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
