package io.mpsec.kernel.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/**
 * The libbpf calls MPSec makes (libbpf 1.1, Debian 12's {@code libbpf1}; declarations from
 * {@code bpf/libbpf.h} and {@code bpf/bpf.h} of libbpf 1.1.2). libbpf 1.x returns {@code NULL} with
 * errno set from functions returning pointers, and a negative errno from functions returning int.
 * Only {@link LibBpfBinding} and the classes of this package use it.
 */
public interface LibBpf {
    /** {@code struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz, const struct bpf_object_open_opts *opts)} */
    @SaveError Pointer bpf_object__open_mem(Pointer objBuf, @size_t long size, Pointer opts);

    int bpf_object__load(Pointer obj);

    void bpf_object__close(Pointer obj);

    Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    /** Registers a struct_ops map; on libbpf 1.1 the returned link unregisters it when destroyed. */
    @SaveError Pointer bpf_map__attach_struct_ops(Pointer map);

    int bpf_link__destroy(Pointer link);

    int bpf_map__fd(Pointer map);

    @SaveError int bpf_map_lookup_elem(int fd, @In byte[] key, @Out byte[] value);

    @SaveError int bpf_map_delete_elem(int fd, @In byte[] key);

    @SaveError int bpf_map_get_next_key(int fd, @In byte[] key, @Out byte[] nextKey);

    @SaveError int bpf_map_get_next_id(int startId, @Out int[] nextId);

    @SaveError int bpf_map_get_fd_by_id(int id);

    /** {@code info} is in and out: the kernel reads pointer fields of some info types. */
    @SaveError int bpf_obj_get_info_by_fd(int fd, byte[] info, int[] infoLen);

    /** {@code struct btf *btf__new(const void *data, __u32 size)}: parses raw BTF; free it with {@link #btf__free}. */
    Pointer btf__new(Pointer data, int size);

    /** {@code struct btf *btf__load_vmlinux_btf(void)}: the running kernel's BTF; free it with {@link #btf__free}. */
    @SaveError Pointer btf__load_vmlinux_btf();

    void btf__free(Pointer btf);

    /** {@code __u32 btf__type_cnt(const struct btf *btf)}: number of types plus one (id 0 is void). */
    int btf__type_cnt(Pointer btf);

    /** {@code const struct btf_type *btf__type_by_id(const struct btf *btf, __u32 id)} */
    Pointer btf__type_by_id(Pointer btf, int id);

    /** {@code const char *btf__name_by_offset(const struct btf *btf, __u32 offset)} */
    String btf__name_by_offset(Pointer btf, int offset);

    /** {@code __s32 btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind)}: an id, or a negative errno. */
    int btf__find_by_name_kind(Pointer btf, String name, int kind);
}
