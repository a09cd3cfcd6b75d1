package io.mpsec.kernel.diag;

import io.mpsec.SubflowInfo;
import io.mpsec.kernel.ffi.Errors;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.AttributeReader;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkException;
import io.mpsec.kernel.netlink.NetlinkMessage;
import io.mpsec.kernel.netlink.NetlinkSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Adds the backup flag to subflows, from the MPTCP ULP info of inet_diag
 * ({@code MPTCP_SUBFLOW_ATTR_FLAGS}: BKUP_LOC / BKUP_REM), which getsockopt does not report.
 *
 * <p>The kernel includes ULP info only for callers with CAP_NET_ADMIN; without it the flag stays
 * empty ("unknown") rather than guessed. The query runs in the socket's own network
 * namespace (found with {@code ioctl(SIOCGSKNS)}), so it works for sockets created in another
 * namespace than the calling thread's.
 */
public final class SubflowDiag {
    /** SIOCGSKNS (linux/sockios.h, 4.9+): a descriptor for the socket's network namespace. */
    static final long SIOCGSKNS = 0x894C;

    private SubflowDiag() {
    }

    /**
     * Returns {@code subflows} with {@link SubflowInfo#backup()} filled in where the kernel reports
     * it; on any failure the input is returned unchanged.
     */
    public static List<SubflowInfo> withBackupFlags(int socketFd, List<SubflowInfo> subflows) {
        if (subflows.isEmpty()) {
            return subflows;
        }
        try (NetlinkConnection diag = new NetlinkConnection(openInSocketNamespace(socketFd))) {
            List<SubflowInfo> out = new ArrayList<>(subflows.size());
            List<NetlinkMessage> dump = null;
            for (SubflowInfo sf : subflows) {
                SubflowInfo filled = withBackup(diag, sf);
                if (filled.backup().isEmpty()) {
                    // A subflow bound to a device (endpoint "dev X") is not found by an exact lookup
                    // without its ifindex; look for it in one dump of the namespace's TCP sockets.
                    if (dump == null) {
                        dump = diag.dump("sock_diag dump", InetDiagRequest.dumpAll(sf.local().getAddress() instanceof java.net.Inet4Address)).messages();
                    }
                    filled = fromDump(dump, sf);
                }
                out.add(filled);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return subflows;
        }
    }

    private static SubflowInfo withBackup(NetlinkConnection diag, SubflowInfo sf) throws IOException {
        List<NetlinkMessage> replies;
        try {
            replies = diag.request("sock_diag(" + sf.local() + " -> " + sf.remote() + ")",
                    InetDiagRequest.exact(sf.local(), sf.remote()));
        } catch (NetlinkException e) {
            return sf; // subflow closed meanwhile (ENOENT)
        }
        for (NetlinkMessage m : replies) {
            Integer flags = subflowFlags(m.payload());
            if (flags != null) {
                return withFlags(sf, flags);
            }
        }
        return sf;
    }

    private static SubflowInfo fromDump(List<NetlinkMessage> dump, SubflowInfo sf) throws IOException {
        byte[] want = InetDiagRequest.exact(sf.local(), sf.remote()).payload();
        for (NetlinkMessage m : dump) {
            byte[] p = m.payload();
            // inet_diag_msg.id (offset 4) has the same layout as the request's id (offset 8): compare
            // ports and addresses (36 bytes), not the interface (a bound subflow has one) or the cookie
            if (p.length >= InetDiag.SIZEOF_MSG && java.util.Arrays.equals(p, 4, 40, want, 8, 44)) {
                Integer flags = subflowFlags(p);
                return flags == null ? sf : withFlags(sf, flags);
            }
        }
        return sf;
    }

    private static SubflowInfo withFlags(SubflowInfo sf, int flags) {
        boolean backup = (flags & (InetDiag.MPTCP_SUBFLOW_FLAG_BKUP_LOC | InetDiag.MPTCP_SUBFLOW_FLAG_BKUP_REM)) != 0;
        return sf.withBackup(backup);
    }

    /** MPTCP_SUBFLOW_ATTR_FLAGS from an inet_diag_msg payload, or null when absent. */
    static Integer subflowFlags(byte[] payload) throws IOException {
        if (payload.length < InetDiag.SIZEOF_MSG) {
            return null;
        }
        AttributeReader attrs = AttributeReader.parse(payload, InetDiag.SIZEOF_MSG, payload.length - InetDiag.SIZEOF_MSG, "inet_diag_msg");
        if (!attrs.has(InetDiag.INET_DIAG_ULP_INFO)) {
            return null;
        }
        AttributeReader ulp = attrs.nested(InetDiag.INET_DIAG_ULP_INFO);
        if (!ulp.has(InetDiag.INET_ULP_INFO_MPTCP)) {
            return null;
        }
        AttributeReader mptcp = ulp.nested(InetDiag.INET_ULP_INFO_MPTCP);
        return mptcp.has(InetDiag.MPTCP_SUBFLOW_ATTR_FLAGS) ? (int) mptcp.u32(InetDiag.MPTCP_SUBFLOW_ATTR_FLAGS) : null;
    }

    private static NetlinkSocket openInSocketNamespace(int socketFd) throws IOException {
        int nsfd = Syscalls.libc().ioctl(socketFd, SIOCGSKNS, new int[1]);
        if (nsfd < 0) {
            throw Errors.newException("ioctl(SIOCGSKNS)", Syscalls.errno());
        }
        try {
            String socketNs = Files.readSymbolicLink(Path.of("/proc/self/fd/" + nsfd)).toString();
            String threadNs = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            if (socketNs.equals(threadNs)) {
                return NetlinkSocket.open(InetDiag.NETLINK_SOCK_DIAG);
            }
            // A short-lived thread enters the socket's namespace, opens the diag socket (which stays
            // bound to that namespace) and ends; no other thread changes namespace.
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    if (Syscalls.libc().setns(nsfd, Syscalls.CLONE_NEWNET) < 0) {
                        throw Errors.newException("setns(socket namespace)", Syscalls.errno());
                    }
                    result.set(NetlinkSocket.open(InetDiag.NETLINK_SOCK_DIAG));
                } catch (IOException | RuntimeException e) {
                    result.set(e);
                }
            }, "mpsec-sock-diag");
            t.start();
            t.join();
            Object r = result.get();
            if (r instanceof NetlinkSocket) {
                return (NetlinkSocket) r;
            }
            throw r instanceof IOException ? (IOException) r : new IOException(String.valueOf(r));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted opening sock_diag");
        } finally {
            Syscalls.closeQuietly(nsfd);
        }
    }
}
