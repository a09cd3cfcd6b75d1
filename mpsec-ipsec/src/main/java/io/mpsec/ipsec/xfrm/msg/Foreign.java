package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUserTmpl;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;

/**
 * Why a well-formed SA, template or policy from the kernel is outside MPSec's model (ESP, transport
 * or tunnel mode, IPv4 or IPv6, the three policy directions). Other tools install such entries (an
 * IKE daemon's AH or IPCOMP SAs, BEET mode, per-socket policies); decoders keep them raw instead of
 * failing a whole dump. Each method returns {@code null} when the entry is one MPSec models.
 *
 * <p>Values from include/uapi/linux/xfrm.h and include/uapi/linux/in.h, in6.h (Linux 6.18).
 */
final class Foreign {
    /** IPPROTO_COMP (in.h): IPCOMP. */
    static final int IPPROTO_COMP = 108;
    /** IPPROTO_ROUTING and IPPROTO_DSTOPTS (in6.h): Mobile IPv6 states ("route2", "hao"). */
    static final int IPPROTO_ROUTING = 43;
    static final int IPPROTO_DSTOPTS = 60;
    /** XFRM_POLICY_MAX (xfrm.h): directions at or above it are per-socket policies (XFRM_POLICY_MAX + dir). */
    static final int XFRM_POLICY_MAX = 3;
    /** XFRM_POLICY_TYPE_SUB (xfrm.h, with CONFIG_XFRM_SUB_POLICY). */
    static final int XFRM_POLICY_TYPE_SUB = 1;

    private Foreign() {
    }

    static String sa(XfrmUsersaInfo i) {
        String p = protocol(i.id().proto());
        if (p != null) {
            return p;
        }
        String m = mode(i.mode());
        return m != null ? m : family(i.family());
    }

    static String template(XfrmUserTmpl t, int family) {
        String p = protocol(t.id().proto());
        if (p != null) {
            return "template " + p;
        }
        String m = mode(t.mode());
        if (m != null) {
            return "template " + m;
        }
        String f = family(family);
        return f == null ? null : "template " + f;
    }

    static String protocol(int proto) {
        if (proto == Xfrm.IPPROTO_ESP) {
            return null;
        }
        String name = proto == Xfrm.IPPROTO_AH ? "AH" : proto == IPPROTO_COMP ? "IPCOMP"
                : proto == IPPROTO_ROUTING ? "route2 (Mobile IPv6)" : proto == IPPROTO_DSTOPTS ? "hao (Mobile IPv6)"
                : null;
        return "protocol " + proto + (name == null ? "" : " (" + name + ")") + ", MPSec models ESP (50) only";
    }

    static String mode(int mode) {
        if (mode == Xfrm.XFRM_MODE_TRANSPORT || mode == Xfrm.XFRM_MODE_TUNNEL) {
            return null;
        }
        String name = mode == 2 ? "ROUTEOPTIMIZATION" : mode == 3 ? "IN_TRIGGER" : mode == 4 ? "BEET" : "unknown";
        return "mode " + name + " (" + mode + "), MPSec models transport and tunnel";
    }

    static String family(int family) {
        return family == Xfrm.AF_INET || family == Xfrm.AF_INET6 ? null
                : "address family " + family + ", MPSec models AF_INET (2) and AF_INET6 (10)";
    }

    static String direction(int dir) {
        if (dir < XFRM_POLICY_MAX) {
            return null;
        }
        return dir < 2 * XFRM_POLICY_MAX ? "a per-socket policy (direction " + dir + ")" : "direction " + dir + " unknown";
    }

    static String action(int action) {
        return action == Xfrm.XFRM_POLICY_ALLOW || action == Xfrm.XFRM_POLICY_BLOCK ? null : "action " + action + " unknown";
    }
}
