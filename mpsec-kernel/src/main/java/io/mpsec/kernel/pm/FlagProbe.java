package io.mpsec.kernel.pm;

import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.pm.Endpoint;
import io.mpsec.pm.EndpointFlag;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Which endpoint flags the running kernel keeps. Measured, not guessed: the kernel silently drops
 * flag bits it does not know (verified on 6.18: 0x40 and 0x10000 vanish, LAMINAR 0x20 stays), so
 * the probe adds an endpoint with each flag in a private, anonymous network namespace (a thread
 * that calls {@code unshare(CLONE_NEWNET)} and then ends) and reads it back. Without
 * CAP_SYS_ADMIN it falls back to the kernel version (LAMINAR: 6.18+). Probed once per JVM.
 */
final class FlagProbe {
    private static final AtomicReference<Map<EndpointFlag, Boolean>> RESULT = new AtomicReference<>();

    private FlagProbe() {
    }

    static boolean supports(EndpointFlag f) {
        if (f != EndpointFlag.LAMINAR) {
            return true; // SIGNAL..IMPLICIT exist since 5.6/5.16 and every kernel with mptcp_pm events (5.12+) ...
        }
        Map<EndpointFlag, Boolean> r = RESULT.get();
        if (r == null) {
            r = probe();
            RESULT.compareAndSet(null, r);
        }
        return r.get(f);
    }

    private static Map<EndpointFlag, Boolean> probe() {
        Map<EndpointFlag, Boolean> out = new EnumMap<>(EndpointFlag.class);
        AtomicReference<Boolean> laminar = new AtomicReference<>();
        Thread t = new Thread(() -> laminar.set(probeInPrivateNamespace()), "mpsec-flag-probe");
        t.setDaemon(true);
        t.start();
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Boolean l = laminar.get();
        out.put(EndpointFlag.LAMINAR, l != null ? l : KernelVersion.current().atLeast(6, 18));
        return out;
    }

    /** Runs on a throwaway thread: after unshare the thread is alone in a new, empty netns. */
    private static Boolean probeInPrivateNamespace() {
        try {
            if (Syscalls.libc().unshare(Syscalls.CLONE_NEWNET) < 0) {
                return null;
            }
            try (NetlinkConnection c = NetlinkConnection.open(Netlink.NETLINK_GENERIC);
                    MptcpPathManager pm = MptcpPathManager.over(c)) {
                Set<EndpointFlag> flags = EnumSet.of(EndpointFlag.SUBFLOW, EndpointFlag.LAMINAR);
                pm.addEndpointUnchecked(new Endpoint(1, InetAddress.getByName("198.18.0.1"), 0, flags, 0));
                return pm.endpoint(1).flags().contains(EndpointFlag.LAMINAR);
            }
        } catch (Exception e) {
            return null;
        }
    }
}
