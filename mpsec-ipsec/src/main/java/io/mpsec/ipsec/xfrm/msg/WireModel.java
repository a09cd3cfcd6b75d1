package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Lifetime;
import io.mpsec.ipsec.Selector;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCfg;
import io.mpsec.ipsec.xfrm.wire.XfrmSelector;
import java.net.InetAddress;

/** Translations between the public model and the wire structs that several messages share. */
final class WireModel {
    private WireModel() {
    }

    static int family(InetAddress a) {
        return a.getAddress().length == 4 ? Xfrm.AF_INET : Xfrm.AF_INET6;
    }

    /** The model's selector on the wire; {@code null} gives the all-zero selector iproute2 sends. */
    static XfrmSelector selector(Selector s) {
        if (s == null) {
            return XfrmSelector.EMPTY;
        }
        return new XfrmSelector(XfrmAddress.of(s.destination()), XfrmAddress.of(s.source()), s.destinationPort(),
                s.destinationPort() != 0 ? 0xffff : 0, s.sourcePort(), s.sourcePort() != 0 ? 0xffff : 0,
                family(s.source()), s.destinationPrefix(), s.sourcePrefix(), s.protocol(), 0, 0);
    }

    /**
     * The selector of an SA read from the kernel; {@code null} for the all-zero selector (the kernel
     * reports {@code sel src 0.0.0.0/0 dst 0.0.0.0/0} for SAs installed without one).
     */
    static Selector saSelector(XfrmSelector s, int fallbackFamily) {
        boolean empty = s.daddr().isAny() && s.saddr().isAny() && s.prefixlenD() == 0 && s.prefixlenS() == 0
                && s.proto() == 0 && s.dport() == 0 && s.sport() == 0;
        return empty ? null : selector(s, fallbackFamily);
    }

    /** The selector read from the kernel. */
    static Selector selector(XfrmSelector s, int fallbackFamily) {
        int family = s.family() == Xfrm.AF_UNSPEC ? fallbackFamily : s.family();
        if (family != Xfrm.AF_INET && family != Xfrm.AF_INET6) {
            throw new IpsecConfigException("xfrm selector with unsupported address family " + family);
        }
        return new Selector(s.saddr().toInet(family), s.prefixlenS(), s.daddr().toInet(family), s.prefixlenD(), s.proto(),
                s.sport(), s.dport());
    }

    /** Model lifetime on the wire: 0 (none) is XFRM_INF for byte and packet limits, 0 for times. */
    static XfrmLifetimeCfg lifetime(Lifetime l) {
        return new XfrmLifetimeCfg(inf(l.softBytes()), inf(l.hardBytes()), inf(l.softPackets()), inf(l.hardPackets()),
                l.softAddSeconds(), l.hardAddSeconds(), 0, 0);
    }

    static Lifetime lifetime(XfrmLifetimeCfg c) {
        return new Lifetime(none(c.softByteLimit()), none(c.hardByteLimit()), none(c.softPacketLimit()),
                none(c.hardPacketLimit()), c.softAddExpiresSeconds(), c.hardAddExpiresSeconds());
    }

    private static long inf(long v) {
        return v == 0 ? Xfrm.XFRM_INF : v;
    }

    private static long none(long v) {
        return v == Xfrm.XFRM_INF ? 0 : v;
    }
}
