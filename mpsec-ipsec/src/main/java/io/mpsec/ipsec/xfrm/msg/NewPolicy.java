package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.Template;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmId;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCfg;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur;
import io.mpsec.ipsec.xfrm.wire.XfrmUserTmpl;
import io.mpsec.ipsec.xfrm.wire.XfrmUserpolicyInfo;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * XFRM_MSG_NEWPOLICY / XFRM_MSG_UPDPOLICY: {@code struct xfrm_userpolicy_info} then XFRMA_TMPL
 * (an array of {@code xfrm_user_tmpl}), as {@code ip xfrm policy add/update} sends them: lifetimes
 * unlimited, templates with all algorithms allowed (~0), share any. Policies of a GETPOLICY dump
 * have the same layout ({@link #decode}).
 */
public final class NewPolicy {
    private static final long ALL_ALGOS = 0xffffffffL;

    private NewPolicy() {
    }

    public static NetlinkMessage encode(SecurityPolicy p, boolean update) {
        XfrmUserpolicyInfo info = new XfrmUserpolicyInfo(WireModel.selector(p.selector()), XfrmLifetimeCfg.UNLIMITED,
                XfrmLifetimeCur.ZERO, p.priority(), 0, p.direction().kernelValue(),
                p.action() == SecurityPolicy.Action.BLOCK ? Xfrm.XFRM_POLICY_BLOCK : Xfrm.XFRM_POLICY_ALLOW, 0,
                Xfrm.XFRM_SHARE_ANY);
        AttributeWriter w = new AttributeWriter().raw(info.toBytes());
        if (!p.templates().isEmpty()) {
            List<XfrmUserTmpl> ts = new ArrayList<>();
            for (Template t : p.templates()) {
                ts.add(new XfrmUserTmpl(new XfrmId(XfrmAddress.of(t.destination()), t.spi(), Xfrm.IPPROTO_ESP),
                        WireModel.family(t.destination()), XfrmAddress.of(t.source()), t.reqid(), t.mode().kernelValue(),
                        Xfrm.XFRM_SHARE_ANY, t.required() ? 0 : 1, ALL_ALGOS, ALL_ALGOS, ALL_ALGOS));
            }
            w.bytes(Xfrm.XFRMA_TMPL, XfrmUserTmpl.encodeAll(ts));
        }
        return NetlinkMessage.request(update ? Xfrm.XFRM_MSG_UPDPOLICY : Xfrm.XFRM_MSG_NEWPOLICY, 0, w.toByteArray());
    }

    /** A policy as the kernel reports it, with its kernel-assigned index. */
    public record Decoded(SecurityPolicy policy, long index) {
    }

    public static Decoded decode(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        if (p.length < XfrmUserpolicyInfo.SIZEOF) {
            throw new NetlinkFormatException("policy message of " + p.length + " bytes is shorter than xfrm_userpolicy_info ("
                    + XfrmUserpolicyInfo.SIZEOF + ")");
        }
        XfrmUserpolicyInfo info = XfrmUserpolicyInfo.read(ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()), 0);
        AttributeReader attrs = AttributeReader.parse(p, XfrmUserpolicyInfo.SIZEOF, p.length - XfrmUserpolicyInfo.SIZEOF,
                "xfrm policy");
        int family = info.sel().family();
        SecurityPolicy.Builder b = SecurityPolicy.builder()
                .selector(WireModel.selector(info.sel(), family))
                .direction(Direction.fromKernel(info.dir())).priority(info.priority())
                .action(info.action() == Xfrm.XFRM_POLICY_BLOCK ? SecurityPolicy.Action.BLOCK : SecurityPolicy.Action.ALLOW);
        if (attrs.has(Xfrm.XFRMA_TMPL)) {
            for (XfrmUserTmpl t : XfrmUserTmpl.decodeAll(attrs.bytes(Xfrm.XFRMA_TMPL))) {
                int tf = t.family() == Xfrm.AF_UNSPEC ? family : t.family();
                b.template(new Template(t.saddr().toInet(tf), t.id().daddr().toInet(tf), t.id().spi(), t.reqid(),
                        Mode.fromKernel(t.mode()), t.optional() == 0));
            }
        }
        return new Decoded(b.build(), info.index());
    }
}
