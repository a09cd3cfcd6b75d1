package io.mpsec.ipsec.inspect;

/**
 * Decides what one captured frame carries: ESP, TCP in clear, other IP traffic, something that is
 * not IP at all, or something the inspector cannot read (so it must never count as "secure").
 *
 * <p>Reads through 802.1Q / 802.1ad / QinQ tags (stacked), LLC/SNAP, Linux cooked headers (SLL and
 * SLL2, captures on "any"), IPv4 options, IPv6 extension headers (hop-by-hop, routing, fragment,
 * destination options, mobility, HIP, shim6), AH (which authenticates but does not encrypt: the
 * TCP behind it is readable), IP-in-IP and UDP-encapsulated ESP (RFC 3948, port 4500). Fragments
 * are classified by the protocol their header names (a TCP fragment is cleartext TCP). Truncated or
 * malformed headers, tunnels it does not open (GRE, VXLAN, GENEVE, MPLS, PPPoE, MACsec, L2TP...) and
 * protocols it does not know are {@link Verdict#UNKNOWN}. Never throws.
 *
 * <p>Constants: include/uapi/linux/if_ether.h (ETH_P_*), netinet/in.h (IPPROTO_*), RFC 8200 (IPv6
 * headers), RFC 4302 (AH: length in 32-bit words minus 2), RFC 3948, and libpcap's LINKTYPE list
 * (LINUX_SLL 113: 16-byte header, protocol at 14; LINUX_SLL2 276: 20-byte header, protocol at 0).
 */
final class FrameClassifier {
    /** What a frame carries. */
    enum Verdict {
        /** ESP (IP protocol 50), also inside UDP port 4500 (NAT traversal). */
        ESP,
        /** TCP not inside ESP: its payload is readable on the wire (also behind AH). */
        CLEARTEXT_TCP,
        /** Other IP traffic the inspector could read to the end (UDP, ICMP, IKE...). */
        OTHER_IP,
        /** A link-layer control frame that carries no IP (ARP, LLDP, STP, 802.1X...). */
        NOT_IP,
        /** Something the inspector could not read: it may hide anything. */
        UNKNOWN
    }

    static final int ETH_HLEN = 14;
    static final int SLL_HLEN = 16;
    static final int SLL2_HLEN = 20;
    private static final int MAX_TAGS = 8;
    private static final int MAX_HEADERS = 16;
    private static final int MAX_NESTING = 4;

    private FrameClassifier() {
    }

    static Verdict classify(byte[] f, PacketCounter.LinkType link) {
        switch (link) {
            case ETHERNET:
                return f.length < ETH_HLEN ? Verdict.UNKNOWN : ethertype(f, 12, 0);
            case LINUX_SLL:
                return f.length < SLL_HLEN ? Verdict.UNKNOWN : ethertype(f, 14, 0);
            case LINUX_SLL2:
                return f.length < SLL2_HLEN ? Verdict.UNKNOWN : afterType(f, u16(f, 0), SLL2_HLEN, 0);
            case RAW_IP:
                return f.length == 0 ? Verdict.UNKNOWN : ip(f, 0, f.length, 0);
            default:
                return Verdict.UNKNOWN;
        }
    }

    /** The ethertype at {@code typeOff}, whose payload follows it (Ethernet, SLL). */
    private static Verdict ethertype(byte[] f, int typeOff, int depth) {
        if (typeOff + 2 > f.length) {
            return Verdict.UNKNOWN;
        }
        return afterType(f, u16(f, typeOff), typeOff + 2, depth);
    }

    /** Payload at {@code off} of ethertype {@code type}, through VLAN tags and LLC/SNAP. */
    private static Verdict afterType(byte[] f, int type, int off, int depth) {
        for (int tags = 0; isVlan(type); tags++) {
            // 802.1Q / 802.1ad / pre-standard QinQ tag: 2 bytes TCI, then the inner ethertype
            if (tags == MAX_TAGS || off + 4 > f.length) {
                return Verdict.UNKNOWN;
            }
            type = u16(f, off + 2);
            off += 4;
        }
        if (type < 0x0600) {
            // 802.3 length field: LLC; SNAP (AA AA 03, OUI, ethertype) can carry IP, plain LLC (STP...) cannot
            if (off + 3 > f.length) {
                return Verdict.UNKNOWN;
            }
            if ((f[off] & 0xff) == 0xaa && (f[off + 1] & 0xff) == 0xaa && (f[off + 2] & 0xff) == 0x03) {
                return off + 8 > f.length || depth > MAX_NESTING ? Verdict.UNKNOWN
                        : afterType(f, u16(f, off + 6), off + 8, depth + 1);
            }
            return Verdict.NOT_IP;
        }
        switch (type) {
            case 0x0800: // ETH_P_IP
            case 0x86dd: // ETH_P_IPV6
                return ip(f, off, f.length, depth);
            case 0x0806: // ETH_P_ARP
            case 0x8035: // ETH_P_RARP
            case 0x88cc: // ETH_P_LLDP
            case 0x888e: // ETH_P_PAE (802.1X)
            case 0x8809: // ETH_P_SLOW (LACP)
            case 0x8808: // ETH_P_PAUSE
            case 0x88f7: // ETH_P_1588 (PTP)
            case 0x9000: // ETH_P_LOOPBACK (configuration test protocol)
                return Verdict.NOT_IP;
            default:
                return Verdict.UNKNOWN; // MPLS, PPPoE, MACsec, ... may carry IP the inspector cannot see
        }
    }

    private static boolean isVlan(int type) {
        return type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200;
    }

    /** An IPv4 or IPv6 packet at {@code off}, bounded by {@code end} (the frame, or an outer length). */
    private static Verdict ip(byte[] f, int off, int end, int depth) {
        if (off >= end || depth > MAX_NESTING) {
            return Verdict.UNKNOWN;
        }
        int version = (f[off] & 0xff) >>> 4;
        if (version == 4) {
            return ipv4(f, off, end, depth);
        }
        return version == 6 ? ipv6(f, off, end, depth) : Verdict.UNKNOWN;
    }

    private static Verdict ipv4(byte[] f, int off, int end, int depth) {
        if (end - off < 20) {
            return Verdict.UNKNOWN;
        }
        int ihl = (f[off] & 0x0f) * 4;
        int total = u16(f, off + 2);
        if (ihl < 20 || ihl > end - off || total != 0 && total < ihl) {
            return Verdict.UNKNOWN;
        }
        boolean firstFragment = (u16(f, off + 6) & 0x1fff) == 0;
        // a GSO capture can carry more than the 16-bit total length says (total 0): bound by the frame
        int pktEnd = total == 0 ? end : Math.min(end, off + total);
        return upper(f, f[off + 9] & 0xff, off + ihl, pktEnd, firstFragment, depth, 0);
    }

    private static Verdict ipv6(byte[] f, int off, int end, int depth) {
        if (end - off < 40) {
            return Verdict.UNKNOWN;
        }
        int payload = u16(f, off + 4);
        int pktEnd = payload == 0 ? end : Math.min(end, off + 40 + payload); // 0: jumbogram or GSO
        return upper(f, f[off + 6] & 0xff, off + 40, pktEnd, true, depth, 0);
    }

    /**
     * The header of protocol {@code proto} at {@code off}: extension headers and AH are walked, the
     * rest decides the verdict. {@code first} is false in a non-first fragment, where only the
     * protocol number is known, not the header behind it.
     */
    private static Verdict upper(byte[] f, int proto, int off, int end, boolean first, int depth, int headers) {
        if (headers > MAX_HEADERS) {
            return Verdict.UNKNOWN;
        }
        switch (proto) {
            case 50: // IPPROTO_ESP
                return Verdict.ESP;
            case 6: // IPPROTO_TCP (a fragment of a TCP segment is readable too)
                return Verdict.CLEARTEXT_TCP;
            case 0: // IPv6 hop-by-hop options
            case 43: // IPv6 routing
            case 60: // IPv6 destination options
            case 135: // Mobility (RFC 6275)
            case 139: // HIP (RFC 7401)
            case 140: // Shim6 (RFC 5533)
                if (!first || off + 2 > end) {
                    return Verdict.UNKNOWN;
                }
                return upper(f, f[off] & 0xff, off + 8 + (f[off + 1] & 0xff) * 8, end, true, depth, headers + 1);
            case 51: // IPPROTO_AH: next header, then the length in 32-bit words minus 2
                if (!first || off + 2 > end) {
                    return Verdict.UNKNOWN;
                }
                return upper(f, f[off] & 0xff, off + ((f[off + 1] & 0xff) + 2) * 4, end, true, depth, headers + 1);
            case 44: { // IPv6 fragment header: next header, reserved, offset (13 bits) and flags, id
                if (!first || off + 8 > end) {
                    return Verdict.UNKNOWN;
                }
                boolean firstOfThis = (u16(f, off + 2) & 0xfff8) == 0;
                return upper(f, f[off] & 0xff, off + 8, end, firstOfThis, depth, headers + 1);
            }
            case 4: // IPv4 in IP
            case 41: // IPv6 in IP
                return first ? ip(f, off, end, depth + 1) : Verdict.UNKNOWN;
            case 17: // IPPROTO_UDP (a later fragment may belong to an encapsulation: not readable)
                return first ? udp(f, off, end) : Verdict.UNKNOWN;
            case 1: // ICMP
            case 2: // IGMP
            case 58: // ICMPv6
            case 59: // IPv6 no next header
            case 33: // DCCP
            case 89: // OSPF
            case 103: // PIM
            case 112: // VRRP
            case 132: // SCTP
            case 136: // UDP-Lite
                return Verdict.OTHER_IP;
            default:
                return Verdict.UNKNOWN; // GRE, L2TP, IPCOMP (compressed: unreadable here) and the unknown
        }
    }

    private static Verdict udp(byte[] f, int off, int end) {
        if (off + 8 > end) {
            return Verdict.UNKNOWN;
        }
        int sport = u16(f, off);
        int dport = u16(f, off + 2);
        if (sport == 4500 || dport == 4500) {
            // RFC 3948: ESP unless the first 4 bytes are the zero non-ESP marker (IKE); a 1-byte 0xff is a keepalive
            if (off + 12 > end) {
                return Verdict.OTHER_IP;
            }
            boolean nonEspMarker = f[off + 8] == 0 && f[off + 9] == 0 && f[off + 10] == 0 && f[off + 11] == 0;
            return nonEspMarker ? Verdict.OTHER_IP : Verdict.ESP;
        }
        if (dport == 4789 || dport == 6081 || dport == 1701 || sport == 1701) {
            return Verdict.UNKNOWN; // VXLAN, GENEVE, L2TP: whole frames inside, not opened here
        }
        return Verdict.OTHER_IP;
    }

    private static int u16(byte[] f, int off) {
        return (f[off] & 0xff) << 8 | (f[off + 1] & 0xff);
    }
}
