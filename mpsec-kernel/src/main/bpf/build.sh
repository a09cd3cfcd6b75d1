#!/usr/bin/env bash
# Rebuilds MPSec's BPF congestion controls (mpsec-kernel/src/main/bpf/*.bpf.c) into the committed
# objects under mpsec-kernel/src/main/resources/io/mpsec/kernel/bpf/, so Maven needs no clang
# (the cilium/ebpf bpf2go convention), and the test fixtures of src/test/bpf into
# src/test/resources/io/mpsec/kernel/bpf/.
#
#   build.sh            rebuild and overwrite the committed objects
#   build.sh --check    rebuild into a temporary directory and fail if any object differs
#   build.sh --vmlinux  regenerate vmlinux.h from this kernel's BTF, then rebuild
#
# Needs the Debian packages clang, llvm (llvm-strip), libbpf-dev (bpf/*.h) and bpftool (--vmlinux).
# vmlinux.h is committed: the objects are compiled against its struct layouts (CO-RE relocates them
# at load time), so rebuilding from the committed header gives the same bytes on any machine, while a
# header dumped from another kernel would not. It was dumped from Linux 6.18 with bpftool 7.1:
#   bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h
# The objects keep BTF (.BTF, .BTF.ext: CO-RE needs them) but lose DWARF (llvm-strip -g), which
# would embed the build directory. clang 14 (Debian 12) needs -mcpu=v3 for the atomic operations.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$SRC/../resources/io/mpsec/kernel/bpf"
MODE="${1:-build}"

need() { command -v "$1" >/dev/null 2>&1 || { echo "build.sh: '$1' not found: apt-get install $2" >&2; exit 2; }; }
need clang clang
need llvm-strip llvm
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "build.sh: bpf/bpf_helpers.h not found: apt-get install libbpf-dev" >&2; exit 2; }

case "$MODE" in
    build|--check) ;;
    --vmlinux)
        need bpftool bpftool
        bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$SRC/vmlinux.h"
        MODE=build ;;
    *) echo "usage: build.sh [--check|--vmlinux]" >&2; exit 2 ;;
esac

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
status=0
# build_dir SOURCE_DIR OUTPUT_DIR: every *.bpf.c of SOURCE_DIR into OUTPUT_DIR (or compared with it)
build_dir() {
    local dir="$1" out="$2" c o
    cd "$dir"
    for c in *.bpf.c; do
        o="${c%.c}.o"
        # the source paths end up in the BTF strings: map the directories away (a test fixture may
        # include a program of $SRC)
        clang -O2 -g -target bpf -mcpu=v3 -Wall -Werror -fdebug-prefix-map="$dir=." -fdebug-prefix-map="$SRC=." -I"$SRC" -c "$c" -o "$TMP/$o"
        llvm-strip -g "$TMP/$o"
        if [ "$MODE" = --check ]; then
            if cmp -s "$TMP/$o" "$out/$o"; then
                echo "build.sh: $o matches the committed object"
            else
                echo "build.sh: $o differs from the committed $out/$o: run mpsec-kernel/src/main/bpf/build.sh and commit" >&2
                status=1
            fi
        else
            mkdir -p "$out"
            cp "$TMP/$o" "$out/$o"
            echo "build.sh: wrote $out/$o"
        fi
    done
}
build_dir "$SRC" "$OUT"
# test fixtures (objects the kernel must reject), same rules
TEST_SRC="$(cd "$SRC/../../test/bpf" && pwd)"
build_dir "$TEST_SRC" "$TEST_SRC/../resources/io/mpsec/kernel/bpf"
exit "$status"
