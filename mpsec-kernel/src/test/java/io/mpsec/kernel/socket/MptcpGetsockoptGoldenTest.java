package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.MptcpConnectionInfo;
import io.mpsec.SubflowInfo;
import io.mpsec.TcpState;
import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.fuzz.KernelCapture;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decodes what a real Linux 6.18 connection returned to python3's getsockopt
 * (golden/replies/mptcp-getsockopt.txt, made by capture.sh next to it) and checks the values the
 * capture's scenario fixes, not offsets: the client namespace sets {@code ip mptcp limits set
 * subflows 4 add_addr_accepted 4} and a subflow endpoint 198.18.2.1; the server signals
 * 198.18.2.2; python connects to [2001:2:0:1::2]:5001, sends 100,000 bytes, receives nothing,
 * sleeps one second and then reads MPTCP_INFO, MPTCP_SUBFLOW_ADDRS and MPTCP_TCPINFO.
 */
class MptcpGetsockoptGoldenTest {
    private static final String CAPTURE = "/golden/replies/mptcp-getsockopt.txt";
    private static final int SENT = 100_000;

    private static List<byte[]> capture() {
        List<byte[]> hex = KernelCapture.hexLines(CAPTURE);
        assertThat(hex).as("MPTCP_INFO, MPTCP_SUBFLOW_ADDRS, MPTCP_TCPINFO").hasSize(3);
        return hex;
    }

    @Test
    void mptcpInfoOfTheCapturedConnection() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(capture().get(0));
        assertThat(i.structSize()).as("Linux 6.10+ layout").isEqualTo(96);
        assertThat(i.fallback()).isFalse();
        assertThat(i.remoteKeyReceived()).as("handshake complete").isTrue();
        assertThat(i.token()).isNotZero();
        assertThat(i.subflowsMax()).as("limits subflows 4").isEqualTo(4);
        assertThat(i.addAddrAcceptedMax()).as("limits add_addr_accepted 4").isEqualTo(4);
        assertThat(i.addAddrAccepted()).as("the server's one signal endpoint").isEqualTo(1);
        assertThat(i.addAddrSignal()).as("the client signals nothing").isZero();
        assertThat(i.addAddrSignalMax()).isZero();
        assertThat(i.localAddrUsed()).as("the client's one subflow endpoint").hasValue(1);
        assertThat(i.localAddrMax()).hasValue(1);
        assertThat(i.checksumEnabled()).as("net.mptcp.checksum_enabled defaults to 0").contains(false);
        assertThat(i.subflows()).as("one subflow joined the initial one").isEqualTo(1);
        assertThat(i.subflowsTotal()).hasValue(2);
        assertThat(i.pathsInUse()).isEqualTo(2);
        assertThat(i.bytesSent()).as("python sent 100,000 bytes").hasValue(SENT);
        assertThat(i.bytesAcked()).as("all acknowledged after a second").hasValue(SENT);
        assertThat(i.bytesReceived()).as("the server sends nothing").hasValue(0);
        assertThat(i.retransmits()).hasValue(0);
        assertThat(i.bytesRetrans()).hasValue(0);
        assertThat(i.lastDataSentMillis().getAsLong()).as("python slept 1 s after sending").isBetween(800L, 1500L);
        assertThat(i.writeSeq()).as("all data acknowledged").isEqualTo(i.sndUna());
        assertThat(i.writeSeq() - i.rcvNxt()).as("the two ends' data sequence numbers are unrelated").isNotZero();
    }

    @Test
    void olderLayoutsOfTheSameBytesReportOnlyWhatTheyHad() throws Exception {
        byte[] info = capture().get(0);
        MptcpConnectionInfo v65 = MptcpInfoDecoder.decode(Arrays.copyOf(info, 80));
        assertThat(v65.bytesSent()).hasValue(SENT);
        assertThat(v65.subflowsTotal()).isEmpty();
        assertThat(v65.pathsInUse()).as("estimated as subflows + 1").isEqualTo(2);
        MptcpConnectionInfo v59 = MptcpInfoDecoder.decode(Arrays.copyOf(info, 40));
        assertThat(v59.token()).isEqualTo(MptcpInfoDecoder.decode(info).token());
        assertThat(v59.bytesSent()).isEmpty();
        assertThat(v59.localAddrUsed()).isEmpty();
        assertThat(v59.checksumEnabled()).isEmpty();
        assertThat(v59).isNotEqualTo(MptcpInfoDecoder.decode(info));
        assertThat(MptcpInfoDecoder.decode(info)).isEqualTo(MptcpInfoDecoder.decode(info.clone()))
                .hasSameHashCodeAs(MptcpInfoDecoder.decode(info.clone()));
    }

    @Test
    void toStringShowsTheCountersButNotTheDataSequenceNumbers() throws Exception {
        MptcpConnectionInfo i = MptcpInfoDecoder.decode(capture().get(0));
        String s = i.toString();
        assertThat(s).contains(String.format("token=%08x", i.token()), "bytesSent=100000", "subflowsTotal=2",
                "structSize=96");
        for (long seq : new long[] {i.writeSeq(), i.sndUna(), i.rcvNxt()}) {
            assertThat(s).doesNotContain(Long.toString(seq), Long.toUnsignedString(seq), Long.toHexString(seq));
        }
    }

    @Test
    void subflowsOfTheCapturedConnection() throws Exception {
        List<byte[]> hex = capture();
        List<SubflowInfo> subflows = MptcpIntrospection.decodeTcpInfoAndAddrs(hex.get(2), hex.get(1));
        assertThat(subflows).hasSize(2);
        SubflowInfo initial = subflows.get(0);
        SubflowInfo joined = subflows.get(1);
        assertThat(initial.local().getAddress()).isEqualTo(InetAddress.getByName("2001:2:0:1::1"));
        assertThat(initial.remote().getAddress()).isEqualTo(InetAddress.getByName("2001:2:0:1::2"));
        assertThat(initial.remote().getPort()).isEqualTo(5001);
        assertThat(joined.local().getAddress()).as("the subflow endpoint").isEqualTo(InetAddress.getByName("198.18.2.1"));
        assertThat(joined.remote().getAddress()).as("the signalled address").isEqualTo(InetAddress.getByName("198.18.2.2"));
        assertThat(joined.remote().getPort()).isEqualTo(5001);
        for (SubflowInfo sf : subflows) {
            assertThat(sf.tcpState()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(sf.id()).as("MPTCP_TCPINFO carries no subflow id").isEmpty();
            assertThat(sf.backup()).as("getsockopt does not report the backup flag").isEmpty();
            assertThat(sf.rttMicros()).isPositive();
            assertThat(sf.cwnd()).isPositive();
            assertThat(sf.bytesReceived()).as("the server sends nothing").isZero();
            assertThat(sf.bytesSent()).isGreaterThanOrEqualTo(sf.bytesAcked() - 1);
        }
        // each subflow's tcpi_bytes_acked also counts its SYN's sequence number
        assertThat(subflows.stream().mapToLong(SubflowInfo::bytesAcked).sum())
                .as("the 100,000 bytes split over the subflows, plus one SYN each").isEqualTo(SENT + 2);
    }

    @Test
    void truncatedSubflowRepliesAreFormatErrors() {
        List<byte[]> hex = capture();
        byte[] tcp = hex.get(2).clone();
        Bytes.putIntLE(tcp, 12, 100); // size_user: a tcp_info of 100 bytes, without tcpi_bytes_sent
        assertThatThrownBy(() -> MptcpIntrospection.decodeTcpInfoAndAddrs(tcp, hex.get(1)))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("MPTCP_TCPINFO: struct tcp_info of 100 bytes");
        assertThatThrownBy(() -> MptcpIntrospection.decodeTcpInfoAndAddrs(new byte[8], hex.get(1)))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("mptcp_subflow_data too short");
    }
}
