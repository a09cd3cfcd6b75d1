package io.mpsec.kernel.socket;

import java.io.IOException;

/** MPTCP queries on a raw descriptor owned by someone else (Netty's channels). */
public final class MptcpFd {
    private MptcpFd() {
    }

    /**
     * Whether the connected socket {@code fd} runs MPTCP (TCP_IS_MPTCP, else the SO_PROTOCOL /
     * MPTCP_INFO errno chain). The caller must keep {@code fd} open during the call.
     */
    public static boolean isMultipath(int fd) throws IOException {
        return MptcpIntrospection.isMultipath(fd);
    }
}
