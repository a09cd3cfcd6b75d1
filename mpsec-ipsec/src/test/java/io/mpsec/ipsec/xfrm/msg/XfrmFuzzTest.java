package io.mpsec.ipsec.xfrm.msg;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmAeventId;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgo;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAead;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAuth;
import io.mpsec.ipsec.xfrm.wire.XfrmId;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCfg;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur;
import io.mpsec.ipsec.xfrm.wire.XfrmReplayStateEsn;
import io.mpsec.ipsec.xfrm.wire.XfrmSelector;
import io.mpsec.ipsec.xfrm.wire.XfrmStats;
import io.mpsec.ipsec.xfrm.wire.XfrmUserAcquire;
import io.mpsec.ipsec.xfrm.wire.XfrmUserExpire;
import io.mpsec.ipsec.xfrm.wire.XfrmUserTmpl;
import io.mpsec.ipsec.xfrm.wire.XfrmUserpolicyId;
import io.mpsec.ipsec.xfrm.wire.XfrmUserpolicyInfo;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaFlush;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaId;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.ipsec.xfrm.wire.XfrmUserspiInfo;
import io.mpsec.kernel.fuzz.FuzzTarget;
import io.mpsec.kernel.fuzz.Fuzzer;
import io.mpsec.kernel.fuzz.KernelCapture;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fuzzes every xfrm decoder (messages and wire structs) with mutations of what the kernel sent
 * (golden/xfrm-kernel: dumps of foreign SAs and policies, ACQUIRE, EXPIRE) and of what iproute2
 * sent (golden/xfrm: NEWSA with real ESP algorithms, policies). Only
 * {@link io.mpsec.kernel.netlink.NetlinkFormatException} may come out.
 */
class XfrmFuzzTest {
    static final String[] GOLDEN_SA = {"state-add-aead128", "state-add-aead256-esn", "state-add-cbc-hmac-tunnel6"};
    static final String[] GOLDEN_POLICY = {"policy-add-out", "policy-add-in-tcp", "policy-add-fwd6-tunnel", "policy-update-block"};

    @TestFactory
    Stream<DynamicTest> xfrmDecodersSurviveMutatedKernelMessages() throws Exception {
        List<FuzzTarget> targets = List.of(
                FuzzTarget.of("NewSa.decode", sas(), in -> each(in, NewSa::decode)).outcome(r -> modelled(r, NewSa.Decoded.class))
                        .netlink(t -> XfrmUsersaInfo.SIZEOF).covers(NewSa.class, Foreign.class, WireModel.class).build(),
                FuzzTarget.of("NewPolicy.decode", policies(), in -> each(in, NewPolicy::decode))
                        .outcome(r -> modelled(r, NewPolicy.Decoded.class)).netlink(t -> XfrmUserpolicyInfo.SIZEOF).covers(NewPolicy.class, Foreign.class).build(),
                FuzzTarget.of("Acquire.decode", kernel("xfrm-monitor", t -> t == Xfrm.XFRM_MSG_ACQUIRE),
                        in -> each(in, Acquire::decode)).netlink(t -> XfrmUserAcquire.SIZEOF).covers(Acquire.class).build(),
                FuzzTarget.of("Expire.decode", kernel("xfrm-monitor", t -> t == Xfrm.XFRM_MSG_EXPIRE),
                        in -> each(in, Expire::decode)).netlink(t -> XfrmUserExpire.SIZEOF).covers(Expire.class).build(),
                FuzzTarget.of("xfrm wire structs", structs(), XfrmFuzzTest::struct)
                        .covers(XfrmUsersaInfo.class, XfrmSelector.class, XfrmId.class, XfrmLifetimeCfg.class,
                                XfrmLifetimeCur.class, XfrmStats.class, XfrmUserTmpl.class, XfrmUserpolicyInfo.class,
                                XfrmUserAcquire.class, XfrmUserExpire.class, XfrmReplayStateEsn.class, XfrmAlgoAead.class,
                                XfrmAlgo.class, XfrmAlgoAuth.class, XfrmUsersaId.class, XfrmUserpolicyId.class,
                                XfrmUsersaFlush.class, XfrmUserspiInfo.class, XfrmAeventId.class, XfrmAddress.class)
                        .covers("io.mpsec.ipsec.xfrm.wire.AlgoLayout", "io.mpsec.ipsec.xfrm.wire.Structs").build());
        return targets.stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> {
            Fuzzer.Report r = Fuzzer.run(t);
            assertThat(r.unexpected()).as("unexpected exceptions in %s:%n%s", t.name(), String.join("\n", r.failures()))
                    .isZero();
            assertThat(r.ok()).isPositive();
        }));
    }

    /** "modelled" when every decoded entry has a model, else "foreign" (kept raw with a reason). */
    static String modelled(Object results, Class<?> type) {
        for (Object o : (List<?>) results) {
            boolean m = o instanceof NewSa.Decoded ? ((NewSa.Decoded) o).modelled() : ((NewPolicy.Decoded) o).modelled();
            if (!m) {
                return "foreign";
            }
        }
        return "modelled";
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

    static List<byte[]> kernel(String name, IntPredicate type) {
        return KernelCapture.primaryMessages("/golden/xfrm-kernel/" + name + ".txt", type);
    }

    static List<byte[]> sas() throws Exception {
        List<byte[]> out = new ArrayList<>(kernel("xfrm-state-dump", t -> t == Xfrm.XFRM_MSG_NEWSA));
        for (String g : GOLDEN_SA) {
            out.add(Golden.load(g).message().encode());
        }
        return out;
    }

    static List<byte[]> policies() throws Exception {
        List<byte[]> out = new ArrayList<>(kernel("xfrm-policy-dump", t -> t == Xfrm.XFRM_MSG_NEWPOLICY));
        out.addAll(kernel("xfrm-monitor", t -> t == Xfrm.XFRM_MSG_NEWPOLICY));
        for (String g : GOLDEN_POLICY) {
            out.add(Golden.load(g).message().encode());
        }
        return out;
    }

    /** Struct kinds of the wire-struct target: the first input byte selects one (modulo the count). */
    static final int USERSA_INFO = 0;
    static final int SELECTOR = 1;
    static final int ID = 2;
    static final int LIFETIME_CFG = 3;
    static final int LIFETIME_CUR = 4;
    static final int STATS = 5;
    static final int TMPLS = 6;
    static final int USERPOLICY_INFO = 7;
    static final int ACQUIRE = 8;
    static final int EXPIRE = 9;
    static final int REPLAY_ESN = 10;
    static final int ALGO_AEAD = 11;
    static final int ALGO = 12;
    static final int ALGO_AUTH = 13;
    static final int USERSA_ID = 14;
    static final int USERPOLICY_ID = 15;
    static final int USERSA_FLUSH = 16;
    static final int USERSPI_INFO = 17;
    static final int AEVENT_ID = 18;
    static final int ADDRESS = 19;
    static final int KINDS = 20;

    static Object struct(byte[] in) throws Exception {
        if (in.length == 0) {
            return null;
        }
        byte[] b = Arrays.copyOfRange(in, 1, in.length);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        switch ((in[0] & 0xff) % KINDS) {
            case USERSA_INFO: return XfrmUsersaInfo.read(buf, 0);
            case SELECTOR: return XfrmSelector.read(buf, 0);
            case ID: return XfrmId.read(buf, 0);
            case LIFETIME_CFG: return XfrmLifetimeCfg.read(buf, 0);
            case LIFETIME_CUR: return XfrmLifetimeCur.read(buf, 0);
            case STATS: return XfrmStats.read(buf, 0);
            case TMPLS: return XfrmUserTmpl.decodeAll(b);
            case USERPOLICY_INFO: return XfrmUserpolicyInfo.read(buf, 0);
            case ACQUIRE: return XfrmUserAcquire.read(buf, 0);
            case EXPIRE: return XfrmUserExpire.read(buf, 0);
            case REPLAY_ESN: return XfrmReplayStateEsn.decode(b);
            case ALGO_AEAD: return XfrmAlgoAead.decode(b);
            case ALGO: return XfrmAlgo.decode(b);
            case ALGO_AUTH: return XfrmAlgoAuth.decode(b);
            case USERSA_ID: return XfrmUsersaId.read(buf, 0);
            case USERPOLICY_ID: return XfrmUserpolicyId.read(buf, 0);
            case USERSA_FLUSH: return XfrmUsersaFlush.decode(b);
            case USERSPI_INFO: return XfrmUserspiInfo.read(buf, 0);
            case AEVENT_ID: return XfrmAeventId.read(buf, 0);
            default: return XfrmAddress.read(buf, 0).toString();
        }
    }

    /** Every struct as it appears in the captures, prefixed with its kind. */
    static List<byte[]> structs() throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] m : sas()) {
            byte[] p = payload(m);
            out.add(kind(USERSA_INFO, p, 0, XfrmUsersaInfo.SIZEOF));
            out.add(kind(SELECTOR, p, 0, XfrmSelector.SIZEOF));
            out.add(kind(ID, p, 56, XfrmId.SIZEOF));
            out.add(kind(ADDRESS, p, 80, XfrmAddress.SIZEOF));
            out.add(kind(LIFETIME_CFG, p, 96, XfrmLifetimeCfg.SIZEOF));
            out.add(kind(LIFETIME_CUR, p, 160, XfrmLifetimeCur.SIZEOF));
            out.add(kind(STATS, p, 192, XfrmStats.SIZEOF));
            AttributeReader a = AttributeReader.parse(p, XfrmUsersaInfo.SIZEOF, p.length - XfrmUsersaInfo.SIZEOF, "seed");
            attr(out, a, Xfrm.XFRMA_ALG_AEAD, ALGO_AEAD);
            attr(out, a, Xfrm.XFRMA_ALG_CRYPT, ALGO);
            attr(out, a, Xfrm.XFRMA_ALG_AUTH_TRUNC, ALGO_AUTH);
            attr(out, a, Xfrm.XFRMA_REPLAY_ESN_VAL, REPLAY_ESN);
        }
        for (byte[] m : policies()) {
            byte[] p = payload(m);
            out.add(kind(USERPOLICY_INFO, p, 0, XfrmUserpolicyInfo.SIZEOF));
            attr(out, AttributeReader.parse(p, XfrmUserpolicyInfo.SIZEOF, p.length - XfrmUserpolicyInfo.SIZEOF, "seed"),
                    Xfrm.XFRMA_TMPL, TMPLS);
        }
        for (byte[] m : kernel("xfrm-monitor", t -> t == Xfrm.XFRM_MSG_ACQUIRE)) {
            out.add(kind(ACQUIRE, payload(m), 0, XfrmUserAcquire.SIZEOF));
        }
        for (byte[] m : kernel("xfrm-monitor", t -> t == Xfrm.XFRM_MSG_EXPIRE)) {
            byte[] p = payload(m);
            out.add(kind(EXPIRE, p, 0, Math.min(p.length, XfrmUserExpire.SIZEOF)));
        }
        byte[] id = Golden.load("state-get").payload();
        out.add(kind(USERSA_ID, id, 0, XfrmUsersaId.SIZEOF));
        out.add(kind(AEVENT_ID, new XfrmAeventId(XfrmUsersaId.read(ByteBuffer.wrap(id).order(ByteOrder.nativeOrder()), 0),
                XfrmAddress.ANY, Xfrm.XFRM_AE_RVAL | Xfrm.XFRM_AE_LVAL, 7).toBytes(), 0, XfrmAeventId.SIZEOF));
        out.add(kind(USERPOLICY_ID, Golden.load("policy-delete").payload(), 0, XfrmUserpolicyId.SIZEOF));
        out.add(kind(USERSA_FLUSH, Golden.load("state-flush").payload(), 0, XfrmUsersaFlush.SIZEOF));
        out.add(kind(USERSPI_INFO, Golden.load("state-allocspi").payload(), 0, XfrmUserspiInfo.SIZEOF));
        return out;
    }

    private static void attr(List<byte[]> out, AttributeReader a, int type, int kind) throws Exception {
        if (a.has(type)) {
            byte[] v = a.bytes(type);
            out.add(kind(kind, v, 0, v.length));
        }
    }

    private static byte[] payload(byte[] message) {
        return Arrays.copyOfRange(message, 16, message.length);
    }

    private static byte[] kind(int kind, byte[] b, int off, int len) {
        byte[] out = new byte[1 + len];
        out[0] = (byte) kind;
        System.arraycopy(b, off, out, 1, len);
        return out;
    }
}
