package io.mpsec.kernel.diag;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.netlink.AttributeWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SubflowDiagTest {
    private static byte[] diagMsg(AttributeWriter attrs) {
        byte[] a = attrs.toByteArray();
        byte[] out = new byte[InetDiag.SIZEOF_MSG + a.length];
        out[0] = 2;
        System.arraycopy(a, 0, out, InetDiag.SIZEOF_MSG, a.length);
        return out;
    }

    @Test
    void readsBackupFlagsFromUlpInfo() throws Exception {
        AttributeWriter w = new AttributeWriter();
        w.nested(InetDiag.INET_DIAG_ULP_INFO, ulp -> {
            ulp.string(1, "mptcp");
            ulp.nested(InetDiag.INET_ULP_INFO_MPTCP, m -> m.u32(InetDiag.MPTCP_SUBFLOW_ATTR_FLAGS,
                    InetDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC | 0x80));
        });
        assertThat(SubflowDiag.subflowFlags(diagMsg(w))).isEqualTo(InetDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC | 0x80);
    }

    @Test
    void absentUlpInfoMeansUnknown() throws Exception {
        AttributeWriter w = new AttributeWriter();
        w.u8(InetDiag.INET_DIAG_INFO, 1);
        assertThat(SubflowDiag.subflowFlags(diagMsg(w))).isNull();
        assertThat(SubflowDiag.subflowFlags(new byte[10])).isNull();
    }

    @Test
    void exactRequestLayout() throws Exception {
        byte[] p = InetDiagRequest.exact(new InetSocketAddress(InetAddress.getByName("198.18.2.1"), 0x1234),
                new InetSocketAddress(InetAddress.getByName("198.18.1.2"), 80)).payload();
        assertThat(p).hasSize(InetDiag.SIZEOF_REQ_V2);
        assertThat(p[0]).as("AF_INET").isEqualTo((byte) 2);
        assertThat(p[1]).as("IPPROTO_TCP").isEqualTo((byte) 6);
        assertThat(Bytes.ushortBE(p, 8)).isEqualTo(0x1234);
        assertThat(Bytes.ushortBE(p, 10)).isEqualTo(80);
        assertThat(new byte[] {p[12], p[13], p[14], p[15]}).containsExactly(198, 18, 2, 1);
        assertThat(new byte[] {p[28], p[29], p[30], p[31]}).containsExactly(198, 18, 1, 2);
        assertThat(Bytes.intLE(p, 48)).isEqualTo(-1);
        assertThat(Bytes.intLE(p, 52)).isEqualTo(-1);
    }
}
