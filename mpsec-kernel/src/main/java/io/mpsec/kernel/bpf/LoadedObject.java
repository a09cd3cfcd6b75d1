package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Errno;
import io.mpsec.kernel.ffi.Syscalls;
import java.lang.ref.Reference;
import io.mpsec.kernel.pm.KernelVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A BPF object opened from memory ({@code bpf_object__open_mem}) and loaded into the kernel
 * ({@code bpf_object__load}), not yet registered. A verifier rejection becomes a
 * {@link BpfLoadException} carrying the verifier log.
 */
final class LoadedObject implements AutoCloseable {
    private static final int LOG_SIZE = 1 << 20;
    /** sizeof(struct bpf_object_open_opts) of libbpf 1.1 on 64-bit; offsets from bpf/libbpf.h. */
    private static final int OPTS_SIZE = 80;
    private static final int OPTS_OBJECT_NAME = 8;
    private static final int OPTS_LOG_BUF = 56;
    private static final int OPTS_LOG_SIZE = 64;

    private final LibBpf lib;
    private final Pointer obj;
    @SuppressWarnings("unused") // the object's bytes stay allocated while libbpf holds the object
    private final Pointer bytes;
    private boolean closed;

    private LoadedObject(LibBpf lib, Pointer obj, Pointer bytes) {
        this.lib = lib;
        this.obj = obj;
        this.bytes = bytes;
    }

    /** Opens {@code object} (an ELF BPF object) under the name {@code name} and loads it. */
    static LoadedObject openAndLoad(LibBpf lib, String name, byte[] object) throws BpfLoadException {
        Runtime rt = Runtime.getRuntime(lib);
        Pointer buf = Memory.allocateDirect(rt, object.length);
        buf.put(0, object, 0, object.length);
        Pointer log = Memory.allocateDirect(rt, LOG_SIZE);
        log.putByte(0, (byte) 0);
        byte[] objName = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        Pointer namePtr = Memory.allocateDirect(rt, objName.length);
        namePtr.put(0, objName, 0, objName.length);
        Pointer opts = Memory.allocateDirect(rt, OPTS_SIZE);
        opts.setMemory(0, OPTS_SIZE, (byte) 0);
        opts.putLong(0, OPTS_SIZE);
        opts.putAddress(OPTS_OBJECT_NAME, namePtr.address());
        opts.putAddress(OPTS_LOG_BUF, log.address());   // libbpf retries a failed load with log level 1 into it
        opts.putLong(OPTS_LOG_SIZE, LOG_SIZE);
        Pointer obj = lib.bpf_object__open_mem(buf, object.length, opts);
        Reference.reachabilityFence(namePtr);   // libbpf copied the name; the memory must live until here
        if (obj == null) {
            int err = LibBpfBinding.errno();
            throw new BpfLoadException("libbpf could not open the BPF object " + name + ": " + Syscalls.strerror(err), err, null);
        }
        int rc = lib.bpf_object__load(obj);
        if (rc < 0) {
            String verifierLog = log.getString(0, LOG_SIZE, StandardCharsets.US_ASCII);
            List<String> missing = KernelFunctions.missing(lib, KernelFunctions.declared(lib, object));
            lib.bpf_object__close(obj);
            throw failure(name, -rc, verifierLog, missing);
        }
        return new LoadedObject(lib, obj, buf);
    }

    /** The map called {@code name}; throws if the object has none. */
    Pointer map(String name) throws BpfLoadException {
        Pointer m = lib.bpf_object__find_map_by_name(obj, name);
        if (m == null) {
            throw new BpfLoadException("the BPF object has no map " + name, 0, null);
        }
        return m;
    }

    /** An exception for a failed load or registration of {@code name}, explaining EPERM and verifier rejections. */
    static BpfLoadException failure(String name, int err, String verifierLog) {
        return failure(name, err, verifierLog, List.of());
    }

    /**
     * As {@link #failure(String, int, String)}; {@code missing} are kernel functions the object calls
     * that this kernel's BTF lacks (libbpf refuses such an object before the verifier sees it).
     */
    static BpfLoadException failure(String name, int err, String verifierLog, List<String> missing) {
        String what = "loading the BPF congestion control " + name + " failed: " + Syscalls.strerror(err);
        boolean rejected = verifierLog != null && !verifierLog.isBlank();
        if (!missing.isEmpty()) {
            what += "; this kernel (Linux " + KernelVersion.current().release() + ") lacks the kernel function"
                    + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing.stream().map(KernelFunctions::describe).toList())
                    + " that " + name + " calls (not in /sys/kernel/btf/vmlinux): it cannot run on this kernel";
        }
        if (rejected) {
            what += "; the kernel's verifier rejected a program (its log follows)";
        } else if (err == Errno.EPERM || err == Errno.EACCES) {
            if (!Privileges.canLoadBpf()) {
                what += "; loading a BPF congestion control needs CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON,"
                        + " and this thread lacks " + Privileges.missing() + ": run it as root or grant CAP_BPF and CAP_PERFMON";
            } else {
                what += "; the kernel refused although the capabilities are present"
                        + " (a security module, a seccomp filter, or a user namespace?)";
            }
        }
        return new BpfLoadException(what, err, verifierLog, missing);
    }

    /** Closes the object: its programs and maps are released unless registered. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            lib.bpf_object__close(obj);
        }
    }
}
