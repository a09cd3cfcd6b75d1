package io.mpsec.ipsec;

import java.net.InetAddress;

/**
 * Which traffic a policy (or SA) applies to: source and destination prefixes, and optionally an IP
 * protocol and ports (0 means any).
 *
 * @param source source prefix address
 * @param sourcePrefix source prefix length
 * @param destination destination prefix address
 * @param destinationPrefix destination prefix length
 * @param protocol IP protocol number (6 TCP, 17 UDP) or 0 for any
 * @param sourcePort source port or 0 for any
 * @param destinationPort destination port or 0 for any
 */
public record Selector(InetAddress source, int sourcePrefix, InetAddress destination, int destinationPrefix, int protocol,
        int sourcePort, int destinationPort) {
    public Selector {
        if (source == null || destination == null) {
            throw new IpsecConfigException("selector needs both a source and a destination address");
        }
        if (source.getClass() != destination.getClass()) {
            throw new IpsecConfigException("selector mixes IPv4 and IPv6: " + source.getHostAddress() + " -> "
                    + destination.getHostAddress() + "; use one family per selector");
        }
        int max = source.getAddress().length * 8;
        if (sourcePrefix < 0 || sourcePrefix > max || destinationPrefix < 0 || destinationPrefix > max) {
            throw new IpsecConfigException("selector prefix lengths must be 0.." + max + ", got /" + sourcePrefix + " and /"
                    + destinationPrefix);
        }
        if (protocol < 0 || protocol > 255) {
            throw new IpsecConfigException("selector protocol must be 0..255, got " + protocol);
        }
        if (sourcePort < 0 || sourcePort > 65535 || destinationPort < 0 || destinationPort > 65535) {
            throw new IpsecConfigException("selector ports must be 0..65535");
        }
        if ((sourcePort != 0 || destinationPort != 0) && protocol == 0) {
            throw new IpsecConfigException("selector ports need a protocol (TCP 6 or UDP 17)");
        }
    }

    /** Exactly the traffic between two hosts (full-length prefixes, any protocol). */
    public static Selector hosts(InetAddress source, InetAddress destination) {
        int bits = source.getAddress().length * 8;
        return new Selector(source, bits, destination, bits, 0, 0, 0);
    }

    /** Whether this is an IPv6 selector. */
    public boolean isIpv6() {
        return source.getAddress().length == 16;
    }
}
