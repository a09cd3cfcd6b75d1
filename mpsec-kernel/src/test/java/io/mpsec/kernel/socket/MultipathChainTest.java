package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.NativeIoException;
import io.mpsec.kernel.ffi.Errno;
import org.junit.jupiter.api.Test;

/** isMultipath() on kernels without TCP_IS_MPTCP (before 6.10): the MPTCP_INFO errno chain. */
class MultipathChainTest {
    @Test
    void mptcpInfoSuccessIsMptcpUnlessFlaggedFallback() throws Exception {
        assertThat(MptcpIntrospection.fromMptcpInfo(0, 0)).isTrue();
        assertThat(MptcpIntrospection.fromMptcpInfo(0, 2)).as("remote key received only").isTrue();
        assertThat(MptcpIntrospection.fromMptcpInfo(0, 1)).as("MPTCP_INFO_FLAG_FALLBACK").isFalse();
    }

    @Test
    void enoprotooptMeansTheSocketFellBackToTcp() throws Exception {
        assertThat(MptcpIntrospection.fromMptcpInfo(Errno.ENOPROTOOPT, 0)).isFalse();
    }

    @Test
    void eopnotsuppMeansAnMptcpSocketOnAKernelBefore516() throws Exception {
        assertThat(MptcpIntrospection.fromMptcpInfo(Errno.EOPNOTSUPP, 0)).isTrue();
    }

    @Test
    void otherErrorsAreReportedNotGuessed() {
        assertThatThrownBy(() -> MptcpIntrospection.fromMptcpInfo(Errno.EBADF, 0))
                .isInstanceOf(NativeIoException.class).hasMessageStartingWith("getsockopt(MPTCP_INFO) failed: EBADF");
    }
}
