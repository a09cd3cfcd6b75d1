package io.mpsec.ipsec.paths;

import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.SecurityPolicy;
import io.mpsec.ipsec.xfrm.msg.NewPolicy;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaId;
import io.mpsec.ipsec.xfrm.wire.XfrmUserpolicyId;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A fake kernel that keeps SAs and policies like the SAD/SPD (EEXIST, ESRCH, replace on UPD*). */
final class FakeXfrmDatabase implements FakeKernel.Handler {
    final Map<String, SecurityAssociation> sas = new LinkedHashMap<>();
    final Map<String, SecurityPolicy> policies = new LinkedHashMap<>();
    final List<String> log = new ArrayList<>();
    /** Bytes the fake reports in GETSA for an SA (by {@link #saKey}); absent means 0. */
    final Map<String, Long> bytes = new LinkedHashMap<>();
    /** The add time (seconds since the epoch) GETAE reports for an SA (by {@link #saKey}); absent means now. */
    final Map<String, Long> addTimes = new LinkedHashMap<>();
    /** DELSA requests that fail with this errno (for error-path tests); 0 = none. */
    int failDelete;
    /** UPDPOLICY requests for IN policies fail with this errno; 0 = none. */
    int failInPolicy;
    /** The policy request after this many succeeded fails with ENOMEM; -1 = none. */
    int failPolicyAfter = -1;
    /** The next this many NEWSA requests fail with ENOBUFS. */
    int failAdds;

    static String saKey(java.net.InetAddress dst, long spi) {
        return dst.getHostAddress() + "/" + spi;
    }

    static String polKey(SecurityPolicy p) {
        return p.direction() + " " + p.selector();
    }

    @Override
    public synchronized List<NetlinkMessage> handle(NetlinkMessage req) throws IOException {
        switch (req.type()) {
            case Xfrm.XFRM_MSG_NEWSA:
            case Xfrm.XFRM_MSG_UPDSA: {
                if (req.type() == Xfrm.XFRM_MSG_NEWSA && failAdds > 0) {
                    failAdds--;
                    return FakeKernel.error(req, 105, null);
                }
                SecurityAssociation sa = NewSa.decode(req).sa();
                String k = saKey(sa.destination(), sa.spi());
                if (req.type() == Xfrm.XFRM_MSG_NEWSA && sas.containsKey(k)) {
                    return FakeKernel.error(req, 17, null);
                }
                sas.put(k, sa);
                log.add("SA+ " + k);
                return FakeKernel.ack(req);
            }
            case Xfrm.XFRM_MSG_GETSA: {
                if ((req.flags() & io.mpsec.kernel.netlink.Netlink.NLM_F_DUMP) == io.mpsec.kernel.netlink.Netlink.NLM_F_DUMP) {
                    List<byte[]> parts = new ArrayList<>();
                    for (SecurityAssociation sa : sas.values()) {
                        parts.add(NewSa.encode(sa, false).payload());
                    }
                    return FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWSA, parts);
                }
                XfrmUsersaId id = XfrmUsersaId.read(ByteBuffer.wrap(req.payload()).order(ByteOrder.nativeOrder()), 0);
                String k = saKey(id.daddr().toInet(id.family()), id.spi());
                SecurityAssociation sa = sas.get(k);
                if (sa == null) {
                    return FakeKernel.error(req, 3, null);
                }
                byte[] p = NewSa.encode(sa, false).payload();
                ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).putLong(160, bytes.getOrDefault(k, 0L));
                return List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWSA, p));
            }
            case Xfrm.XFRM_MSG_DELSA: {
                XfrmUsersaId id = XfrmUsersaId.read(ByteBuffer.wrap(req.payload()).order(ByteOrder.nativeOrder()), 0);
                String k = saKey(id.daddr().toInet(id.family()), id.spi());
                if (failDelete != 0) {
                    return FakeKernel.error(req, failDelete, null);
                }
                if (sas.remove(k) == null) {
                    return FakeKernel.error(req, 3, null);
                }
                log.add("SA- " + k);
                return FakeKernel.ack(req);
            }
            case Xfrm.XFRM_MSG_GETAE: {
                io.mpsec.ipsec.xfrm.wire.XfrmAeventId ae = io.mpsec.ipsec.xfrm.wire.XfrmAeventId.read(
                        ByteBuffer.wrap(req.payload()).order(ByteOrder.nativeOrder()), 0);
                String k = saKey(ae.saId().daddr().toInet(ae.saId().family()), ae.saId().spi());
                if (!sas.containsKey(k)) {
                    return FakeKernel.error(req, 3, null);
                }
                ByteBuffer lt = ByteBuffer.allocate(io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur.SIZEOF).order(ByteOrder.nativeOrder());
                new io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur(bytes.getOrDefault(k, 0L), 0,
                        addTimes.getOrDefault(k, System.currentTimeMillis() / 1000), 0)
                        .write(lt, 0);
                byte[] attrs = new io.mpsec.kernel.netlink.AttributeWriter().bytes(Xfrm.XFRMA_LTIME_VAL, lt.array()).toByteArray();
                byte[] id = ae.toBytes();
                byte[] p = new byte[id.length + attrs.length];
                System.arraycopy(id, 0, p, 0, id.length);
                System.arraycopy(attrs, 0, p, id.length, attrs.length);
                return List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWAE, p));
            }
            case Xfrm.XFRM_MSG_GETPOLICY: {
                List<byte[]> parts = new ArrayList<>();
                for (SecurityPolicy p : policies.values()) {
                    parts.add(NewPolicy.encode(p, false).payload());
                }
                return FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWPOLICY, parts);
            }
            case Xfrm.XFRM_MSG_NEWPOLICY:
            case Xfrm.XFRM_MSG_UPDPOLICY: {
                SecurityPolicy p = NewPolicy.decode(req).policy();
                if (failInPolicy != 0 && p.direction() == io.mpsec.ipsec.Direction.IN) {
                    return FakeKernel.error(req, failInPolicy, null);
                }
                if (req.type() == Xfrm.XFRM_MSG_NEWPOLICY && policies.containsKey(polKey(p))) {
                    return FakeKernel.error(req, 17, null);
                }
                if (failPolicyAfter >= 0 && failPolicyAfter-- == 0) {
                    return FakeKernel.error(req, 12, null);
                }
                policies.put(polKey(p), p);
                log.add("POL " + polKey(p) + (p.templates().isEmpty() ? " " + p.action() : " reqid " + p.templates().get(0).reqid()));
                return FakeKernel.ack(req);
            }
            case Xfrm.XFRM_MSG_DELPOLICY: {
                XfrmUserpolicyId id = XfrmUserpolicyId.read(ByteBuffer.wrap(req.payload()).order(ByteOrder.nativeOrder()), 0);
                boolean removed = policies.entrySet().removeIf(e -> e.getValue().direction().kernelValue() == id.dir()
                        && e.getValue().selector().destination().equals(id.sel().daddr().toInet(id.sel().family()))
                        && e.getValue().selector().source().equals(id.sel().saddr().toInet(id.sel().family())));
                if (!removed) {
                    return FakeKernel.error(req, 2, null);
                }
                log.add("POL- " + id.dir() + " " + id.sel().saddr().toInet(id.sel().family()).getHostAddress());
                return FakeKernel.ack(req);
            }
            default:
                return FakeKernel.error(req, 95, "not faked");
        }
    }
}
