package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmAeventId;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaId;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * XFRM_MSG_GETAE: an SA's lifetime counters without its key. The request is a
 * {@code struct xfrm_aevent_id} naming the SA (destination, SPI, family, protocol; the kernel looks
 * the SA up with {@code xfrm_state_lookup} and ignores the source address); the answer is one
 * XFRM_MSG_NEWAE message built by {@code build_aevent()} (net/xfrm/xfrm_user.c):
 * <pre>
 * struct xfrm_aevent_id                          (48 bytes, echoing the SA's id, saddr, reqid, flags)
 * XFRMA_REPLAY_ESN_VAL (xfrm_replay_state_esn) or XFRMA_REPLAY_VAL (xfrm_replay_state)
 * XFRMA_LTIME_VAL      (struct xfrm_lifetime_cur: bytes, packets, add_time, use_time)
 * [XFRMA_PAD] [XFRMA_REPLAY_THRESH] [XFRMA_ETIMER_THRESH] [XFRMA_MARK] [XFRMA_IF_ID]
 * </pre>
 * Unlike GETSA it never carries key material, so it is what periodic counter reads use. It does not
 * carry the replay or integrity failure counts either (those are in {@code xfrm_stats}, only in
 * GETSA; host-wide in /proc/net/xfrm_stat).
 *
 * <p>iproute2 never sends GETAE ({@code ip xfrm monitor} only prints NEWAE events), so there is no
 * capture to compare with; the layout is checked against the kernel in XfrmAeventIT (host) and
 * SaUsageLaneIT (kernel lane, with traffic), cross-checked with {@code ip -s xfrm state}.
 */
public final class GetAe {
    private GetAe() {
    }

    /** The request for the SA {@code id}; asks for the replay and lifetime values (XFRM_AE_RVAL | XFRM_AE_LVAL). */
    public static NetlinkMessage encode(SaId id) {
        XfrmUsersaId sa = new XfrmUsersaId(XfrmAddress.of(id.destination()), id.spi(), WireModel.family(id.destination()),
                Xfrm.IPPROTO_ESP);
        XfrmAeventId body = new XfrmAeventId(sa, XfrmAddress.of(id.source()), Xfrm.XFRM_AE_RVAL | Xfrm.XFRM_AE_LVAL, 0);
        return NetlinkMessage.request(Xfrm.XFRM_MSG_GETAE, 0, body.toBytes());
    }

    /**
     * A decoded NEWAE message.
     *
     * @param id the SA's id, source address, reqid and the flags echoed
     * @param lifetime the SA's current lifetime counters
     * @param other every attribute but XFRMA_LTIME_VAL (replay state, pad, thresholds, mark), kept raw
     */
    public record Decoded(XfrmAeventId id, XfrmLifetimeCur lifetime, List<Attribute> other) {
    }

    /** Decodes the kernel's XFRM_MSG_NEWAE answer (or a NEWAE notification). */
    public static Decoded decode(NetlinkMessage m) throws NetlinkFormatException {
        if (m.type() != Xfrm.XFRM_MSG_NEWAE) {
            throw new NetlinkFormatException("expected XFRM_MSG_NEWAE (" + Xfrm.XFRM_MSG_NEWAE + "), got message type "
                    + m.type());
        }
        byte[] p = m.payload();
        if (p.length < XfrmAeventId.SIZEOF) {
            throw new NetlinkFormatException("NEWAE message of " + p.length + " bytes is shorter than xfrm_aevent_id ("
                    + XfrmAeventId.SIZEOF + ")");
        }
        XfrmAeventId id = XfrmAeventId.read(ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()), 0);
        AttributeReader attrs = AttributeReader.parse(p, XfrmAeventId.SIZEOF, p.length - XfrmAeventId.SIZEOF, "xfrm NEWAE");
        if (!attrs.has(Xfrm.XFRMA_LTIME_VAL)) {
            throw new NetlinkFormatException("xfrm NEWAE without XFRMA_LTIME_VAL (the SA's lifetime counters)");
        }
        byte[] lt = attrs.bytes(Xfrm.XFRMA_LTIME_VAL);
        if (lt.length < XfrmLifetimeCur.SIZEOF) {
            throw new NetlinkFormatException("xfrm NEWAE: XFRMA_LTIME_VAL has " + lt.length + " bytes, xfrm_lifetime_cur needs "
                    + XfrmLifetimeCur.SIZEOF);
        }
        XfrmLifetimeCur cur = XfrmLifetimeCur.read(ByteBuffer.wrap(lt).order(ByteOrder.nativeOrder()), 0);
        return new Decoded(id, cur, attrs.except(Xfrm.XFRMA_LTIME_VAL));
    }
}
