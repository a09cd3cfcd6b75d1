package io.mpsec.kernel.diag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.TcpState;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.fuzz.KernelCapture;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The sock_diag requests and replies of {@link ConnectionDiag} against byte-exact captures of
 * {@code ss} (golden/replies/capture-diag.sh: a two-path MPTCP connection whose second subflow is a
 * backup, and an MPTCP client whose server speaks plain TCP). Each reply capture holds what ss
 * printed from exactly those bytes, so every decoded value is compared with ss's own reading.
 */
class ConnectionDiagGoldenTest {
    static final String MPTCP = "/golden/replies/diag-conns-mptcp.txt";
    static final String TCP = "/golden/replies/diag-conns-tcp.txt";
    static final String REQUESTS = "/golden/replies/diag-conns-requests.txt";
    /** ss's idiag_states (its default filter, plus bit 0, which no socket state uses). */
    static final int SS_STATES = 0xb37;
    /** ss -i asks for INET_DIAG_INFO, VEGASINFO and CONG. */
    static final int SS_EXT = 0x0e;

    static String text(String path) throws IOException {
        try (InputStream in = ConnectionDiagGoldenTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Each SOCK_DIAG_BY_FAMILY sendmsg of the requests capture, its iov buffers joined (not ss's RTM_GETLINK). */
    static List<byte[]> requests() throws IOException {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream cur = null;
        Pattern hex = Pattern.compile("^ \\| [0-9a-f]{5}  (.{49})");
        for (String line : text(REQUESTS).split("\n")) {
            if (line.startsWith("sendmsg(")) {
                if (cur != null) {
                    out.add(cur.toByteArray());
                }
                cur = new ByteArrayOutputStream();
            }
            Matcher m = hex.matcher(line);
            if (m.find() && cur != null) {
                cur.writeBytes(HexFormat.of().parseHex(m.group(1).replace(" ", "")));
            }
        }
        if (cur != null) {
            out.add(cur.toByteArray());
        }
        out.removeIf(b -> (b[4] & 0xff | (b[5] & 0xff) << 8) != InetDiag.SOCK_DIAG_BY_FAMILY);
        return out;
    }

    static List<InetDiagMsg> replies(String path) throws IOException {
        List<InetDiagMsg> out = new ArrayList<>();
        for (byte[] m : KernelCapture.messages(path, t -> t == InetDiag.SOCK_DIAG_BY_FAMILY)) {
            out.add(InetDiagMsg.decode(NetlinkMessage.decodeAll(m).get(0)));
        }
        return out;
    }

    static byte[] asSsSendsIt(int family, int protocol) {
        NetlinkMessage m = InetDiagRequest.dump(family, protocol, SS_STATES, SS_EXT);
        return m.withFlags(m.flags() | Netlink.NLM_F_DUMP).withSeqAndPid(123456, 0).encode();
    }

    @Test
    void dumpRequestsEncodeExactlyAsSsSendsThem() throws Exception {
        List<byte[]> sent = requests();
        assertThat(sent).hasSize(4); // ss -Mni: AF_INET, AF_INET6; ss -tni: AF_INET, AF_INET6
        assertThat(asSsSendsIt(Syscalls.AF_INET, Syscalls.IPPROTO_MPTCP)).isEqualTo(sent.get(0));
        assertThat(asSsSendsIt(Syscalls.AF_INET6, Syscalls.IPPROTO_MPTCP)).isEqualTo(sent.get(1));
        assertThat(asSsSendsIt(Syscalls.AF_INET, Syscalls.IPPROTO_TCP)).isEqualTo(sent.get(2));
        assertThat(asSsSendsIt(Syscalls.AF_INET6, Syscalls.IPPROTO_TCP)).isEqualTo(sent.get(3));
        // what ConnectionDiag itself asks for: ss's states (without the unused bit 0), fewer extensions
        assertThat(InetDiag.CONNECTED_STATES).isEqualTo(SS_STATES & ~1);
        assertThat(ConnectionDiag.TCP_EXT & ~SS_EXT).isZero();
        assertThat(ConnectionDiag.MPTCP_EXT & ~SS_EXT).isZero();
    }

    @Test
    void badDumpRequestsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> InetDiagRequest.dump(0, Syscalls.IPPROTO_TCP, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AF_INET or AF_INET6");
        assertThatThrownBy(() -> InetDiagRequest.dump(Syscalls.AF_INET, Syscalls.IPPROTO_TCP, 2, 0x100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ext 0x100");
    }

    @Test
    void connectionsDecodeAsSsReadTheSameBytes() throws Exception {
        Map<String, SsText.Entry> ssM = SsText.parse(SsText.printedIn(text(MPTCP)));
        Map<String, SsText.Entry> ssT = SsText.parse(SsText.printedIn(text(TCP)));
        List<ConnectionSnapshot> conns = ConnectionGrouping.group(replies(MPTCP), replies(TCP));
        NamespaceConnections ns = new NamespaceConnections(null, 0, conns);
        assertThat(ns.count()).isEqualTo(ssM.size()).isEqualTo(2);
        assertThat(ns.subflowCount()).isEqualTo(ssT.size()).isEqualTo(3);
        assertThat(ns.fallbackCount()).isEqualTo(1);
        for (ConnectionSnapshot c : conns) {
            SsText.Entry m = ssM.get(SsText.key(c.local(), c.remote()));
            assertThat(m).as("ss -M lists %s", c).isNotNull();
            assertThat(c.tokenHex()).isEqualTo(m.field("token"));
            assertThat(c.fallback()).isEqualTo(m.has("fallback"));
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(c.bytesSent()).isPositive();
            assertThat(c.subflows()).hasSize(c.fallback() ? 1 : 2);
            for (SubflowSnapshot s : c.subflows()) {
                SsText.Entry t = ssT.get(SsText.key(s.local(), s.remote()));
                assertThat(t).as("ss -t lists %s", s).isNotNull();
                long[] tokens = t.tokens();
                assertThat(tokens[2]).as("the subflow's local token is the connection's").isEqualTo(c.token());
                assertThat(s.localId()).isEqualTo(tokens[3]);
                assertThat(s.remoteId()).isEqualTo(tokens[1]);
                assertThat(s.cwnd()).isEqualTo(t.number("cwnd"));
                assertThat(s.rttMicros()).isEqualTo(t.rttMicros());
                assertThat(s.bytesSent()).isEqualTo(t.number("bytes_sent"));
                assertThat(s.bytesAcked()).isEqualTo(t.number("bytes_acked"));
                assertThat(s.bytesReceived()).isEqualTo(t.number("bytes_received"));
                assertThat(s.retransmits()).isEqualTo(t.field("retrans") == null ? 0 : Long.parseLong(t.field("retrans").split("/")[1]));
                assertThat(s.congestionControl()).isEqualTo(t.firstWord()).isEqualTo("bbr");
                // ss prints MPTCP_SUBFLOW_FLAG_BKUP_REM as 'B' and BKUP_LOC as 'b'
                assertThat(s.backup()).isEqualTo(t.field("flags").matches(".*[bB].*"));
                assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED);
            }
        }
        ConnectionSnapshot multipath = conns.stream().filter(c -> !c.fallback()).findFirst().orElseThrow();
        assertThat(multipath.subflows()).filteredOn(SubflowSnapshot::backup).singleElement()
                .satisfies(s -> assertThat(s.local().getAddress().getHostAddress()).isEqualTo("198.18.2.1"));
        assertThat(multipath.activeSubflows()).isEqualTo(1);
    }

    @Test
    void withoutUlpInfoAConnectionKeepsItsInitialSubflowByAddress() throws Exception {
        // what a reader without CAP_NET_ADMIN gets: no INET_DIAG_ULP_INFO, so no tokens on the TCP side
        List<InetDiagMsg> bare = new ArrayList<>();
        for (InetDiagMsg m : replies(TCP)) {
            bare.add(new InetDiagMsg(m.family(), m.state(), m.local(), m.remote(), m.ifindex(), m.inode(), m.info(),
                    m.congestion(), null));
        }
        List<ConnectionSnapshot> conns = ConnectionGrouping.group(replies(MPTCP), bare);
        assertThat(conns).hasSize(2).allSatisfy(c -> {
            assertThat(c.subflows()).singleElement().satisfies(s -> {
                assertThat(s.local()).isEqualTo(c.local());
                assertThat(s.remote()).isEqualTo(c.remote());
                assertThat(s.backup()).isFalse();
                assertThat(s.localId()).isEqualTo(-1);
            });
        });
    }

    @Test
    void anMptcpSocketWithoutMptcpInfoIsAFormatError() throws Exception {
        InetDiagMsg m = replies(MPTCP).get(0);
        InetDiagMsg noInfo = new InetDiagMsg(m.family(), m.state(), m.local(), m.remote(), 0, 0, null, null, null);
        assertThatThrownBy(() -> ConnectionGrouping.group(List.of(noInfo), List.of()))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("no INET_DIAG_INFO");
    }

    @Test
    void shortMessagesAndUnknownFamiliesAreFormatErrors() {
        assertThatThrownBy(() -> InetDiagMsg.decode(new byte[71])).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("71 bytes");
        byte[] p = new byte[InetDiag.SIZEOF_MSG];
        p[0] = 1; // AF_UNIX
        assertThatThrownBy(() -> InetDiagMsg.decode(p)).isInstanceOf(NetlinkFormatException.class)
                .hasMessageContaining("family 1");
    }

    @Test
    void tcpInfoFieldsBeyondTheKernelsLengthAreMinusOne() {
        byte[] info = new byte[104]; // a 4.0-era tcp_info: no bytes_acked, bytes_received, bytes_sent
        info[80] = 10;
        assertThat(TcpInfoFields.u32(info, TcpInfoFields.OFF_SND_CWND)).isEqualTo(10);
        assertThat(TcpInfoFields.u64(info, TcpInfoFields.OFF_BYTES_ACKED)).isEqualTo(-1);
        assertThat(TcpInfoFields.u64(info, TcpInfoFields.OFF_BYTES_SENT)).isEqualTo(-1);
        assertThat(TcpInfoFields.u32(null, TcpInfoFields.OFF_RTT)).isEqualTo(-1);
    }

    @Test
    void tcpStatesFollowTheKernelsNumbers() {
        assertThat(TcpState.of(1)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(TcpState.of(10)).isEqualTo(TcpState.LISTEN);
        assertThat(TcpState.of(99)).isEqualTo(TcpState.UNKNOWN);
        for (TcpState s : TcpState.values()) {
            if (s != TcpState.UNKNOWN) {
                assertThat(TcpState.of(s.number())).isEqualTo(s);
            }
        }
    }
}
