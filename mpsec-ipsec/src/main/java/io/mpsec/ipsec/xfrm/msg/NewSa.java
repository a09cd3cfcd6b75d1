package io.mpsec.ipsec.xfrm.msg;

import io.mpsec.ipsec.IpsecConfigException;
import io.mpsec.ipsec.Mode;
import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.ipsec.xfrm.wire.XfrmAddress;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgo;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAead;
import io.mpsec.ipsec.xfrm.wire.XfrmAlgoAuth;
import io.mpsec.ipsec.xfrm.wire.XfrmId;
import io.mpsec.ipsec.xfrm.wire.XfrmLifetimeCur;
import io.mpsec.ipsec.xfrm.wire.XfrmReplayStateEsn;
import io.mpsec.ipsec.xfrm.wire.XfrmStats;
import io.mpsec.ipsec.xfrm.wire.XfrmUsersaInfo;
import io.mpsec.kernel.netlink.Attribute;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.AttributeWriter;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * XFRM_MSG_NEWSA / XFRM_MSG_UPDSA: {@code struct xfrm_usersa_info} followed by the algorithm
 * attributes and, for ESN or a window above 32 packets, XFRMA_REPLAY_ESN_VAL. The layout matches
 * what iproute2 6.1 sends for {@code ip xfrm state add/update} (see the golden tests). The same
 * layout is what the kernel sends for each SA of a GETSA dump, so {@link #decode} reads both.
 */
public final class NewSa {
    /** Windows up to this size fit {@code xfrm_usersa_info.replay_window} (iproute2 uses the ESN attribute above it). */
    static final int LEGACY_WINDOW_MAX = 32;

    private NewSa() {
    }

    /** The request; {@code update} selects UPDSA (replace an existing SA) instead of NEWSA. */
    public static NetlinkMessage encode(SecurityAssociation sa, boolean update) {
        int family = WireModel.family(sa.source());
        boolean esnAttr = sa.esn() || sa.replayWindow() > LEGACY_WINDOW_MAX;
        XfrmUsersaInfo info = new XfrmUsersaInfo(WireModel.selector(sa.selector()),
                new XfrmId(XfrmAddress.of(sa.destination()), sa.spi(), Xfrm.IPPROTO_ESP), XfrmAddress.of(sa.source()),
                WireModel.lifetime(sa.lifetime()), XfrmLifetimeCur.ZERO, XfrmStats.ZERO, 0, sa.reqid(), family,
                sa.mode().kernelValue(), esnAttr ? 0 : sa.replayWindow(), sa.esn() ? Xfrm.XFRM_STATE_ESN : 0);
        AttributeWriter w = new AttributeWriter().raw(info.toBytes());
        writeAlgorithm(w, sa.algorithm());
        if (esnAttr) {
            w.bytes(Xfrm.XFRMA_REPLAY_ESN_VAL, XfrmReplayStateEsn.forWindow(sa.replayWindow()).toBytes());
        }
        byte[] payload = w.toByteArray();
        w.wipe();
        try {
            return NetlinkMessage.request(update ? Xfrm.XFRM_MSG_UPDSA : Xfrm.XFRM_MSG_NEWSA, 0, payload);
        } finally {
            Arrays.fill(payload, (byte) 0);
        }
    }

    private static void writeAlgorithm(AttributeWriter w, SaAlgorithm alg) {
        if (alg instanceof SaAlgorithm.Aead) {
            SaAlgorithm.Aead a = (SaAlgorithm.Aead) alg;
            byte[] key = a.key().copy();
            XfrmAlgoAead struct = new XfrmAlgoAead(a.name(), a.icvBits(), key);
            try {
                byte[] s = struct.toBytes();
                w.bytes(Xfrm.XFRMA_ALG_AEAD, s);
                Arrays.fill(s, (byte) 0);
            } finally {
                Arrays.fill(key, (byte) 0);
                struct.wipe();
            }
        } else {
            SaAlgorithm.CipherAuth c = (SaAlgorithm.CipherAuth) alg;
            byte[] ck = c.cipherKey().copy();
            byte[] ak = c.authKey().copy();
            XfrmAlgo crypt = new XfrmAlgo(c.cipher(), ck);
            XfrmAlgoAuth auth = new XfrmAlgoAuth(c.auth(), c.truncBits(), ak);
            try {
                // iproute2 order: XFRMA_ALG_CRYPT (enc) then XFRMA_ALG_AUTH_TRUNC (auth-trunc).
                byte[] s1 = crypt.toBytes();
                w.bytes(Xfrm.XFRMA_ALG_CRYPT, s1);
                Arrays.fill(s1, (byte) 0);
                byte[] s2 = auth.toBytes();
                w.bytes(Xfrm.XFRMA_ALG_AUTH_TRUNC, s2);
                Arrays.fill(s2, (byte) 0);
            } finally {
                Arrays.fill(ck, (byte) 0);
                Arrays.fill(ak, (byte) 0);
                crypt.wipe();
                auth.wipe();
            }
        }
    }

    /**
     * An SA as installed or reported, with the kernel's counters.
     *
     * @param sa the model, or {@code null} when the SA is not one MPSec can model: then
     *     {@code unsupported} says why (another protocol such as AH or IPCOMP, BEET mode, an
     *     unknown algorithm layout, no algorithm at all as in a larval ALLOCSPI state, values outside
     *     the model); {@code info} and {@code unknown} still hold everything the kernel sent
     * @param info the fixed part as sent (SPI, protocol, mode, counters)
     * @param replayEsn XFRMA_REPLAY_ESN_VAL, or {@code null}
     * @param unknown attributes the decoder does not interpret (XFRMA_MARK, XFRMA_IF_ID, XFRMA_ENCAP,
     *     XFRMA_LTIME_VAL...), kept raw in wire order; never key material (the algorithm attributes are
     *     interpreted)
     * @param unsupported why {@code sa} is {@code null}, or {@code null} when it is not
     */
    public record Decoded(SecurityAssociation sa, XfrmUsersaInfo info, XfrmReplayStateEsn replayEsn, List<Attribute> unknown,
            String unsupported) {
        public Decoded {
            unknown = List.copyOf(unknown);
        }

        /** Whether this is an SA MPSec can model (ESP, transport or tunnel, a known algorithm layout). */
        public boolean modelled() {
            return sa != null;
        }
    }

    /** The attributes {@link #decode} interprets; every other one is kept in {@link Decoded#unknown()}. */
    private static final int[] KNOWN = {Xfrm.XFRMA_ALG_AEAD, Xfrm.XFRMA_ALG_CRYPT, Xfrm.XFRMA_ALG_AUTH,
        Xfrm.XFRMA_ALG_AUTH_TRUNC, Xfrm.XFRMA_REPLAY_ESN_VAL};

    /**
     * Decodes a NEWSA/UPDSA request or an SA the kernel reports (GETSA reply, dump part, ALLOCSPI
     * reply). Bytes that do not have the kernel's layout throw {@link NetlinkFormatException}; a
     * well-formed SA that MPSec cannot model (see {@link Decoded#sa()}) decodes with {@code sa == null}.
     */
    public static Decoded decode(NetlinkMessage m) throws NetlinkFormatException {
        byte[] p = m.payload();
        try {
            return decode(p, 0);
        } finally {
            Arrays.fill(p, (byte) 0);
        }
    }

    /** Decodes {@code xfrm_usersa_info} at {@code off} and the attributes after it. */
    static Decoded decode(byte[] p, int off) throws NetlinkFormatException {
        if (off < 0 || p.length - off < XfrmUsersaInfo.SIZEOF) {
            throw new NetlinkFormatException("SA message of " + (p.length - off) + " bytes is shorter than xfrm_usersa_info ("
                    + XfrmUsersaInfo.SIZEOF + ")");
        }
        XfrmUsersaInfo info = XfrmUsersaInfo.read(ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()), off);
        AttributeReader attrs = AttributeReader.parse(p, off + XfrmUsersaInfo.SIZEOF, p.length - off - XfrmUsersaInfo.SIZEOF,
                "xfrm SA");
        XfrmReplayStateEsn esn = attrs.has(Xfrm.XFRMA_REPLAY_ESN_VAL)
                ? XfrmReplayStateEsn.decode(attrs.bytes(Xfrm.XFRMA_REPLAY_ESN_VAL)) : null;
        SaAlgorithm alg = readAlgorithm(attrs);
        List<Attribute> unknown = attrs.except(KNOWN);
        String why = Foreign.sa(info);
        if (why == null && alg == null) {
            why = "no ESP algorithm (a larval state, or an algorithm attribute MPSec does not know)";
        }
        if (why != null) {
            return new Decoded(null, info, esn, unknown, why);
        }
        int family = info.family();
        try {
            SecurityAssociation sa = SecurityAssociation.builder().acceptUnknownAlgorithms()
                    .source(info.saddr().toInet(family)).destination(info.id().daddr().toInet(family)).spi(info.id().spi())
                    .reqid(info.reqid()).mode(Mode.fromKernel(info.mode()))
                    .esn((info.flags() & Xfrm.XFRM_STATE_ESN) != 0)
                    .replayWindow(esn != null ? (int) Math.min(esn.replayWindow(), Integer.MAX_VALUE) : info.replayWindow())
                    .lifetime(WireModel.lifetime(info.lft())).selector(WireModel.saSelector(info.sel(), family))
                    .algorithm(alg).build();
            return new Decoded(sa, info, esn, unknown, null);
        } catch (IpsecConfigException e) {
            // a valid kernel SA whose values the model does not allow (an SPI below 256, soft >= hard limits...)
            return new Decoded(null, info, esn, unknown, "outside MPSec's SA model: " + e.getMessage());
        }
    }

    private static SaAlgorithm readAlgorithm(AttributeReader attrs) throws NetlinkFormatException {
        if (attrs.has(Xfrm.XFRMA_ALG_AEAD)) {
            XfrmAlgoAead a = XfrmAlgoAead.decode(attrs.bytes(Xfrm.XFRMA_ALG_AEAD));
            return new SaAlgorithm.Aead(a.name(), SecretBytes.wrap(a.key()), a.icvBits());
        }
        if (attrs.has(Xfrm.XFRMA_ALG_CRYPT)) {
            XfrmAlgo c = XfrmAlgo.decode(attrs.bytes(Xfrm.XFRMA_ALG_CRYPT));
            String auth = "";
            byte[] authKey = new byte[0];
            int trunc = 0;
            if (attrs.has(Xfrm.XFRMA_ALG_AUTH_TRUNC)) {
                XfrmAlgoAuth a = XfrmAlgoAuth.decode(attrs.bytes(Xfrm.XFRMA_ALG_AUTH_TRUNC));
                auth = a.name();
                authKey = a.key();
                trunc = a.truncBits();
            } else if (attrs.has(Xfrm.XFRMA_ALG_AUTH)) {
                XfrmAlgo a = XfrmAlgo.decode(attrs.bytes(Xfrm.XFRMA_ALG_AUTH));
                auth = a.name();
                authKey = a.key();
            }
            return new SaAlgorithm.CipherAuth(c.name(), SecretBytes.wrap(c.key()), auth, SecretBytes.wrap(authKey), trunc);
        }
        return null;
    }
}
