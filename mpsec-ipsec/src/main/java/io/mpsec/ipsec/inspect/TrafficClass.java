package io.mpsec.ipsec.inspect;

import java.util.Locale;

/** What {@link PeerTrafficCounters} tells apart in the traffic between the configured peers. */
public enum TrafficClass {
    /** ESP (IP protocol 50): encrypted. */
    ESP,
    /** TCP in clear: its payload is readable on the wire. */
    TCP,
    /** Any other protocol in clear (UDP, ICMP, AH, ...), except IPv6 neighbour discovery. */
    OTHER;

    /** The lower-case name used in counter names and metric tags. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
