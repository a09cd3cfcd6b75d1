package io.mpsec.ipsec.inspect;

/**
 * Packets and bytes of one nftables counter. Bytes are IP bytes (the IP header onwards, as the
 * kernel's {@code skb->len} at the netfilter hook: no link-layer header). A GSO or GRO packet of
 * several segments counts once, exactly as tcpdump on the same interface sees it.
 *
 * @param packets packets counted
 * @param bytes their IP bytes
 */
public record TrafficCount(long packets, long bytes) {
    /** No traffic. */
    public static final TrafficCount ZERO = new TrafficCount(0, 0);

    /** What was counted since {@code earlier} (0 when the counter went back, e.g. re-created). */
    public TrafficCount since(TrafficCount earlier) {
        return new TrafficCount(Math.max(0, packets - earlier.packets), Math.max(0, bytes - earlier.bytes));
    }

    /** Whether any packet was counted. */
    public boolean moved() {
        return packets > 0;
    }
}
