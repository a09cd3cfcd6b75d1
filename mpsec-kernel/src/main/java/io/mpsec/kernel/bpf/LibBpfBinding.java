package io.mpsec.kernel.bpf;

import io.mpsec.pm.MissingKernelFeatureException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Loads libbpf once, on first use. libbpf is found as {@code libbpf.so} (Debian's {@code libbpf-dev})
 * or {@code libbpf.so.1} (the runtime package {@code libbpf1}, version 1.1 or newer).
 */
final class LibBpfBinding {
    private static LibBpf lib;
    private static Runtime runtime;
    private static Throwable failure;

    private LibBpfBinding() {
    }

    static synchronized LibBpf lib() throws MissingKernelFeatureException {
        if (lib == null && failure == null) {
            for (String name : new String[] {"bpf", "libbpf.so.1"}) {
                try {
                    lib = LibraryLoader.create(LibBpf.class).failImmediately().load(name);
                    runtime = Runtime.getRuntime(lib);
                    failure = null;
                    break;
                } catch (LinkageError | RuntimeException e) {
                    failure = e;
                }
            }
        }
        if (lib == null) {
            throw new MissingKernelFeatureException("libbpf", "the libbpf 1.1+ shared library",
                    "install it (Debian/Ubuntu: apt-get install libbpf1) to load BPF congestion controls", failure);
        }
        return lib;
    }

    static int errno() {
        return runtime.getLastError();
    }
}
