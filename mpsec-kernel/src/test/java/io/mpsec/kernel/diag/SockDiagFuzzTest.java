package io.mpsec.kernel.diag;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.fuzz.FuzzTarget;
import io.mpsec.kernel.fuzz.Fuzzer;
import io.mpsec.kernel.fuzz.Seeds;
import io.mpsec.kernel.netlink.NetlinkFormatException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the sock_diag decoder (inet_diag_msg, then INET_DIAG_ULP_INFO / INET_ULP_INFO_MPTCP /
 * MPTCP_SUBFLOW_ATTR_FLAGS) with mutations of what {@code ss -tni} received for a live MPTCP
 * connection (golden/replies/diag-tcp-mptcp.txt).
 */
class SockDiagFuzzTest {
    @Test
    void subflowFlagsSurviveMutatedInetDiagMessages() {
        List<byte[]> seeds = Seeds.messages(t -> t == InetDiag.SOCK_DIAG_BY_FAMILY, "diag-tcp-mptcp");
        FuzzTarget t = FuzzTarget.of("SubflowDiag.subflowFlags", seeds, in -> {
            List<Integer> flags = new ArrayList<>();
            for (NetlinkMessage m : NetlinkMessage.decodeAll(in)) {
                flags.add(SubflowDiag.subflowFlags(m.payload()));
            }
            return flags;
        }).netlink(type -> InetDiag.SIZEOF_MSG).covers(SubflowDiag.class).build();
        Fuzzer.Report r = Fuzzer.run(t);
        assertThat(r.unexpected()).as("unexpected exceptions:%n%s", String.join("\n", r.failures())).isZero();
        assertThat(r.ok()).isPositive();
    }

    @Test
    void theCapturedSubflowsCarryTheirMptcpFlags() throws Exception {
        // ss -tni as root: the kernel adds INET_DIAG_ULP_INFO with the MPTCP subflow flags
        int withFlags = 0;
        for (byte[] d : Seeds.messages(t -> t == InetDiag.SOCK_DIAG_BY_FAMILY, "diag-tcp-mptcp")) {
            if (SubflowDiag.subflowFlags(NetlinkMessage.decodeAll(d).get(0).payload()) != null) {
                withFlags++;
            }
        }
        assertThat(withFlags).isPositive();
    }

    @Test
    void aTruncatedUlpAttributeIsAFormatError() {
        byte[] p = new byte[InetDiag.SIZEOF_MSG + 8];
        p[InetDiag.SIZEOF_MSG] = 40; // nla_len 40 with 8 bytes left
        p[InetDiag.SIZEOF_MSG + 2] = (byte) InetDiag.INET_DIAG_ULP_INFO;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SubflowDiag.subflowFlags(p))
                .isInstanceOf(NetlinkFormatException.class).hasMessageContaining("nla_len 40");
    }
}
