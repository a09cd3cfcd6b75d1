package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Syscalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/** One host-wide registration as this JVM holds it. */
final class Registration {
    final LibBpf lib;
    final Program program;
    private final LoadedObject obj;
    private final Pointer link;
    private final int stateFd;
    final boolean owned;
    int bssFd = -1;   // the object's .bss (repair counters); owned registrations only
    int users;

    Registration(LibBpf lib, Program program, LoadedObject obj, Pointer link, int stateFd, boolean owned) {
        this.lib = lib;
        this.program = program;
        this.obj = obj;
        this.link = link;
        this.stateFd = stateFd;
        this.owned = owned;
    }

    static Registration reused(LibBpf lib, Program program) {
        int fd = StructOpsMaps.find(lib, StructOpsMaps.TYPE_HASH, program.stateMap);
        return new Registration(lib, program, null, null, fd, false);
    }

    List<byte[]> entries() throws IOException {
        if (stateFd < 0) {
            throw new IOException("the map " + program.stateMap + " of the reused registration of "
                    + program.kernelName + " was not found");
        }
        int size = StructOpsMaps.valueSize(lib, stateFd);
        if (size != program.entrySize) {
            throw new IOException("the registered " + program.kernelName + " comes from another MPSec version (its "
                    + program.stateMap + " entries have " + size + " bytes, this version's " + program.entrySize
                    + "): call CoupledCongestionControl.unregister(\"" + program.kernelName + "\") and load it again");
        }
        List<byte[]> out = new ArrayList<>();
        byte[] key = null;
        byte[] next = new byte[8];
        while (lib.bpf_map_get_next_key(stateFd, key, next) == 0) {
            key = next.clone();
            byte[] value = new byte[program.entrySize];
            if (lib.bpf_map_lookup_elem(stateFd, key, value) == 0) {
                out.add(value);
            }
        }
        return out;
    }

    /** The repair counters in the object's .bss (see {@link CallbackRepairs}); empty when this JVM did not register it. */
    java.util.Optional<CallbackRepairs> callbackRepairs() throws IOException {
        if (bssFd < 0) {
            return java.util.Optional.empty();
        }
        int size = StructOpsMaps.valueSize(lib, bssFd);
        if (size < CallbackRepairs.SIZE) {
            throw new IOException("the .bss of " + program.kernelName + " has " + size + " bytes, not the repair counters");
        }
        byte[] value = new byte[size];
        if (lib.bpf_map_lookup_elem(bssFd, new byte[4], value) != 0) {
            throw new IOException("reading the .bss of " + program.kernelName + " failed: errno " + LibBpfBinding.errno());
        }
        return java.util.Optional.of(CallbackRepairs.parse(value));
    }

    void release() {
        if (owned) {
            lib.bpf_link__destroy(link);   // unregisters (libbpf 1.1: deletes the struct_ops map element)
            obj.close();                    // closes stateFd with the object
        } else if (stateFd >= 0) {
            Syscalls.closeQuietly(stateFd);
        }
    }
}
