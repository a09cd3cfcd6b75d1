package io.mpsec.kernel.pm;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.kernel.netlink.Netlink;
import io.mpsec.kernel.netlink.NetlinkConnection;
import io.mpsec.kernel.netlink.NetlinkException;
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
 * that calls {@code unshare(CLONE_NEWNET)} and then ends) and reads it back:
 * <ul>
 * <li>SIGNAL, SUBFLOW, BACKUP: alone; FULLMESH and LAMINAR: with SUBFLOW (FULLMESH with SIGNAL is
 *     refused by every kernel that knows it);</li>
 * <li>IMPLICIT: the kernels that know it refuse to create such an endpoint ("can't create IMPLICIT
 *     endpoint", EINVAL), kernels that do not drop the bit; so a refusal with EINVAL means supported.</li>
 * </ul>
 * Without CAP_SYS_ADMIN the probe cannot run and the kernel version decides (SIGNAL, SUBFLOW,
 * BACKUP: 5.7; FULLMESH: 5.18; IMPLICIT: 5.19; LAMINAR: 6.18). Probed once per JVM.
 */
final class FlagProbe {
    private static final AtomicReference<Map<EndpointFlag, Boolean>> RESULT = new AtomicReference<>();
    /**
     * How long the probe may take before the kernel version decides instead: a few milliseconds on a
     * host; the emulated 6.1 kernel lane runs everything 10-30x slower, so the probe gets 30 s there too.
     */
    private static final long PROBE_MILLIS = 30_000;
    /** Whether the last probe measured (true) or fell back to the kernel version (false). */
    private static volatile boolean measured;

    private FlagProbe() {
    }

    static boolean supports(EndpointFlag f) {
        return results().get(f);
    }

    /** Every flag with its support, probed on first use. */
    static Map<EndpointFlag, Boolean> results() {
        Map<EndpointFlag, Boolean> r = RESULT.get();
        if (r == null) {
            r = probe();
            RESULT.compareAndSet(null, r);
            r = RESULT.get();
        }
        return r;
    }

    /** Whether the results were measured in a private namespace (false: taken from the kernel version). */
    static boolean measured() {
        results();
        return measured;
    }

    private static Map<EndpointFlag, Boolean> probe() {
        AtomicReference<Map<EndpointFlag, Boolean>> probed = new AtomicReference<>();
        Thread t = new Thread(() -> probed.set(probeInPrivateNamespace()), "mpsec-flag-probe");
        t.setDaemon(true);
        t.start();
        try {
            t.join(PROBE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<EndpointFlag, Boolean> p = probed.get();
        if (p != null) {
            measured = true;
            return p;
        }
        KernelVersion k = KernelVersion.current();
        Map<EndpointFlag, Boolean> out = new EnumMap<>(EndpointFlag.class);
        out.put(EndpointFlag.SIGNAL, k.atLeast(5, 7));
        out.put(EndpointFlag.SUBFLOW, k.atLeast(5, 7));
        out.put(EndpointFlag.BACKUP, k.atLeast(5, 7));
        out.put(EndpointFlag.FULLMESH, k.atLeast(5, 18));
        out.put(EndpointFlag.IMPLICIT, k.atLeast(5, 19));
        out.put(EndpointFlag.LAMINAR, k.atLeast(6, 18));
        return out;
    }

    /** Runs on a throwaway thread: after unshare the thread is alone in a new, empty netns. */
    private static Map<EndpointFlag, Boolean> probeInPrivateNamespace() {
        try {
            if (Syscalls.libc().unshare(Syscalls.CLONE_NEWNET) < 0) {
                return null;
            }
            Map<EndpointFlag, Boolean> out = new EnumMap<>(EndpointFlag.class);
            try (NetlinkConnection c = NetlinkConnection.open(Netlink.NETLINK_GENERIC);
                    MptcpPathManager pm = MptcpPathManager.over(c)) {
                int id = 1;
                for (EndpointFlag f : EndpointFlag.values()) {
                    InetAddress a = InetAddress.getByName("198.18.0." + id);
                    out.put(f, f == EndpointFlag.IMPLICIT ? refusesImplicit(pm, id, a) : keeps(pm, id, a, f));
                    id++;
                }
            }
            return out;
        } catch (Exception e) {
            return null;
        }
    }

    /** Adds endpoint {@code id} with {@code f} (and SUBFLOW where {@code f} needs it), reads it back, deletes it. */
    private static boolean keeps(MptcpPathManager pm, int id, InetAddress a, EndpointFlag f) throws Exception {
        Set<EndpointFlag> flags = EnumSet.of(f);
        if (f == EndpointFlag.FULLMESH || f == EndpointFlag.LAMINAR) {
            flags.add(EndpointFlag.SUBFLOW);
        }
        try {
            pm.addEndpointUnchecked(new Endpoint(id, a, 0, flags, 0));
        } catch (NetlinkException e) {
            return false; // refused outright: not a flag this kernel accepts
        }
        try {
            return pm.endpoint(id).flags().contains(f);
        } finally {
            pm.deleteEndpoint(id);
        }
    }

    private static boolean refusesImplicit(MptcpPathManager pm, int id, InetAddress a) throws Exception {
        try {
            pm.addEndpointUnchecked(new Endpoint(id, a, 0, EnumSet.of(EndpointFlag.IMPLICIT), 0));
        } catch (NetlinkException e) {
            return e.errno() == Errno.EINVAL;
        }
        try {
            return pm.endpoint(id).flags().contains(EndpointFlag.IMPLICIT);
        } finally {
            pm.deleteEndpoint(id);
        }
    }
}
