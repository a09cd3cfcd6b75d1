package io.mpsec.kernel.rtnl;

import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** Encodes and decodes RTM_*LINK and RTM_*ADDR messages. */
public final class RtnlCodec {
    private RtnlCodec() {
    }

    public static Link decodeLink(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        IfInfoMsg h = IfInfoMsg.decode(p);
        AttributeReader a = AttributeReader.parse(p, IfInfoMsg.SIZEOF, p.length - IfInfoMsg.SIZEOF, "ifinfomsg");
        return new Link(h.index(), a.stringOr(Rtnl.IFLA_IFNAME, "if" + h.index()), h.flags());
    }

    public static Address decodeAddress(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        IfAddrMsg h = IfAddrMsg.decode(p);
        AttributeReader a = AttributeReader.parse(p, IfAddrMsg.SIZEOF, p.length - IfAddrMsg.SIZEOF, "ifaddrmsg");
        byte[] raw = a.has(Rtnl.IFA_LOCAL) ? a.bytes(Rtnl.IFA_LOCAL) : a.bytes(Rtnl.IFA_ADDRESS);
        int want = h.family() == Rtnl.AF_INET ? 4 : 16;
        if (raw.length != want) {
            throw new NetlinkFormatException("ifaddrmsg family " + h.family() + " with a " + raw.length + "-byte address");
        }
        try {
            return new Address(h.index(), InetAddress.getByAddress(raw), h.prefixLen(), a.stringOr(Rtnl.IFA_LABEL, null));
        } catch (UnknownHostException e) {
            throw new NetlinkFormatException(e.getMessage());
        }
    }

    public static RtnlEvent decodeEvent(NetlinkMessage m) throws NetlinkFormatException {
        switch (m.type()) {
            case Rtnl.RTM_NEWLINK: return new RtnlEvent.LinkChanged(decodeLink(m), false);
            case Rtnl.RTM_DELLINK: return new RtnlEvent.LinkChanged(decodeLink(m), true);
            case Rtnl.RTM_NEWADDR: return new RtnlEvent.AddressChanged(decodeAddress(m), false);
            case Rtnl.RTM_DELADDR: return new RtnlEvent.AddressChanged(decodeAddress(m), true);
            default: return null;
        }
    }

    /** A link message payload (for fake kernels and tests). */
    public static byte[] encodeLink(Link l) {
        byte[] head = new IfInfoMsg(Rtnl.AF_UNSPEC, 1, l.index(), l.flags(), 0).encode();
        byte[] attrs = new AttributeWriter().string(Rtnl.IFLA_IFNAME, l.name()).toByteArray();
        return concat(head, attrs);
    }

    /** An address message payload (for fake kernels and tests). */
    public static byte[] encodeAddress(Address a) {
        boolean v4 = a.address().getAddress().length == 4;
        byte[] head = new IfAddrMsg(v4 ? Rtnl.AF_INET : Rtnl.AF_INET6, a.prefixLen(), 0, 0, a.ifIndex()).encode();
        AttributeWriter w = new AttributeWriter().bytes(Rtnl.IFA_ADDRESS, a.address().getAddress());
        if (v4) {
            w.bytes(Rtnl.IFA_LOCAL, a.address().getAddress());
        }
        if (a.label() != null) {
            w.string(Rtnl.IFA_LABEL, a.label());
        }
        return concat(head, w.toByteArray());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
