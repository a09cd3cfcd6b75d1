package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.Direction;
import io.mpsec.ipsec.IpsecConfigException;
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
import io.mpsec.kernel.netlink.Attribute;
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

    /**
     * A policy as the kernel reports it, with its kernel-assigned index.
     *
     * @param policy the model, or {@code null} when the policy is not one MPSec can model: then
     *     {@code unsupported} says why (a template of another protocol such as AH or IPCOMP, BEET
     *     mode, a per-socket policy, a sub policy, values outside the model)
     * @param index the kernel's policy index
     * @param info the fixed part as sent
     * @param templates XFRMA_TMPL as sent (empty when absent)
     * @param unknown attributes the decoder does not interpret (XFRMA_MARK, XFRMA_IF_ID,
     *     XFRMA_SEC_CTX, XFRMA_LASTUSED...), kept raw in wire order
     * @param unsupported why {@code policy} is {@code null}, or {@code null} when it is not
     */
    public record Decoded(SecurityPolicy policy, long index, XfrmUserpolicyInfo info, List<XfrmUserTmpl> templates,
            List<Attribute> unknown, String unsupported) {
        public Decoded {
            templates = List.copyOf(templates);
            unknown = List.copyOf(unknown);
        }

        /** Whether this is a policy MPSec can model. */
        public boolean modelled() {
            return policy != null;
        }
    }

    /**
     * Decodes a NEWPOLICY/UPDPOLICY message (a request, a GETPOLICY reply or a dump part). Bytes that
     * do not have the kernel's layout throw {@link NetlinkFormatException}; a well-formed policy
     * MPSec cannot model (see {@link Decoded#policy()}) decodes with {@code policy == null}.
     */
    public static Decoded decode(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        if (p.length < XfrmUserpolicyInfo.SIZEOF) {
            throw new NetlinkFormatException("policy message of " + p.length + " bytes is shorter than xfrm_userpolicy_info ("
                    + XfrmUserpolicyInfo.SIZEOF + ")");
        }
        XfrmUserpolicyInfo info = XfrmUserpolicyInfo.read(ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()), 0);
        AttributeReader attrs = AttributeReader.parse(p, XfrmUserpolicyInfo.SIZEOF, p.length - XfrmUserpolicyInfo.SIZEOF,
                "xfrm policy");
        List<XfrmUserTmpl> tmpls = attrs.has(Xfrm.XFRMA_TMPL) ? XfrmUserTmpl.decodeAll(attrs.bytes(Xfrm.XFRMA_TMPL)) : List.of();
        List<Attribute> unknown = attrs.except(Xfrm.XFRMA_TMPL, Xfrm.XFRMA_POLICY_TYPE);
        String why = unsupported(info, attrs, tmpls);
        if (why != null) {
            return new Decoded(null, info.index(), info, tmpls, unknown, why);
        }
        int family = info.sel().family();
        try {
            SecurityPolicy.Builder b = SecurityPolicy.builder()
                    .selector(WireModel.selector(info.sel(), family))
                    .direction(Direction.fromKernel(info.dir())).priority(info.priority())
                    .action(info.action() == Xfrm.XFRM_POLICY_BLOCK ? SecurityPolicy.Action.BLOCK : SecurityPolicy.Action.ALLOW);
            for (XfrmUserTmpl t : tmpls) {
                int tf = t.family() == Xfrm.AF_UNSPEC ? family : t.family();
                b.template(new Template(t.saddr().toInet(tf), t.id().daddr().toInet(tf), t.id().spi(), t.reqid(),
                        Mode.fromKernel(t.mode()), t.optional() == 0));
            }
            return new Decoded(b.build(), info.index(), info, tmpls, unknown, null);
        } catch (IpsecConfigException e) {
            // a valid kernel policy the model does not allow (ports without a protocol, mixed families...)
            return new Decoded(null, info.index(), info, tmpls, unknown, "outside MPSec's policy model: " + e.getMessage());
        }
    }

    private static String unsupported(XfrmUserpolicyInfo info, AttributeReader attrs, List<XfrmUserTmpl> tmpls)
            throws NetlinkFormatException {
        String why = Foreign.direction(info.dir());
        if (why == null) {
            why = Foreign.action(info.action());
        }
        if (why == null) {
            why = Foreign.family(info.sel().family());
        }
        if (why == null && attrs.has(Xfrm.XFRMA_POLICY_TYPE)) {
            // struct xfrm_userpolicy_type { __u8 type; __u16 reserved1; __u8 reserved2; }
            byte[] type = attrs.bytes(Xfrm.XFRMA_POLICY_TYPE);
            if (type.length == 0) {
                throw new NetlinkFormatException("XFRMA_POLICY_TYPE without a type byte");
            }
            if ((type[0] & 0xff) != Xfrm.XFRM_POLICY_TYPE_MAIN) {
                why = (type[0] & 0xff) == Foreign.XFRM_POLICY_TYPE_SUB ? "a sub policy (ptype sub)"
                        : "policy type " + (type[0] & 0xff) + " unknown";
            }
        }
        for (int i = 0; why == null && i < tmpls.size(); i++) {
            XfrmUserTmpl t = tmpls.get(i);
            why = Foreign.template(t, t.family() == Xfrm.AF_UNSPEC ? info.sel().family() : t.family());
        }
        return why;
    }
}
