package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import io.mpsec.pm.CongestionControl;
import io.mpsec.pm.MissingKernelFeatureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * A coupled MPTCP congestion control made usable on a stock kernel: MPSec's BPF
 * {@code tcp_congestion_ops} ({@link CongestionControl#LIA}: {@code mpsec_lia}, RFC 6356;
 * {@link CongestionControl#OLIA}: {@code mpsec_olia}, Khalili et al. CoNEXT 2012;
 * {@link CongestionControl#BALIA}: {@code mpsec_balia}, Peng et al. IEEE/ACM ToN 2016;
 * {@link CongestionControl#WVEGAS}: {@code mpsec_wvegas}, Cao, Xu, Fu, IEEE ICNP 2012) loaded
 * through libbpf and registered, so that {@code MpsecSocketOptions.TCP_CONGESTION} can name
 * {@link #kernelName()} and every subflow of the socket runs it.
 *
 * <pre>{@code
 * try (CoupledCongestionControl lia = CoupledCongestionControl.load(CongestionControl.LIA)) {
 *     socket.setOption(MpsecSocketOptions.TCP_CONGESTION, lia.kernelName());
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Lifetime.</b> A registration is host-wide. Handles in one JVM share it by kernel name and
 * unregister it when the last one closes, but only if this JVM registered it. If the name is already
 * listed in {@code net.ipv4.tcp_available_congestion_control} (another process, or one that
 * crashed), it is reused and left registered; {@link #unregister(String)} removes it. libbpf 1.1
 * registers plainly (no BPF link), so a registration outlives a process that dies without closing.
 * Connections that use the algorithm keep working after it is unregistered (the kernel holds a
 * reference); their new subflows fall back to the default algorithm.
 *
 * <p>If the kernel lists the requested algorithm under its own name (the out-of-tree
 * multipath-tcp.org kernels list {@code lia}), that one is used and nothing is loaded.
 *
 * <p>Needs: libbpf 1.1+ ({@code libbpf1}), kernel BTF ({@code /sys/kernel/btf/vmlinux}), Linux 6.2+
 * ({@code bpf_rdonly_cast}), and CAP_SYS_ADMIN or CAP_BPF with CAP_PERFMON.
 */
public final class CoupledCongestionControl implements AutoCloseable {
    private static final Path AVAILABLE = Path.of("/proc/sys/net/ipv4/tcp_available_congestion_control");
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Map<String, Registration> REGISTRATIONS = new HashMap<>();

    private final CongestionControl requested;
    private final String kernelName;
    private final Registration registration;
    private boolean closed;

    private CoupledCongestionControl(CongestionControl requested, String kernelName, Registration registration) {
        this.requested = requested;
        this.kernelName = kernelName;
        this.registration = registration;
    }

    /**
     * What the calling thread lacks to load a BPF congestion control, for example
     * {@code "CAP_SYS_ADMIN, CAP_PERFMON"}; empty when it has CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON.
     * Capabilities are per thread on Linux; this reads the calling thread's.
     */
    public static Optional<String> missingPrivileges() {
        return Privileges.canLoadBpf() ? Optional.empty() : Optional.of(Privileges.missing());
    }

    /**
     * Makes {@code cc} usable with TCP_CONGESTION: the kernel's own algorithm if listed, otherwise
     * MPSec's BPF version, loaded and registered (or an existing registration reused).
     *
     * @throws MissingKernelFeatureException no libbpf, no kernel BTF, or no BPF version of {@code cc}
     * @throws BpfLoadException libbpf failed (missing privileges, verifier rejection with its log)
     */
    public static CoupledCongestionControl load(CongestionControl cc) throws IOException {
        Program program = Program.of(cc);
        if (available().contains(cc.name())) {
            return new CoupledCongestionControl(cc, cc.name(), null);
        }
        synchronized (REGISTRATIONS) {
            Registration r = REGISTRATIONS.get(program.kernelName);
            if (r == null) {
                r = register(program);
                REGISTRATIONS.put(program.kernelName, r);
            }
            r.users++;
            return new CoupledCongestionControl(cc, program.kernelName, r);
        }
    }

    /**
     * Removes a registration of MPSec's algorithm {@code kernelName} (for example {@code mpsec_lia})
     * from the kernel, whoever made it: recovery after a crash. Returns whether one was found.
     * Connections that use it keep it (their new subflows fall back to the default algorithm).
     */
    public static boolean unregister(String kernelName) throws IOException {
        LibBpf lib = LibBpfBinding.lib();
        synchronized (REGISTRATIONS) {
            // this JVM's handles stay valid to close; the next load() registers afresh
            REGISTRATIONS.remove(kernelName);
        }
        boolean removed = false;
        IOException failure = null;
        for (int fd : StructOpsMaps.findAll(lib, StructOpsMaps.TYPE_STRUCT_OPS, kernelName)) {
            try {
                int err = StructOpsMaps.unregister(lib, fd);
                if (err == 0) {
                    removed = true;
                } else if (err != Errno.ENOENT && err != Errno.EINPROGRESS) {   // those are no longer registered
                    failure = new BpfLoadException("unregistering " + kernelName + " failed: " + Syscalls.strerror(err), err, null);
                }
            } finally {
                Syscalls.closeQuietly(fd);
            }
        }
        if (failure != null && !removed) {
            throw failure;
        }
        return removed;
    }

    /**
     * Checks that MPSec's BPF version of {@code cc} loads on this kernel (libbpf present, BTF, CO-RE
     * relocations, verifier, privileges) by loading it and releasing it without registering anything.
     * Returns normally if it can; otherwise throws the reason, as {@link #load} would.
     */
    public static void checkLoadable(CongestionControl cc) throws IOException {
        Program program = Program.of(cc);
        LibBpf lib = LibBpfBinding.lib();
        requireBtf(program);
        LoadedObject.openAndLoad(lib, program.kernelName, resource(program)).close();
    }

    private static void requireBtf(Program program) throws MissingKernelFeatureException {
        if (!Files.exists(VMLINUX_BTF)) {
            throw new MissingKernelFeatureException("BPF congestion control '" + program.kernelName + "'",
                    "kernel BTF (" + VMLINUX_BTF + ", CONFIG_DEBUG_INFO_BTF=y)", "this kernel has no " + VMLINUX_BTF);
        }
    }

    /** The kernel's algorithm names ({@code net.ipv4.tcp_available_congestion_control}). */
    public static List<String> available() throws IOException {
        return Arrays.asList(Files.readString(AVAILABLE).trim().split("\\s+"));
    }

    private static Registration register(Program program) throws IOException {
        LibBpf lib = LibBpfBinding.lib();
        if (available().contains(program.kernelName)) {
            return Registration.reused(lib, program);
        }
        requireBtf(program);
        LoadedObject obj = LoadedObject.openAndLoad(lib, program.kernelName, resource(program));
        boolean ok = false;
        try {
            Pointer ops = obj.map(program.kernelName);
            Pointer state = obj.map(program.stateMap);
            Pointer link = lib.bpf_map__attach_struct_ops(ops);
            if (link == null) {
                int err = LibBpfBinding.errno();
                if (err == Errno.EEXIST) {   // registered by another process meanwhile
                    return Registration.reused(lib, program);
                }
                throw LoadedObject.failure(program.kernelName, err, null);
            }
            ok = true;
            Registration r = new Registration(lib, program, obj, link, lib.bpf_map__fd(state), true);
            r.bssFd = lib.bpf_map__fd(obj.map(".bss"));
            return r;
        } finally {
            if (!ok) {
                obj.close();
            }
        }
    }

    private static byte[] resource(Program program) throws IOException {
        try (InputStream in = CoupledCongestionControl.class.getResourceAsStream(program.resource())) {
            if (in == null) {
                throw new IOException("BPF object " + program.resource() + " is missing from the mpsec-kernel jar");
            }
            return in.readAllBytes();
        }
    }

    /** The name to pass to TCP_CONGESTION, for example {@code mpsec_lia}. */
    public String kernelName() {
        return kernelName;
    }

    /** The algorithm asked for. */
    public CongestionControl requested() {
        return requested;
    }

    /** Whether the kernel's own algorithm is used (nothing loaded). */
    public boolean kernelProvided() {
        return registration == null;
    }

    /** Whether this JVM registered the algorithm (and so unregisters it when the last handle closes). */
    public boolean registeredHere() {
        return registration != null && registration.owned;
    }

    /**
     * The connections MPSec's LIA currently couples, read from its BPF map. Empty for the kernel's own
     * algorithm.
     *
     * @throws IllegalStateException this handle is not LIA's
     */
    public List<LiaConnection> connections() throws IOException {
        List<LiaConnection> out = new ArrayList<>();
        for (byte[] v : entries(Program.LIA)) {
            out.add(LiaConnection.parse(v));
        }
        return out;
    }

    /**
     * The connections MPSec's OLIA currently couples, with its sets and per-subflow state, read from
     * its BPF map. Empty for the kernel's own algorithm.
     *
     * @throws IllegalStateException this handle is not OLIA's
     */
    public List<OliaConnection> oliaConnections() throws IOException {
        List<OliaConnection> out = new ArrayList<>();
        for (byte[] v : entries(Program.OLIA)) {
            out.add(OliaConnection.parse(v));
        }
        return out;
    }

    /**
     * The connections MPSec's BALIA currently couples, with each subflow's alpha, read from its BPF
     * map. Empty for the kernel's own algorithm.
     *
     * @throws IllegalStateException this handle is not BALIA's
     */
    public List<BaliaConnection> baliaConnections() throws IOException {
        List<BaliaConnection> out = new ArrayList<>();
        for (byte[] v : entries(Program.BALIA)) {
            out.add(BaliaConnection.parse(v));
        }
        return out;
    }

    /**
     * The connections MPSec's wVegas currently couples, with each subflow's base and smoothed RTT,
     * weight, alpha and backlog (diff), read from its BPF map. Empty for the kernel's own algorithm.
     *
     * @throws IllegalStateException this handle is not wVegas's
     */
    public List<WvegasConnection> wvegasConnections() throws IOException {
        List<WvegasConnection> out = new ArrayList<>();
        for (byte[] v : entries(Program.WVEGAS)) {
            out.add(WvegasConnection.parse(v));
        }
        return out;
    }

    /**
     * How often this registration repaired a garbage window or threshold left by a skipped callback
     * (see {@link CallbackRepairs}); empty for the kernel's own algorithm or a registration made by
     * another process.
     */
    public Optional<CallbackRepairs> callbackRepairs() throws IOException {
        synchronized (REGISTRATIONS) {
            return registration == null || closed ? Optional.empty() : registration.callbackRepairs();
        }
    }

    private List<byte[]> entries(Program expected) throws IOException {
        if (registration == null) {
            return List.of();
        }
        if (registration.program != expected) {
            throw new IllegalStateException("this handle is " + kernelName + "'s, not " + expected.kernelName + "'s");
        }
        synchronized (REGISTRATIONS) {
            if (closed) {
                throw new IllegalStateException(kernelName + " handle is closed");
            }
            return registration.entries();
        }
    }

    /** Releases this handle; the last handle of a registration made by this JVM unregisters it. */
    @Override
    public void close() {
        synchronized (REGISTRATIONS) {
            if (closed || registration == null) {
                closed = true;
                return;
            }
            closed = true;
            if (--registration.users == 0) {
                REGISTRATIONS.remove(kernelName, registration);
                registration.release();
            }
        }
    }

    @Override
    public String toString() {
        return "CoupledCongestionControl[" + requested + " as " + kernelName
                + (kernelProvided() ? ", kernel's own" : registeredHere() ? ", registered here" : ", reused") + "]";
    }
}
