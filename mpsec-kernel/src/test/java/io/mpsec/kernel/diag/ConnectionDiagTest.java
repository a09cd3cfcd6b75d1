package io.mpsec.kernel.diag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.fuzz.KernelCapture;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.testing.FakeKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionDiag} over a fake kernel that answers with the replies captured from ss
 * (golden/replies/diag-conns-*.txt): the requests it makes per snapshot, and its errors.
 */
class ConnectionDiagTest {
    static List<byte[]> payloads(String path) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (byte[] m : KernelCapture.messages(path, t -> t == InetDiag.SOCK_DIAG_BY_FAMILY)) {
            out.add(NetlinkMessage.decodeAll(m).get(0).payload());
        }
        return out;
    }

    static boolean isMptcp(NetlinkMessage request) {
        return request.payloadLength() > InetDiag.SIZEOF_REQ_V2; // the INET_DIAG_REQ_PROTOCOL attribute
    }

    @Test
    void aSnapshotIsFourDumpsWhateverTheNumberOfConnections() throws Exception {
        List<byte[]> mptcp = payloads(ConnectionDiagGoldenTest.MPTCP);
        List<byte[]> tcp = payloads(ConnectionDiagGoldenTest.TCP);
        FakeKernel kernel = new FakeKernel(req -> {
            boolean v4 = req.payload()[0] == Syscalls.AF_INET;
            List<byte[]> answer = !v4 ? List.of() : isMptcp(req) ? mptcp : tcp;
            return FakeKernel.dump(req, InetDiag.SOCK_DIAG_BY_FAMILY, answer);
        });
        try (ConnectionDiag diag = new ConnectionDiag(new NetlinkConnection(kernel), "c")) {
            NamespaceConnections now = diag.snapshot();
            assertThat(now.namespace()).isEqualTo("c");
            assertThat(now.count()).isEqualTo(2);
            assertThat(now.subflowCount()).isEqualTo(3);
            assertThat(now.fallbackCount()).isEqualTo(1);
            assertThat(now.takenAtMillis()).isPositive();
        }
        assertThat(kernel.requests()).hasSize(4);
        assertThat(kernel.requests()).filteredOn(ConnectionDiagTest::isMptcp).hasSize(2)
                .allSatisfy(r -> assertThat(r.payload()[2]).isEqualTo((byte) ConnectionDiag.MPTCP_EXT));
        assertThat(kernel.requests()).filteredOn(r -> !isMptcp(r)).hasSize(2)
                .allSatisfy(r -> assertThat(r.payload()[2]).isEqualTo((byte) ConnectionDiag.TCP_EXT));
        assertThat(kernel.requests()).extracting(r -> (int) r.payload()[0])
                .containsExactlyInAnyOrder(Syscalls.AF_INET, Syscalls.AF_INET, Syscalls.AF_INET6, Syscalls.AF_INET6);
        assertThat(kernel.isClosed()).isTrue();
    }

    @Test
    void aKernelWithoutMptcpDiagIsNamedWithWhatToDo() throws Exception {
        FakeKernel kernel = new FakeKernel(req -> isMptcp(req) ? FakeKernel.error(req, Errno.ENOENT, null)
                : FakeKernel.dump(req, InetDiag.SOCK_DIAG_BY_FAMILY, List.of()));
        try (ConnectionDiag diag = new ConnectionDiag(new NetlinkConnection(kernel), null)) {
            assertThatThrownBy(diag::snapshot).isInstanceOf(IOException.class)
                    .hasMessageContaining("ENOENT").hasMessageContaining("CONFIG_INET_MPTCP_DIAG")
                    .hasMessageContaining("modprobe mptcp_diag");
        }
    }

    @Test
    void otherKernelErrorsKeepTheirErrno() throws Exception {
        FakeKernel kernel = new FakeKernel(req -> FakeKernel.error(req, Errno.EPERM, null));
        try (ConnectionDiag diag = new ConnectionDiag(new NetlinkConnection(kernel), null)) {
            assertThatThrownBy(diag::snapshot).isInstanceOf(io.mpsec.kernel.netlink.NetlinkException.class)
                    .satisfies(e -> assertThat(((io.mpsec.kernel.netlink.NetlinkException) e).errno()).isEqualTo(Errno.EPERM));
        }
    }
}
