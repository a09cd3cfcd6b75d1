package io.mpsec.kernel.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpsec.NativeIoException;
import io.mpsec.kernel.ffi.Errno;
import org.junit.jupiter.api.Test;

/**
 * isMultipath() on kernels without TCP_IS_MPTCP (before 6.10): the getsockopt chain of
 * {@link MultipathChain}. Steps 2-3 also run against real sockets on the host and in the 6.1 kernel
 * lane (KernelReachIT); step 4 (kernels before 5.16) only here.
 */
class MultipathChainTest {
    @Test
    void mptcpInfoSuccessIsMptcpUnlessFlaggedFallback() throws Exception {
        assertThat(MultipathChain.fromMptcpInfo(0, 0, true)).isTrue();
        assertThat(MultipathChain.fromMptcpInfo(0, 2, true)).as("remote key received only").isTrue();
        assertThat(MultipathChain.fromMptcpInfo(0, 1, true)).as("MPTCP_INFO_FLAG_FALLBACK").isFalse();
    }

    @Test
    void eopnotsuppOnAKernelWithMptcpInfoMeansTheSocketFellBack() throws Exception {
        // measured on 6.18 and 6.1: mptcp_getsockopt passes a fallen-back socket's calls to TCP
        assertThat(MultipathChain.fromMptcpInfo(Errno.EOPNOTSUPP, 0, true)).isFalse();
        assertThat(MultipathChain.fromMptcpInfo(Errno.ENOPROTOOPT, 0, true)).isFalse();
    }

    @Test
    void beforeLinux516OnlyTheTcpLevelCanTell() throws Exception {
        assertThat(MultipathChain.fromMptcpInfo(Errno.EOPNOTSUPP, 0, false)).as("undecided").isNull();
        assertThat(MultipathChain.fromTcpLevel(0)).as("TCP answered: fell back").isFalse();
        assertThat(MultipathChain.fromTcpLevel(Errno.EOPNOTSUPP)).as("the MPTCP socket refused: MPTCP").isTrue();
    }

    @Test
    void otherErrorsAreReportedNotGuessed() {
        assertThatThrownBy(() -> MultipathChain.fromMptcpInfo(Errno.EBADF, 0, true))
                .isInstanceOf(NativeIoException.class).hasMessageStartingWith("getsockopt(MPTCP_INFO) failed: EBADF");
        assertThatThrownBy(() -> MultipathChain.fromTcpLevel(Errno.EBADF))
                .isInstanceOf(NativeIoException.class).hasMessageStartingWith("getsockopt(TCP_NODELAY) failed: EBADF");
    }
}
