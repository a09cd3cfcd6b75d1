package io.mpsec.ipsec.inspect;

/**
 * The traffic between the configured peers on one interface, counted in the kernel by
 * {@link PeerTrafficCounters}: ESP, TCP in clear, and other traffic in clear, each in and out.
 *
 * @param iface the interface name, or {@link PeerTrafficCounters#UNLISTED} for peer traffic on an
 *     interface that was not listed at install time
 * @param espIn ESP packets received from a remote peer address
 * @param espOut ESP packets sent to a remote peer address
 * @param tcpIn TCP received in clear (not decrypted by xfrm)
 * @param tcpOut TCP sent in clear (not routed into an IPsec transform)
 * @param otherIn any other protocol received in clear (UDP, ICMP, AH...; IPv6 neighbour discovery not counted)
 * @param otherOut any other protocol sent in clear
 */
public record InterfaceTraffic(String iface, TrafficCount espIn, TrafficCount espOut, TrafficCount tcpIn,
        TrafficCount tcpOut, TrafficCount otherIn, TrafficCount otherOut) {
    /** No traffic yet on {@code iface}. */
    public static InterfaceTraffic zero(String iface) {
        TrafficCount z = TrafficCount.ZERO;
        return new InterfaceTraffic(iface, z, z, z, z, z, z);
    }

    /** The count of one class and direction. */
    public TrafficCount get(TrafficClass c, boolean in) {
        switch (c) {
            case ESP:
                return in ? espIn : espOut;
            case TCP:
                return in ? tcpIn : tcpOut;
            default:
                return in ? otherIn : otherOut;
        }
    }

    /** This record with one count replaced. */
    InterfaceTraffic with(TrafficClass c, boolean in, TrafficCount v) {
        return new InterfaceTraffic(iface,
                c == TrafficClass.ESP && in ? v : espIn, c == TrafficClass.ESP && !in ? v : espOut,
                c == TrafficClass.TCP && in ? v : tcpIn, c == TrafficClass.TCP && !in ? v : tcpOut,
                c == TrafficClass.OTHER && in ? v : otherIn, c == TrafficClass.OTHER && !in ? v : otherOut);
    }

    /** What moved since {@code earlier} (the same interface read before). */
    public InterfaceTraffic since(InterfaceTraffic earlier) {
        return new InterfaceTraffic(iface, espIn.since(earlier.espIn), espOut.since(earlier.espOut),
                tcpIn.since(earlier.tcpIn), tcpOut.since(earlier.tcpOut), otherIn.since(earlier.otherIn),
                otherOut.since(earlier.otherOut));
    }

    /** Whether any ESP moved, either direction. */
    public boolean espMoved() {
        return espIn.moved() || espOut.moved();
    }

    /** Whether anything moved in clear between the peers, either direction. */
    public boolean cleartextMoved() {
        return tcpIn.moved() || tcpOut.moved() || otherIn.moved() || otherOut.moved();
    }

    /**
     * The verdict for these counts, usually a difference over a window ({@link #since}): CLEARTEXT
     * when anything moved in clear, else ESP when ESP moved, else UNKNOWN.
     */
    public TrafficVerdict verdict() {
        if (cleartextMoved()) {
            return TrafficVerdict.CLEARTEXT;
        }
        return espMoved() ? TrafficVerdict.ESP : TrafficVerdict.UNKNOWN;
    }
}
