package io.mpsec.kernel.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.genl.GenericNetlink;
import io.mpsec.kernel.genl.GenlMessage;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkError;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.pm.AddAddr;
import io.mpsec.kernel.pm.Announce;
import io.mpsec.kernel.pm.DelAddr;
import io.mpsec.kernel.pm.Endpoints;
import io.mpsec.kernel.pm.FlushAddrs;
import io.mpsec.kernel.pm.GetAddr;
import io.mpsec.kernel.pm.GetLimits;
import io.mpsec.kernel.pm.MptcpPmUapi;
import io.mpsec.kernel.pm.PmAddress;
import io.mpsec.kernel.pm.PmEvents;
import io.mpsec.kernel.pm.Remove;
import io.mpsec.kernel.pm.SetFlags;
import io.mpsec.kernel.pm.SetLimits;
import io.mpsec.kernel.pm.SubflowCreate;
import io.mpsec.kernel.pm.SubflowDestroy;
import io.mpsec.kernel.rtnl.IfAddrMsg;
import io.mpsec.kernel.rtnl.IfInfoMsg;
import io.mpsec.kernel.rtnl.Rtnl;
import io.mpsec.kernel.rtnl.RtnlCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes the decoders of the netlink core, generic netlink, mptcp_pm and rtnetlink with mutations of
 * what the kernel really sent (golden/replies). Each decoder may only return or throw
 * {@link NetlinkFormatException}; see {@link Fuzzer} for the case count, seed and reproduction.
 */
class NetlinkFuzzTest {
    private static final int GENL = 4;

    @TestFactory
    Stream<DynamicTest> decodersSurviveMutatedKernelMessages() {
        return targets().stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> {
            Fuzzer.Report r = Fuzzer.run(t);
            assertThat(r.unexpected()).as("unexpected exceptions in %s:%n%s", t.name(), String.join("\n", r.failures()))
                    .isZero();
            assertThat(r.ok()).as("%s: some inputs must decode (else the seeds are wrong)", t.name()).isPositive();
        }));
    }

    static List<FuzzTarget> targets() {
        int pm = Seeds.mptcpPmFamily();
        List<FuzzTarget> out = new ArrayList<>();
        out.add(FuzzTarget.of("NetlinkMessage.decodeAll", Seeds.allDatagrams(), NetlinkMessage::decodeAll)
                .netlink(t -> GENL).covers(NetlinkMessage.class).build());
        out.add(FuzzTarget.of("AttributeReader", Seeds.messages(t -> t == pm || t == 0x10, "pm-events-client",
                "pm-events-server", "pm-endpoint-dump", "genl-family-mptcp_pm", "genl-family-nlctrl"), in -> {
                    for (NetlinkMessage m : NetlinkMessage.decodeAll(in)) {
                        byte[] p = m.payload();
                        exercise(AttributeReader.parse(p, Math.min(GENL, p.length), Math.max(p.length - GENL, 0), "fuzz"));
                    }
                    return null;
                }).netlink(t -> GENL).covers(AttributeReader.class, Attribute.class).build());
        out.add(FuzzTarget.of("NetlinkError.decode", Seeds.messages(t -> t == Netlink.NLMSG_ERROR, "pm-error-add-duplicate",
                "pm-error-delete-missing", "rtnl-link-dump"), in -> each(in, m -> m.type() == Netlink.NLMSG_ERROR
                        ? NetlinkError.decode(m) : null))
                .netlink(t -> t == Netlink.NLMSG_ERROR ? NetlinkError.MIN_SIZE : GENL).covers(NetlinkError.class).build());
        out.add(FuzzTarget.of("GenericNetlink.decodeFamily", Seeds.messages(t -> t == 0x10, "genl-family-mptcp_pm",
                "genl-family-nlctrl"), in -> each(in, GenericNetlink::decodeFamily))
                .netlink(t -> GENL).covers(GenericNetlink.class, GenlMessage.class).build());
        out.add(FuzzTarget.of("PmEvents.decode", Seeds.messages(t -> t == pm, "pm-events-client", "pm-events-server"),
                in -> each(in, PmEvents::decode)).netlink(t -> GENL).covers(PmEvents.class).build());
        out.add(FuzzTarget.of("GetAddr.decodeReply+Endpoints", Seeds.messages(t -> t == pm, "pm-endpoint-dump",
                "pm-endpoint-get"), in -> each(in, m -> Endpoints.fromWire(GetAddr.decodeReply(m))))
                .netlink(t -> GENL).covers(GetAddr.class, PmAddress.class, Endpoints.class).build());
        out.add(FuzzTarget.of("GetLimits.decodeReply", Seeds.messages(t -> t == pm, "pm-limits"),
                in -> each(in, GetLimits::decodeReply)).netlink(t -> GENL).covers(GetLimits.class).build());
        out.add(FuzzTarget.of("mptcp_pm requests (fake kernel)", Seeds.pmRequests(pm), in -> each(in, NetlinkFuzzTest::pmRequest))
                .netlink(t -> GENL).covers(AddAddr.class, DelAddr.class, SetFlags.class, SetLimits.class).build());
        out.add(FuzzTarget.of("RtnlCodec.decodeEvent", Seeds.messages(t -> t >= Rtnl.RTM_NEWLINK && t <= Rtnl.RTM_GETADDR,
                "rtnl-link-dump", "rtnl-addr-dump", "rtnl-monitor"), in -> each(in, RtnlCodec::decodeEvent))
                .netlink(t -> t <= Rtnl.RTM_GETLINK ? IfInfoMsg.SIZEOF : IfAddrMsg.SIZEOF)
                .covers(RtnlCodec.class, IfInfoMsg.class, IfAddrMsg.class).build());
        return out;
    }

    /** A decoder of one message. */
    interface MessageDecoder {
        Object decode(NetlinkMessage m) throws Exception;
    }

    static Object each(byte[] in, MessageDecoder d) throws Exception {
        List<Object> out = new ArrayList<>();
        for (NetlinkMessage m : NetlinkMessage.decodeAll(in)) {
            out.add(d.decode(m));
        }
        return out;
    }

    /** Every typed accessor on every attribute, recursively: each returns or throws NetlinkFormatException. */
    static void exercise(AttributeReader a) {
        for (Attribute at : a.all()) {
            int k = at.kind();
            for (Accessor acc : new Accessor[] {() -> a.u8(k), () -> a.u16(k), () -> a.u16Be(k), () -> a.u32(k),
                () -> a.u32Be(k), () -> a.s32(k), () -> a.u64(k), () -> a.string(k), () -> a.bytes(k), () -> a.allOf(k),
                () -> a.except(k), () -> a.u32Or(k + 1, 0), () -> a.stringOr(k, null), () -> a.hexDump(), () -> a.toString()}) {
                try {
                    acc.get();
                } catch (NetlinkFormatException expected) {
                    // the documented answer to a wrong size
                }
            }
            try {
                exercise(a.nested(at));
            } catch (NetlinkFormatException expected) {
                // not nested
            }
        }
    }

    /** One accessor call. */
    interface Accessor {
        Object get() throws NetlinkFormatException;
    }

    static Object pmRequest(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        int cmd = p.length > 0 ? p[0] & 0xff : -1;
        switch (cmd) {
            case MptcpPmUapi.CMD_ADD_ADDR: return AddAddr.decode(m);
            case MptcpPmUapi.CMD_DEL_ADDR: return DelAddr.decode(m);
            case MptcpPmUapi.CMD_GET_ADDR: return GetAddr.decode(m);
            case MptcpPmUapi.CMD_FLUSH_ADDRS: return FlushAddrs.decode(m);
            case MptcpPmUapi.CMD_SET_LIMITS: return SetLimits.decode(m);
            case MptcpPmUapi.CMD_GET_LIMITS: return GetLimits.decode(m);
            case MptcpPmUapi.CMD_SET_FLAGS: return SetFlags.decode(m);
            case MptcpPmUapi.CMD_ANNOUNCE: return Announce.decode(m);
            case MptcpPmUapi.CMD_REMOVE: return Remove.decode(m);
            case MptcpPmUapi.CMD_SUBFLOW_CREATE: return SubflowCreate.decode(m);
            case MptcpPmUapi.CMD_SUBFLOW_DESTROY: return SubflowDestroy.decode(m);
            default: return null;
        }
    }
}
