package io.mpsec.kernel.bpf;

import io.mpsec.kernel.ffi.Bytes;
import io.mpsec.kernel.ffi.Syscalls;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds BPF maps the kernel already holds by type and name ({@code BPF_MAP_GET_NEXT_ID},
 * {@code BPF_MAP_GET_FD_BY_ID}, {@code BPF_OBJ_GET_INFO_BY_FD}), so that a registration left by
 * another process (or a crashed one) can be reused or removed.
 */
final class StructOpsMaps {
    /** {@code BPF_MAP_TYPE_STRUCT_OPS} (include/uapi/linux/bpf.h). */
    static final int TYPE_STRUCT_OPS = 26;
    /** {@code BPF_MAP_TYPE_HASH}. */
    static final int TYPE_HASH = 1;
    /** Offsets in {@code struct bpf_map_info}: type 0, name 24 (16 bytes). */
    private static final int INFO_LEN = 40;
    private static final int NAME_OFFSET = 24;
    /** {@code BPF_OBJ_NAME_LEN} (include/uapi/linux/bpf.h): names keep at most 15 characters and a NUL. */
    static final int OBJ_NAME_LEN = 16;

    private StructOpsMaps() {
    }

    /**
     * An fd for the newest map of this type whose (kernel, at most 15 characters) name is
     * {@code name}, or -1 if there is none. The caller closes the fd.
     */
    static int find(LibBpf lib, int type, String name) {
        List<Integer> all = findAll(lib, type, name);
        for (int i = 0; i < all.size() - 1; i++) {
            Syscalls.closeQuietly(all.get(i));
        }
        return all.isEmpty() ? -1 : all.get(all.size() - 1);
    }

    /**
     * Fds for every map of this type named {@code name}, oldest first. There can be several: an
     * unregistered struct_ops map lives on while connections still use it. The caller closes them.
     */
    static List<Integer> findAll(LibBpf lib, int type, String name) {
        List<Integer> found = new ArrayList<>();
        int[] next = new int[1];
        int id = 0;
        while (lib.bpf_map_get_next_id(id, next) == 0) {
            id = next[0];
            int fd = lib.bpf_map_get_fd_by_id(id);
            if (fd < 0) {
                continue;
            }
            byte[] info = new byte[INFO_LEN];
            int[] len = {INFO_LEN};
            if (lib.bpf_obj_get_info_by_fd(fd, info, len) == 0 && Bytes.intLE(info, 0) == type && kernelName(name).equals(name(info))) {
                found.add(fd);
            } else {
                Syscalls.closeQuietly(fd);
            }
        }
        return found;
    }

    /** {@code value_size} of the map behind {@code fd} (offset 12 of struct bpf_map_info), -1 if unknown. */
    static int valueSize(LibBpf lib, int fd) {
        byte[] info = new byte[INFO_LEN];
        int[] len = {INFO_LEN};
        return lib.bpf_obj_get_info_by_fd(fd, info, len) == 0 ? Bytes.intLE(info, 12) : -1;
    }

    /**
     * The name the kernel keeps for a map named {@code name} in its object: the first 15 characters
     * ({@code mpsec_olia_conns} is listed as {@code mpsec_olia_conn}).
     */
    static String kernelName(String name) {
        return name.length() < OBJ_NAME_LEN ? name : name.substring(0, OBJ_NAME_LEN - 1);
    }

    private static String name(byte[] info) {
        int end = NAME_OFFSET;
        while (end < NAME_OFFSET + OBJ_NAME_LEN && info[end] != 0) {
            end++;
        }
        return new String(info, NAME_OFFSET, end - NAME_OFFSET, StandardCharsets.US_ASCII);
    }

    /**
     * Unregisters a struct_ops map by deleting its only element (key 0), as {@code bpftool
     * struct_ops unregister} does. Returns 0 or a positive errno: EINPROGRESS or ENOENT for a map
     * that is no longer registered (kernel/bpf/bpf_struct_ops.c).
     */
    static int unregister(LibBpf lib, int fd) {
        int rc = lib.bpf_map_delete_elem(fd, new byte[4]);
        return rc == 0 ? 0 : Math.abs(rc);
    }
}
