package io.mpsec.kernel.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;

/**
 * Which kernel functions a BPF object calls that the running kernel does not have. The object's
 * BTF lists every {@code __ksym} function it declares (a {@code FUNC} with extern linkage); the
 * kernel's BTF ({@code /sys/kernel/btf/vmlinux}) lists the functions it has (libbpf's
 * {@code btf__new}, {@code btf__load_vmlinux_btf}). A name missing there
 * makes libbpf refuse the object before the verifier runs (ESRCH, "not found in kernel or module
 * BTFs"), so the reason is found here rather than in a verifier log.
 */
final class KernelFunctions {
    /** include/uapi/linux/btf.h: {@code BTF_KIND_FUNC}, and {@code BTF_FUNC_EXTERN} (a FUNC's vlen). */
    static final int BTF_KIND_FUNC = 12;
    static final int BTF_FUNC_EXTERN = 2;
    /** The kernel release that added a kfunc MPSec's programs call, where it is newer than MPTCP (5.6). */
    private static final Map<String, String> ADDED_IN = Map.of("bpf_rdonly_cast", "6.2");

    private KernelFunctions() {
    }

    /**
     * The extern ({@code __ksym}) functions the BPF object file {@code object} declares, read from its
     * {@code .BTF} section as the compiler wrote it (libbpf rewrites these entries when it opens an
     * object, so an opened object no longer tells them apart).
     */
    static List<String> declared(LibBpf lib, byte[] object) {
        List<String> out = new ArrayList<>();
        ByteBuffer elf = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int[] section = btfSection(elf);
        if (section == null) {
            return out;
        }
        jnr.ffi.Runtime rt = jnr.ffi.Runtime.getRuntime(lib);
        Pointer raw = jnr.ffi.Memory.allocateDirect(rt, section[1]);
        raw.put(0, object, section[0], section[1]);
        Pointer btf = lib.btf__new(raw, section[1]);
        if (btf == null) {
            return out;
        }
        try {
            int count = lib.btf__type_cnt(btf);
            for (int id = 1; id < count; id++) {
                Pointer t = lib.btf__type_by_id(btf, id);
                // struct btf_type: __u32 name_off; __u32 info (vlen bits 0-15, kind bits 24-28); ...
                int info = t.getInt(4);
                if (((info >>> 24) & 0x1f) == BTF_KIND_FUNC && (info & 0xffff) == BTF_FUNC_EXTERN) {
                    out.add(lib.btf__name_by_offset(btf, t.getInt(0)));
                }
            }
        } finally {
            lib.btf__free(btf);
        }
        return out;
    }

    /** {offset, size} of the {@code .BTF} section of a 64-bit little-endian ELF file, or null. */
    private static int[] btfSection(ByteBuffer elf) {
        // include/uapi/linux/elf.h, Elf64_Ehdr and Elf64_Shdr
        if (elf.limit() < 64 || elf.getInt(0) != 0x464c457f || elf.get(4) != 2 || elf.get(5) != 1) {
            return null;
        }
        long shoff = elf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(elf.getShort(0x3a));
        int shnum = Short.toUnsignedInt(elf.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(elf.getShort(0x3e));
        if (shoff <= 0 || shentsize < 64 || shoff + (long) shnum * shentsize > elf.limit() || shstrndx >= shnum) {
            return null;
        }
        int names = (int) elf.getLong((int) shoff + shstrndx * shentsize + 0x18);
        for (int i = 0; i < shnum; i++) {
            int h = (int) shoff + i * shentsize;
            if (".BTF".equals(cString(elf, names + elf.getInt(h)))) {
                long off = elf.getLong(h + 0x18);
                long size = elf.getLong(h + 0x20);
                return off + size <= elf.limit() ? new int[] {(int) off, (int) size} : null;
            }
        }
        return null;
    }

    private static String cString(ByteBuffer b, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = at; i >= 0 && i < b.limit() && b.get(i) != 0; i++) {
            sb.append((char) b.get(i));
        }
        return sb.toString();
    }

    /**
     * The functions of {@code names} the running kernel's BTF lacks; empty if none is missing or the
     * kernel BTF cannot be read (then nothing can be said).
     */
    static List<String> missing(LibBpf lib, List<String> names) {
        List<String> out = new ArrayList<>();
        if (names.isEmpty()) {
            return out;
        }
        Pointer vmlinux = lib.btf__load_vmlinux_btf();
        if (vmlinux == null) {
            return out;
        }
        try {
            for (String name : names) {
                if (lib.btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC) < 0) {
                    out.add(name);
                }
            }
        } finally {
            lib.btf__free(vmlinux);
        }
        return out;
    }

    /** {@code bpf_rdonly_cast (Linux 6.2+)}, or just the name when its release is not recorded. */
    static String describe(String name) {
        String release = ADDED_IN.get(name);
        return release == null ? name : name + " (Linux " + release + "+)";
    }
}
