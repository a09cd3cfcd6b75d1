package io.mpsec.ipsec.xfrm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.ipsec.SaAlgorithm;
import io.mpsec.ipsec.SecretBytes;
import io.mpsec.ipsec.SecurityAssociation;
import io.mpsec.ipsec.xfrm.msg.GetAe;
import io.mpsec.ipsec.xfrm.msg.NewSa;
import io.mpsec.ipsec.xfrm.msg.SaId;
import io.mpsec.ipsec.xfrm.wire.Xfrm;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.NetlinkTransport;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GETAE (counters without the key) at the message level, and the key wipe of the SA calls: no
 * datagram that crossed the transport still holds key bytes once the call returned.
 */
class XfrmUsageTest {
    static final HexFormat HEX = HexFormat.of();
    static final SaId ID = id();

    static SaId id() {
        try {
            return new SaId(XfrmClientTest.ip("198.18.1.1"), XfrmClientTest.ip("198.18.1.2"), 0x1abc);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * struct xfrm_aevent_id for 198.18.1.1 -> 198.18.1.2 SPI 0x1abc, written out by hand from the C
     * definition (include/uapi/linux/xfrm.h): sa_id {daddr[16], __be32 spi, u16 family, u8 proto, pad},
     * saddr[16], u32 flags, u32 reqid.
     */
    static final String AEVENT_ID = "c6120102" + "00".repeat(12) + "00001abc" + "0200" + "32" + "00"
            + "c6120101" + "00".repeat(12) + "%s" + "%s";

    @Test
    void theRequestIsAnAeventIdNamingTheSa() {
        NetlinkMessage m = GetAe.encode(id());
        assertThat(m.type()).isEqualTo(Xfrm.XFRM_MSG_GETAE).isEqualTo(0x1f);
        assertThat(m.flags()).isEqualTo(1); // NLM_F_REQUEST only: one NEWAE answers
        assertThat(HEX.formatHex(m.payload())).isEqualTo(String.format(AEVENT_ID, "06000000", "00000000"));
        assertThat(m.payloadLength()).isEqualTo(48);
    }

    static byte[] newAe(long spi) {
        String id = String.format(AEVENT_ID, "06000000", "05000000").replace("00001abc", String.format("%08x", spi));
        String replay = "1000" + "0a00" + "07000000" + "00000000" + "00000000"; // XFRMA_REPLAY_VAL: oseq 7
        String ltime = "2400" + "0900" + le(1000) + le(10) + le(1_700_000_000L) + le(1_700_000_005L); // XFRMA_LTIME_VAL
        String mark = "0c00" + "1500" + "01000000" + "ffffffff"; // XFRMA_MARK, kept raw
        return HEX.parseHex(id + replay + ltime + mark);
    }

    static String le(long v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(String.format("%02x", (v >>> (8 * i)) & 0xff));
        }
        return sb.toString();
    }

    @Test
    void theAnswerGivesBytesPacketsAndTimesAndKeepsOtherAttributesRaw() throws Exception {
        GetAe.Decoded d = GetAe.decode(new NetlinkMessage(Xfrm.XFRM_MSG_NEWAE, 0, 1, 0, newAe(0x1abc)));
        assertThat(d.id().saId().spi()).isEqualTo(0x1abc);
        assertThat(d.id().reqid()).isEqualTo(5);
        assertThat(d.id().saddr().toInet(Xfrm.AF_INET)).isEqualTo(XfrmClientTest.ip("198.18.1.1"));
        assertThat(d.lifetime().bytes()).isEqualTo(1000);
        assertThat(d.lifetime().packets()).isEqualTo(10);
        assertThat(d.lifetime().addTime()).isEqualTo(1_700_000_000L);
        assertThat(d.lifetime().useTime()).isEqualTo(1_700_000_005L);
        assertThat(d.other()).extracting(a -> a.kind()).containsExactly(Xfrm.XFRMA_REPLAY_VAL, Xfrm.XFRMA_MARK);
        FakeKernel k = new FakeKernel(req -> List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWAE, newAe(0x1abc))));
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(k))) {
            assertThat(c.usage(id())).contains(new SaUsage(1000, 10, 1_700_000_000L, 1_700_000_005L));
        }
        assertThat(k.lastRequest().type()).isEqualTo(Xfrm.XFRM_MSG_GETAE);
    }

    @Test
    void aMissingSaIsEmptyAndBadAnswersAreFormatErrors() throws Exception {
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(new FakeKernel(req -> FakeKernel.error(req, 3, null))))) {
            assertThat(c.usage(id())).isEmpty();
        }
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(new FakeKernel(
                req -> List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWAE, newAe(0x2222))))))) {
            assertThatThrownBy(() -> c.usage(id())).isInstanceOf(XfrmException.class).hasMessageContaining("00002222");
        }
        byte[] noLtime = java.util.Arrays.copyOf(newAe(0x1abc), 48 + 16);
        assertThatThrownBy(() -> GetAe.decode(new NetlinkMessage(Xfrm.XFRM_MSG_NEWAE, 0, 1, 0, noLtime)))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("XFRMA_LTIME_VAL");
        assertThatThrownBy(() -> GetAe.decode(new NetlinkMessage(Xfrm.XFRM_MSG_NEWAE, 0, 1, 0, new byte[40])))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("shorter than xfrm_aevent_id");
        assertThatThrownBy(() -> GetAe.decode(new NetlinkMessage(Xfrm.XFRM_MSG_NEWSA, 0, 1, 0, newAe(1))))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("expected XFRM_MSG_NEWAE");
    }

    /** Keeps a reference to every datagram array that crossed it. */
    static final class Recording implements NetlinkTransport {
        final FakeKernel kernel;
        final List<byte[]> seen = new ArrayList<>();

        Recording(FakeKernel kernel) {
            this.kernel = kernel;
        }

        @Override
        public void send(byte[] d) throws IOException {
            seen.add(d);
            kernel.send(d);
        }

        @Override
        public byte[] receive(int timeoutMillis) throws IOException {
            byte[] d = kernel.receive(timeoutMillis);
            if (d != null) {
                seen.add(d);
            }
            return d;
        }

        @Override
        public int portId() {
            return kernel.portId();
        }

        @Override
        public void joinGroup(int group) {
        }

        @Override
        public void leaveGroup(int group) {
        }

        @Override
        public void close() throws IOException {
            kernel.close();
        }
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void noDatagramHoldsTheKeyAfterAddGetCountersOrDump() throws Exception {
        byte[] key = new byte[36];
        new java.util.Random(7).nextBytes(key);
        SecurityAssociation sa = XfrmClientTest.sa(0x1abc).toBuilder().algorithm(SaAlgorithm.aesGcm(SecretBytes.copyOf(key)))
                .build();
        Recording t = new Recording(new FakeKernel(req -> {
            switch (req.type()) {
                case Xfrm.XFRM_MSG_NEWSA:
                    return FakeKernel.ack(req);
                case Xfrm.XFRM_MSG_GETSA:
                    byte[] p = NewSa.encode(sa, false).payload();
                    return (req.flags() & 0x300) == 0x300 ? FakeKernel.dump(req, Xfrm.XFRM_MSG_NEWSA, List.of(p))
                            : List.of(FakeKernel.reply(req, Xfrm.XFRM_MSG_NEWSA, p));
                default:
                    return FakeKernel.error(req, 95, null);
            }
        }));
        try (XfrmClient c = new XfrmClient(new NetlinkConnection(t))) {
            c.addSa(sa);
            assertThat(c.counters(ID).packets()).isZero();
            assertThat(c.dumpSas()).singleElement().satisfies(i -> assertThat(i.sa()).isEqualTo(sa));
        }
        assertThat(t.seen).hasSizeGreaterThanOrEqualTo(6);
        assertThat(contains(NewSa.encode(sa, false).payload(), key)).as("the key is on the wire").isTrue();
        assertThat(t.seen).allSatisfy(d -> assertThat(contains(d, key)).as("datagram wiped").isFalse());
        assertThat(t.kernel.requests().get(0).type()).isEqualTo(Xfrm.XFRM_MSG_NEWSA);
        assertThat(contains(t.kernel.requests().get(0).payload(), key)).as("and the kernel got it").isTrue();
    }
}
